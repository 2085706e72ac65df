"""The Fleet: addresses and credentials of a running fleet, and how to stop it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path

from tests.fleet.helpers import _run
from tests.fleet.stopping import (
    DOCKERD_SHUTDOWN_TIMEOUT,
    _comm,
    _delete_leftover_containers,
    _mentions,
    _pool_bridges,
    _quiesce_engines,
    _sweep,
    _terminate,
    _unmount_below,
)

JSON_NAME = "fleet.json"
_LOCK = threading.RLock()


@dataclass
class Fleet:
    """Addresses and credentials of a running fleet; JSON-serialisable for other processes."""

    root: str
    unix_url: str  # engine A
    tls_url: str  # engine B, --tlsverify
    tls_ca: str  # CA that signed engine B's certificate and the accepted client certificate
    tls_cert: str
    tls_key: str
    tls_wrong_ca: str  # a CA that did not sign engine B's certificate
    tls_wrong_cert: str  # client certificate signed by the wrong CA: engine B refuses it
    tls_wrong_key: str
    ssh_url: str  # ssh://root@127.0.0.1:PORT, forced into engine A
    ssh_key: str  # OpenSSH ed25519 private key that sshd accepts
    ssh_wrong_key: str  # one it does not
    ssh_host_key_pub: str  # "ssh-ed25519 AAAA..." of sshd
    ssh_other_host_key_pub: str  # another ed25519 key, for "host key changed" tests
    registry: str  # 127.0.0.1:PORT, plain http
    base_image: str
    pids: list[int]
    bridges: list[str] = field(default_factory=list)
    storage_driver: str = ""
    start_seconds: float = 0.0
    # Popen objects of the processes this Python process started, to reap them.
    _procs: dict[int, subprocess.Popen[bytes]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def to_json(self) -> str:
        data = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Fleet:
        data = json.loads(text)
        known = {f.name for f in fields(cls) if not f.name.startswith("_")}
        return cls(**{k: v for k, v in data.items() if k in known})

    def stop(self) -> None:
        """Stop everything the fleet started and remove its directory. Idempotent."""
        root = Path(self.root)
        marker = f"{root}/"
        ours = [pid for pid in self.pids if _mentions(pid, marker)]
        engines = [pid for pid in ours if _comm(pid) == "dockerd"]
        # Stop the containers ourselves first: at shutdown dockerd gives each one its own
        # stop timeout (10 s by default), and a busybox `sleep` as PID 1 ignores SIGTERM.
        bridges = [*self.bridges, *(_quiesce_engines(self) if engines else [])]
        # dockerd next: it cleans up after its containers, and needs its containerd to do so.
        _terminate(engines, DOCKERD_SHUTDOWN_TIMEOUT + 15, self._procs)
        _delete_leftover_containers(root)
        _terminate([pid for pid in ours if pid not in engines], 10, self._procs)
        _sweep(marker)
        for proc in self._procs.values():
            proc.poll()
        _unmount_below(root)
        # dockerd keeps the bridges of user-defined networks when it stops.
        for name in dict.fromkeys([*bridges, *_pool_bridges(self.bridges)]):
            if Path("/sys/class/net", name).exists():
                _run(["ip", "link", "del", name], check=False)
        self.pids.clear()
        self.bridges.clear()
        self._procs.clear()
        # Only ever remove a directory that holds a fleet: start() writes fleet.json first.
        if (root / JSON_NAME).exists():
            shutil.rmtree(root, ignore_errors=True)
            if root.exists():
                print(f"fleet: could not remove all of {root}", file=sys.stderr)

    def _save(self) -> None:
        """Write fleet.json, so that `down` can clean up even after a half-done start."""
        path = Path(self.root, JSON_NAME)
        with _LOCK:  # startup threads record their daemons as they start them
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.to_json())
            tmp.replace(path)
