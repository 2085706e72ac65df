"""The run form's tagged containers, for the container policy probes."""

from tests.containers.test_run import run  # noqa: F401  (a fixture, found by name)
