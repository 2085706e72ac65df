"""The command line: ``python -m tests.fleet install|up|down``."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from tests.fleet.fleet import JSON_NAME, Fleet
from tests.fleet.requirements import APT_PACKAGES, _missing_packages
from tests.fleet.starting import start


def _cmd_install() -> int:
    try:
        missing = _missing_packages()
    except FileNotFoundError:
        print("dpkg-query not found: the fleet needs a Debian machine", file=sys.stderr)
        return 1
    if not missing:
        print("fleet packages present: " + " ".join(APT_PACKAGES))
        return 0
    if os.geteuid() != 0:
        print("missing apt packages: " + " ".join(missing), file=sys.stderr)
        print("run `python -m tests.fleet install` as root to install them", file=sys.stderr)
        return 1
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", *missing], check=True, env=env)
    if still := _missing_packages():
        print("still missing after apt-get install: " + " ".join(still), file=sys.stderr)
        return 1
    print("installed: " + " ".join(missing))
    return 0


def _cmd_up(directory: str) -> int:
    try:
        fleet = start(directory)
    except RuntimeError as exc:
        print(f"fleet up failed: {exc}", file=sys.stderr)
        return 1
    print(Path(fleet.root, JSON_NAME))
    print(
        f"fleet started in {fleet.start_seconds:.2f}s (storage driver {fleet.storage_driver})",
        file=sys.stderr,
    )
    return 0


def _cmd_down(directory: str) -> int:
    root = Path(directory)
    if not root.exists():
        print(f"no fleet in {root}: nothing to stop", file=sys.stderr)
        return 0
    state = root / JSON_NAME
    if not state.exists():
        print(f"{root} has no {JSON_NAME}: not a fleet, left alone", file=sys.stderr)
        return 1
    Fleet.from_json(state.read_text()).stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fleet",
        description="Real Docker engines, sshd and a registry for the tests.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="apt-get install the packages the fleet needs")
    for name, text in (("up", "start a fleet in DIR"), ("down", "stop the fleet in DIR")):
        commands.add_parser(name, help=text).add_argument("--dir", required=True)
    args = parser.parse_args(argv)
    if args.command == "install":
        return _cmd_install()
    if args.command == "up":
        return _cmd_up(args.dir)
    return _cmd_down(args.dir)
