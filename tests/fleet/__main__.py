"""``python -m tests.fleet``: see tests/fleet/cli.py."""

import sys

from tests.fleet.cli import main

sys.exit(main())
