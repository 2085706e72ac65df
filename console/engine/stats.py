"""`docker stats`: the engine's samples turned into the numbers the CLI prints, with
the CLI's formulas (cgroup v1 and v2 on Linux; Windows has its own fields)."""

from __future__ import annotations

import contextlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime

from console.engine.client import client_for, translate
from console.engine.containers import list_containers
from console.engine.errors import EngineError
from console.engine.wire import hard_close, own_connection


@dataclass(frozen=True)
class StatsSample:
    read: str
    cpu_percent: float
    memory_used: int
    memory_limit: int  # 0 where the engine gives none (Windows)
    memory_percent: float
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int | None  # None where the engine gives none (Windows)

    def as_dict(self) -> dict:
        return asdict(self)


def _linux_cpu(sample: dict) -> float:
    cpu, pre = sample.get("cpu_stats") or {}, sample.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (
        pre.get("cpu_usage") or {}
    ).get("total_usage", 0)
    system_delta = cpu.get("system_cpu_usage", 0) - pre.get("system_cpu_usage", 0)
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or [])
    if cpu_delta <= 0 or system_delta <= 0:
        return 0.0
    return cpu_delta / system_delta * (online or 1) * 100.0


def _linux_memory(sample: dict) -> tuple[int, int]:
    memory = sample.get("memory_stats") or {}
    usage = int(memory.get("usage") or 0)
    stats = memory.get("stats") or {}
    # cgroup v1 says total_inactive_file, v2 says inactive_file (what `docker stats` subtracts).
    inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0)) or 0
    used = usage - inactive if inactive < usage else usage
    return used, int(memory.get("limit") or 0)


def _nanos(stamp: str) -> int:
    """RFC 3339 with up to nine fraction digits -> Unix nanoseconds."""
    match = re.fullmatch(r"(.+?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})", stamp or "")
    if not match:
        return 0
    whole, fraction, zone = match.groups()
    moment = datetime.fromisoformat(whole + ("+00:00" if zone == "Z" else zone))
    return int(moment.timestamp()) * 10**9 + int((fraction or "").ljust(9, "0"))


def _windows_cpu(sample: dict, num_procs: int) -> float:
    """The CLI's Windows formula: CPU time over (100-ns intervals elapsed x processors)."""
    cpu, pre = sample.get("cpu_stats") or {}, sample.get("precpu_stats") or {}
    intervals = (_nanos(sample.get("read", "")) - _nanos(sample.get("preread", ""))) / 100
    possible = intervals * num_procs
    used = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (pre.get("cpu_usage") or {}).get(
        "total_usage", 0
    )
    if possible <= 0 or used <= 0:
        return 0.0
    return used / possible * 100.0


def _io(sample: dict) -> tuple[int, int, int, int]:
    rx = tx = 0
    for network in (sample.get("networks") or {}).values():
        rx += int(network.get("rx_bytes") or 0)
        tx += int(network.get("tx_bytes") or 0)
    read = write = 0
    if "storage_stats" in sample and sample.get("storage_stats"):  # Windows
        storage = sample["storage_stats"]
        read = int(storage.get("read_size_bytes") or 0)
        write = int(storage.get("write_size_bytes") or 0)
    for entry in (sample.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []:
        op = str(entry.get("op", "")).lower()
        if op == "read":
            read += int(entry.get("value") or 0)
        elif op == "write":
            write += int(entry.get("value") or 0)
    return rx, tx, read, write


def sample_numbers(sample: dict, os_type: str) -> StatsSample:
    """One engine sample as `docker stats` shows it."""
    rx, tx, read, write = _io(sample)
    if os_type == "windows":
        cpu = _windows_cpu(sample, int(sample.get("num_procs") or 1))
        used = int((sample.get("memory_stats") or {}).get("privateworkingset") or 0)
        limit, percent, pids = 0, 0.0, None
    else:
        cpu = _linux_cpu(sample)
        used, limit = _linux_memory(sample)
        percent = used / limit * 100.0 if limit else 0.0
        pids = int((sample.get("pids_stats") or {}).get("current") or 0)
    return StatsSample(
        read=str(sample.get("read", "")),
        cpu_percent=round(cpu, 2),
        memory_used=used,
        memory_limit=limit,
        memory_percent=round(percent, 2),
        net_rx=rx,
        net_tx=tx,
        block_read=read,
        block_write=write,
        pids=pids,
    )


class StatsSource:
    """The engine's stats stream for one container, one StatsSample a second."""

    def __init__(self, host, ref: str):
        api = client_for(host)
        with translate():
            self.os_type = (
                api.info().get("OSType", "linux")
                if host.platform == ""
                else ("windows" if host.platform == "windows" else "linux")
            )
            self.container_id = api.inspect_container(ref)["Id"]
            self._response = api._get(
                api._url("/containers/{0}/stats", self.container_id),
                params={"stream": 1},
                stream=True,
                timeout=None,
            )
            self._socket = own_connection(api, self._response)
        self._api = api

    def __iter__(self):
        with translate():
            for sample in self._api._stream_helper(self._response, decode=True):
                yield sample_numbers(sample, self.os_type)

    def close(self) -> None:
        hard_close(self._socket)
        with contextlib.suppress(Exception):
            self._response.close()


def _os_type(host, api) -> str:
    if host.platform:
        return "windows" if host.platform == "windows" else "linux"
    return str(api.info().get("OSType") or "linux")


def stats_once(host, ref: str) -> StatsSample:
    """One sample (the engine waits a second for its CPU delta), for the host table."""
    api = client_for(host)
    with translate():
        return sample_numbers(api.stats(ref, stream=False), _os_type(host, api))


@dataclass(frozen=True)
class ContainerStats:
    id: str
    name: str
    sample: StatsSample

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, **self.sample.as_dict()}


def stats_of_running(host) -> list[ContainerStats]:
    """`docker stats` without arguments: one sample of every running container, taken
    concurrently (each costs the engine a second); containers gone meanwhile are left out."""
    rows = list_containers(host)
    if not rows:
        return []

    def one(row):
        try:
            return ContainerStats(row.id, row.name, stats_once(host, row.id))
        except EngineError:
            return None

    with ThreadPoolExecutor(max_workers=min(len(rows), 16)) as pool:
        return [s for s in pool.map(one, rows) if s is not None]
