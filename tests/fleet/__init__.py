"""A fleet of real Docker engines for the tests, started on this machine.

What runs, all under one directory (``Fleet.root``):

* engine A: dockerd on a unix socket (``Fleet.unix_url``);
* engine B: dockerd on ``tcp://127.0.0.1:PORT`` with mutual TLS (``Fleet.tls_url``);
* sshd on 127.0.0.1 whose test key is forced to ``docker system dial-stdio`` into engine A
  (``Fleet.ssh_url``), so docker-py's ``ssh://`` transport reaches engine A;
* Debian's docker-registry over plain http (``Fleet.registry``);
* ``console-test/busybox:latest`` imported into A and B from busybox-static (nothing is pulled).

Used as a library (``start(root)`` / ``Fleet.stop()``) by the pytest fixtures, or by hand::

    python -m tests.fleet install          # apt-get the packages it needs (as root)
    python -m tests.fleet up --dir DIR     # start, write DIR/fleet.json, print its path
    python -m tests.fleet down --dir DIR   # stop everything and remove DIR

Isolation from a Docker already on the machine (see shared/FACTS.md):

* every engine gets a containerd of its own, started here: dockerd 20.10 silently uses the
  system containerd whenever /run/containerd/containerd.sock exists, and two engines would
  then share its "moby" namespace;
* its own --data-root, --exec-root, --pidfile, --config-file (otherwise
  /etc/docker/daemon.json is read) with "deprecated-key-path" in it (otherwise every engine
  writes and shares /etc/docker/key.json, so they all report the same engine ID);
* its own bridge, created here: never ``--bridge=none``, which deletes the host's docker0;
* --iptables=false --ip6tables=false --ip-forward=false: the host firewall and sysctls stay
  as they are; user-defined networks come from a per-engine pool in 10.214.N.0/24 so two
  engines never create bridges with the same subnet.

Only 127.0.0.1 is listened on; tests run their containers with ``network_mode="none"``.

The modules: ``starting`` (how a fleet starts), ``fleet`` (the Fleet and how it stops),
``stopping``, ``credentials``, ``base_image``, ``host`` (bridges, storage driver, ports),
``probes`` (readiness), ``requirements``, ``helpers`` and ``cli``.
"""

from tests.fleet.base_image import BASE_IMAGE
from tests.fleet.cli import main
from tests.fleet.fleet import JSON_NAME, Fleet
from tests.fleet.helpers import _need as _need
from tests.fleet.host import _free_ports as _free_ports
from tests.fleet.probes import _ssh_banner as _ssh_banner
from tests.fleet.requirements import APT_PACKAGES, ensure_requirements
from tests.fleet.starting import READY_TIMEOUT, start
from tests.fleet.stopping import DOCKERD_SHUTDOWN_TIMEOUT

# `_free_ports`, `_need` and `_ssh_banner` are re-exported (as themselves) for
# tests/security/transports.py, which starts an sshd of its own.
__all__ = [
    "APT_PACKAGES",
    "BASE_IMAGE",
    "DOCKERD_SHUTDOWN_TIMEOUT",
    "JSON_NAME",
    "READY_TIMEOUT",
    "Fleet",
    "ensure_requirements",
    "main",
    "start",
]
