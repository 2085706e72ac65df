"""A DOUBLE of a Windows Docker engine, for tests: NOT a real engine.

No Windows engine can run on the test machines, so this small stdlib HTTP server on
127.0.0.1 (a random port) answers the Docker API v1.41 endpoints the console calls, with
payloads shaped as the Docker API documentation and moby's Windows code describe them
(OSType windows, windowsfilter, process / Hyper-V isolation, the Windows stats fields,
the Windows `top` columns, the errors a Windows engine gives for pause, export, top
arguments and file operations on running Hyper-V containers).

The same double can play a Linux engine inside WSL2 (`flavor="wsl2"`) or Docker
Desktop's WSL2 backend (`flavor="desktop-wsl2"`). Every request is logged in
`requests`; anything it does not know answers 404 and is logged in `unknown`, so a
test can see which calls a page made that the double does not cover.

    with WindowsEngineDouble() as double:
        Host.objects.create(name="win", slug="win", url=double.url)
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

API_VERSION = "1.41"
WINDOWS_KERNEL = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)"
WSL2_KERNEL = "5.15.153.1-microsoft-standard-WSL2"
SERVERCORE = "mcr.microsoft.com/windows/servercore:ltsc2022"
NANOSERVER = "mcr.microsoft.com/windows/nanoserver:ltsc2022"
WINDOWS_OS_VERSION = "10.0.20348.2582"
CMD_BANNER = (
    f"Microsoft Windows [Version {WINDOWS_OS_VERSION}]\r\n"
    "(c) Microsoft Corporation. All rights reserved.\r\n\r\nC:\\>"
)

# moby's own words for what a Windows engine refuses.
PAUSE_PROCESS_ERROR = "cannot pause Windows Server Containers"
EXPORT_ERROR = "the daemon on this operating system does not support exporting Windows containers"
TOP_ARGS_ERROR = "Windows does not support arguments to top"
HYPERV_FILES_ERROR = "filesystem operations against a running Hyper-V container are not supported"

# The stats samples: known numbers, so tests can compute the Windows formula by hand.
# Between two samples 1 s passes (10,000,000 intervals of 100 ns) on 4 processors, and
# the container uses 5,000,000 intervals of CPU time: 5e6 / (1e7 * 4) * 100 = 12.5 %.
STATS_NUM_PROCS = 4
STATS_CPU_STEP = 5_000_000
STATS_PRIVATE_WORKING_SET = 123_456_789
STATS_COMMIT_BYTES = 234_567_890
STATS_COMMIT_PEAK_BYTES = 345_678_901
STATS_RX, STATS_TX = 1_500, 2_500
STATS_READ_BYTES, STATS_WRITE_BYTES = 4_096, 8_192
STATS_START = datetime(2024, 5, 1, 10, 0, 0, 500_000, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    """RFC 3339 with nanoseconds, as Go prints it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def _hex_id(seed: str) -> str:
    return (uuid.uuid5(uuid.NAMESPACE_DNS, seed).hex * 2)[:64]


@dataclass
class FakeImage:
    ref: str
    os: str = "windows"
    os_version: str = WINDOWS_OS_VERSION
    architecture: str = "amd64"
    size: int = 2_300_000_000

    @property
    def id(self) -> str:
        return "sha256:" + _hex_id("image " + self.ref)


@dataclass
class FakeContainer:
    name: str
    image: FakeImage
    isolation: str  # process | hyperv ("" on Linux)
    path: str
    args: list[str]
    state: str = "running"  # running | paused | exited
    mounts: list[dict] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    # A few files the archive endpoints serve: path -> content (directories end in /).
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return _hex_id("container " + self.name)

    @property
    def os(self) -> str:
        return self.image.os


def _windows_containers() -> list[FakeContainer]:
    servercore = FakeImage(SERVERCORE, size=4_900_000_000)
    nanoserver = FakeImage(NANOSERVER, size=290_000_000)
    files = {
        "/Windows/": b"",
        "/Users/": b"",
        "/Users/ContainerAdministrator/": b"",
        "/inetpub/": b"",
        "/inetpub/wwwroot/": b"",
        "/inetpub/wwwroot/index.html": b"<h1>IIS in a Windows container</h1>\r\n",
        "/License.txt": b"Windows container license\r\n",
    }
    data_mount = {
        "Type": "bind",
        "Source": "C:\\data\\site",
        "Destination": "c:\\inetpub\\wwwroot\\data",
        "Mode": "",
        "RW": True,
        "Propagation": "",
    }
    volume_mount = {
        "Type": "volume",
        "Name": "logs",
        "Source": "C:\\ProgramData\\docker\\volumes\\logs\\_data",
        "Destination": "c:\\logs",
        "Driver": "local",
        "Mode": "",
        "RW": True,
        "Propagation": "",
    }
    return [
        FakeContainer(
            "iis-process",
            servercore,
            "process",
            "C:\\ServiceMonitor.exe",
            ["w3svc"],
            mounts=[data_mount, volume_mount],
            labels={"role": "web"},
            files=files,
        ),
        FakeContainer(
            "ping-hyperv",
            nanoserver,
            "hyperv",
            "cmd.exe",
            ["/S", "/C", "ping -t localhost"],
            files=dict(files),
        ),
        FakeContainer(
            "build-exited",
            servercore,
            "process",
            "powershell.exe",
            ["-Command", "Write-Output done"],
            state="exited",
            files=dict(files),
        ),
    ]


def _linux_containers() -> list[FakeContainer]:
    image = FakeImage("nginx:1.27", os="linux", os_version="", size=190_000_000)
    return [
        FakeContainer(
            "web-wsl",
            image,
            "",
            "/docker-entrypoint.sh",
            ["nginx", "-g", "daemon off;"],
            files={"/etc/": b"", "/etc/hostname": b"web-wsl\n"},
        )
    ]


FLAVORS = ("windows", "desktop-windows", "wsl2", "desktop-wsl2")


class WindowsEngineDouble:
    """A double of a Windows Docker engine (or, by flavor, a WSL2 Linux engine)."""

    def __init__(self, flavor: str = "windows"):
        if flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}")
        self.flavor = flavor
        self.windows = flavor in ("windows", "desktop-windows")
        self.containers = _windows_containers() if self.windows else _linux_containers()
        # (method, path without the /v1.xx prefix, query) of every request, in order.
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.unknown: list[tuple[str, str]] = []
        self.execs: dict[str, dict] = {}
        self.stop_event = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> WindowsEngineDouble:
        double = self

        class Handler(_Handler):
            engine = double

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="windows-engine-double", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> WindowsEngineDouble:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the double first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    # -- lookups ----------------------------------------------------------------------

    def find(self, ref: str) -> FakeContainer | None:
        ref = ref.lstrip("/")
        for c in self.containers:
            if ref in (c.name, c.id) or (len(ref) >= 3 and c.id.startswith(ref)):
                return c
        return None

    def images(self) -> list[FakeImage]:
        return list({c.image.ref: c.image for c in self.containers}.values())

    def find_image(self, ref: str) -> FakeImage | None:
        for image in self.images():
            if ref in (image.ref, image.id, image.id.removeprefix("sha256:")):
                return image
            if len(ref) >= 3 and image.id.removeprefix("sha256:").startswith(ref):
                return image
        return None

    def paths(self, method: str) -> list[str]:
        return [path for m, path, _ in self.requests if m == method]

    def queries(self, method: str, path: str) -> list[dict[str, list[str]]]:
        return [query for m, p, query in self.requests if (m, p) == (method, path)]

    # -- payloads ---------------------------------------------------------------------

    def version(self) -> dict:
        os_name, kernel = ("windows", WINDOWS_KERNEL) if self.windows else ("linux", WSL2_KERNEL)
        body = {
            "Version": "24.0.7",
            "ApiVersion": API_VERSION,
            "MinAPIVersion": "1.24" if self.windows else "1.12",
            "GitCommit": "311b9ff",
            "GoVersion": "go1.20.10",
            "Os": os_name,
            "Arch": "amd64",
            "KernelVersion": kernel,
            "BuildTime": "2023-10-26T09:08:44.000000000+00:00",
            "Components": [
                {"Name": "Engine", "Version": "24.0.7", "Details": {"ApiVersion": API_VERSION}}
            ],
        }
        if self.flavor.startswith("desktop"):
            body["Platform"] = {"Name": "Docker Desktop 4.30.0 (149282)"}
        return body

    def info(self) -> dict:
        running = sum(c.state == "running" for c in self.containers)
        paused = sum(c.state == "paused" for c in self.containers)
        common = {
            "ID": "WIN2:DOUB:LE00:0000:0000:0000:0000:0000:0000:0000:0000:0000",
            "Containers": len(self.containers),
            "ContainersRunning": running,
            "ContainersPaused": paused,
            "ContainersStopped": len(self.containers) - running - paused,
            "Images": len(self.images()),
            "ServerVersion": "24.0.7",
            "Architecture": "x86_64",
            "NCPU": STATS_NUM_PROCS,
            "MemTotal": 17_179_398_144,
            "LoggingDriver": "json-file",
            "IndexServerAddress": "https://index.docker.io/v1/",
            "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8"], "Mirrors": []},
            "Labels": [],
            "Warnings": None,
            "SystemTime": _stamp(datetime.now(UTC)),
            "Swarm": {"LocalNodeState": "inactive"},
        }
        if self.windows:
            desktop = self.flavor == "desktop-windows"
            return common | {
                "Name": "WIN-LAPTOP" if desktop else "WINSRV2022",
                "OSType": "windows",
                "OperatingSystem": "Windows 11 Pro Version 23H2 (OS Build 22631.3593)"
                if desktop
                else "Windows Server 2022 Datacenter Version 21H2 (OS Build 20348.2582)",
                "OSVersion": WINDOWS_KERNEL,
                "KernelVersion": "10.0 22631 (22631.1.amd64fre.ni_release.220506-1250)"
                if desktop
                else WINDOWS_KERNEL,
                "Driver": "windowsfilter",
                "DriverStatus": [["Windows", ""]],
                "Isolation": "hyperv" if desktop else "process",
                "DockerRootDir": "C:\\ProgramData\\docker",
                "Plugins": {
                    "Volume": ["local"],
                    "Network": ["ics", "internal", "l2bridge", "l2tunnel", "nat", "null"],
                    "Log": ["awslogs", "etwlogs", "fluentd", "gelf", "json-file", "splunk"],
                },
                "CgroupDriver": "",
                "CgroupVersion": "",
                "MemoryLimit": False,
                "SwapLimit": False,
                "DefaultRuntime": "",
                "Runtimes": {},
                "SecurityOptions": None,
                "Labels": ["com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli"]
                if desktop
                else [],
            }
        desktop = self.flavor == "desktop-wsl2"
        return common | {
            "Name": "docker-desktop" if desktop else "LAPTOP-WSL",
            "OSType": "linux",
            "OperatingSystem": "Docker Desktop" if desktop else "Ubuntu 22.04.4 LTS",
            "OSVersion": "" if desktop else "22.04",
            "KernelVersion": WSL2_KERNEL,
            "Driver": "overlay2",
            "DriverStatus": [["Backing Filesystem", "extfs"]],
            "DockerRootDir": "/var/lib/docker",
            "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "null"], "Log": []},
            "CgroupDriver": "cgroupfs",
            "CgroupVersion": "2",
            "DefaultRuntime": "runc",
            "Runtimes": {"runc": {"path": "runc"}},
            "SecurityOptions": ["name=seccomp,profile=unconfined", "name=cgroupns"],
            "Labels": ["com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli"]
            if desktop
            else [],
        }

    def summary(self, c: FakeContainer, size: bool) -> dict:
        command = " ".join([c.path, *c.args])
        status = {"running": "Up 2 hours", "paused": "Up 2 hours (Paused)"}.get(
            c.state, "Exited (0) 3 hours ago"
        )
        row = {
            "Id": c.id,
            "Names": ["/" + c.name],
            "Image": c.image.ref,
            "ImageID": c.image.id,
            "Command": command if len(command) < 80 else command[:79] + "…",
            "Created": 1_714_550_400,
            "Ports": [{"PrivatePort": 80, "Type": "tcp"}] if c.name.startswith("iis") else [],
            "Labels": c.labels,
            "State": c.state,
            "Status": status,
            "HostConfig": {"NetworkMode": "nat" if self.windows else "bridge"},
            "NetworkSettings": {"Networks": {}},
            "Mounts": [
                {k: m[k] for k in ("Type", "Source", "Destination", "RW")} for m in c.mounts
            ],
        }
        if size:
            row |= {"SizeRw": 12_345, "SizeRootFs": c.image.size}
        return row

    def inspect(self, c: FakeContainer) -> dict:
        network = "nat" if self.windows else "bridge"
        return {
            "Id": c.id,
            "Created": "2024-05-01T08:00:00.1234567Z",
            "Path": c.path,
            "Args": c.args,
            "State": {
                "Status": c.state,
                "Running": c.state in ("running", "paused"),
                "Paused": c.state == "paused",
                "Restarting": False,
                "OOMKilled": False,
                "Dead": False,
                "Pid": 4312 if c.state != "exited" else 0,
                "ExitCode": 0,
                "Error": "",
                "StartedAt": "2024-05-01T08:00:01.5Z",
                "FinishedAt": "0001-01-01T00:00:00Z"
                if c.state != "exited"
                else "2024-05-01T08:00:05Z",
            },
            "Image": c.image.id,
            "Name": "/" + c.name,
            "RestartCount": 0,
            "Driver": "windowsfilter" if self.windows else "overlay2",
            "Platform": c.os,
            "HostConfig": {
                "Isolation": c.isolation,
                "NetworkMode": network,
                "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
                "Binds": [f"{m.get('Name') or m['Source']}:{m['Destination']}" for m in c.mounts],
            },
            "Mounts": c.mounts,
            "Config": {
                "Hostname": c.id[:12],
                "User": "ContainerUser" if self.windows else "",
                "Tty": False,
                "OpenStdin": False,
                "Env": ["PATH=C:\\Windows\\system32;C:\\Windows"]
                if self.windows
                else ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                "Cmd": c.args,
                "Image": c.image.ref,
                "WorkingDir": "C:\\" if self.windows else "/",
                "Entrypoint": [c.path],
                "Labels": c.labels,
            },
            "NetworkSettings": {
                "Ports": {"80/tcp": None} if c.name.startswith("iis") else {},
                "Networks": {
                    network: {
                        "IPAddress": "172.27.160.12" if c.state != "exited" else "",
                        "Gateway": "172.27.160.1" if c.state != "exited" else "",
                        "MacAddress": "00:15:5d:9a:12:34",
                        "Aliases": None,
                    }
                },
            },
        }

    def image_inspect(self, image: FakeImage) -> dict:
        body = {
            "Id": image.id,
            "RepoTags": [image.ref],
            "RepoDigests": [],
            "Created": "2024-04-09T12:00:00Z",
            "Os": image.os,
            "Architecture": image.architecture,
            "Size": image.size,
            "RootFS": {"Type": "layers", "Layers": ["sha256:" + _hex_id("layer " + image.ref)]},
            "Config": {"Cmd": ["c:\\windows\\system32\\cmd.exe"] if image.os == "windows" else []},
        }
        if image.os_version:
            body["OsVersion"] = image.os_version
        return body

    def top(self, c: FakeContainer) -> dict:
        if c.os != "windows":
            return {
                "Titles": ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
                "Processes": [["root", "2101", "2080", "0", "08:00", "?", "00:00:00", "nginx"]],
            }
        # daemon/top_windows.go: Name, PID, CPU (hh:mm:ss.mmm), Private Working Set.
        return {
            "Titles": ["Name", "PID", "CPU", "Private Working Set"],
            "Processes": [
                ["smss.exe", "5412", "00:00:00.078", "221.2kB"],
                ["csrss.exe", "7356", "00:00:00.312", "1.401MB"],
                ["CExecSvc.exe", "7976", "00:00:00.031", "921.6kB"],
                ["ServiceMonitor.exe", "4312", "00:00:01.250", "1.643MB"],
                ["w3wp.exe", "8120", "00:00:12.906", "24.12MB"],
            ],
        }

    def stats_sample(self, c: FakeContainer, n: int) -> dict:
        """Sample n (from 1): `read` is n seconds after the start, `preread` one before."""
        read = STATS_START + timedelta(seconds=n)
        body: dict = {
            "read": _stamp(read),
            "preread": _stamp(read - timedelta(seconds=1)),
            "name": "/" + c.name,
            "id": c.id,
            "networks": {
                "eth0": {
                    "rx_bytes": STATS_RX * n,
                    "rx_packets": 10 * n,
                    "tx_bytes": STATS_TX * n,
                    "tx_packets": 12 * n,
                    "rx_dropped": 0,
                    "tx_dropped": 0,
                }
            },
        }
        if c.os != "windows":
            return body | {
                "cpu_stats": {
                    "cpu_usage": {"total_usage": 2_000_000_000 * n},
                    "system_cpu_usage": 40_000_000_000 * n,
                    "online_cpus": 4,
                },
                "precpu_stats": {
                    "cpu_usage": {"total_usage": 2_000_000_000 * (n - 1)},
                    "system_cpu_usage": 40_000_000_000 * (n - 1),
                    "online_cpus": 4,
                },
                "memory_stats": {"usage": 50_000_000, "limit": 8_000_000_000, "stats": {}},
                "pids_stats": {"current": 3},
                "blkio_stats": {"io_service_bytes_recursive": None},
            }
        # daemon/stats_windows.go + api/types/stats.go: 100 ns units, num_procs,
        # private working set / commit bytes, storage_stats; no limit, no pids.
        return body | {
            "num_procs": STATS_NUM_PROCS,
            "pids_stats": {},
            "blkio_stats": {
                "io_service_bytes_recursive": None,
                "io_serviced_recursive": None,
                "io_queue_recursive": None,
                "io_service_time_recursive": None,
                "io_wait_time_recursive": None,
                "io_merged_recursive": None,
                "io_time_recursive": None,
                "sectors_recursive": None,
            },
            "cpu_stats": {
                "cpu_usage": {
                    "total_usage": 1_000_000_000 + STATS_CPU_STEP * n,
                    "usage_in_kernelmode": 400_000_000 + 2_000_000 * n,
                    "usage_in_usermode": 600_000_000 + 3_000_000 * n,
                },
                "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
            },
            "precpu_stats": {
                "cpu_usage": {
                    "total_usage": 1_000_000_000 + STATS_CPU_STEP * (n - 1),
                    "usage_in_kernelmode": 400_000_000 + 2_000_000 * (n - 1),
                    "usage_in_usermode": 600_000_000 + 3_000_000 * (n - 1),
                },
                "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
            },
            "memory_stats": {
                "commitbytes": STATS_COMMIT_BYTES,
                "commitpeakbytes": STATS_COMMIT_PEAK_BYTES,
                "privateworkingset": STATS_PRIVATE_WORKING_SET,
            },
            "storage_stats": {
                "read_count_normalized": 12,
                "read_size_bytes": STATS_READ_BYTES,
                "write_count_normalized": 24,
                "write_size_bytes": STATS_WRITE_BYTES,
            },
        }


def _filters(query: dict) -> dict[str, list[str]]:
    raw = (query.get("filters") or ["{}"])[0]
    try:
        decoded = json.loads(raw)
    except ValueError:
        return {}
    # The API takes {"key": ["v"]} and the older {"key": {"v": true}}.
    return {k: list(v) if isinstance(v, (list, dict)) else [str(v)] for k, v in decoded.items()}


def _matches(c: FakeContainer, filters: dict[str, list[str]]) -> bool:
    checks = {
        "status": lambda v: c.state == v,
        "name": lambda v: re.search(v, c.name) is not None,
        "id": lambda v: c.id.startswith(v),
        "label": lambda v: (
            c.labels.get(v.partition("=")[0]) == v.partition("=")[2] if "=" in v else v in c.labels
        ),
        "ancestor": lambda v: v in (c.image.ref, c.image.id),
    }
    for key, values in filters.items():
        check = checks.get(key)
        if check and not any(check(v) for v in values):
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    engine: WindowsEngineDouble
    protocol_version = "HTTP/1.1"
    server_version = "WindowsEngineDouble/1.0"

    def log_message(self, format, *args) -> None:
        """Quiet: the double's log is `engine.requests`."""

    # -- plumbing ---------------------------------------------------------------------

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = re.sub(r"^/v1\.\d+", "", unquote(parts.path))
        self.query = parse_qs(parts.query)
        self.engine.requests.append((method, path, self.query))
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.body = self._read_chunked()
        for pattern, handler in ROUTES:
            match = re.fullmatch(pattern, f"{method} {path}")
            if match:
                handler(self, *match.groups())
                return
        self.engine.unknown.append((method, path))
        self._json({"message": f"page not found: {method} {path} (windows engine double)"}, 404)

    def _read_chunked(self) -> bytes:
        data = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline()

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _headers(self, status: int, content_type: str, length: int | None, extra=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Ostype", "windows" if self.engine.windows else "linux")
        self.send_header("Server", "Docker/24.0.7 (windows engine double)")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _bytes(self, status: int, data: bytes, content_type: str, extra=None) -> None:
        self._headers(status, content_type, len(data), extra)
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, body, status: int = 200) -> None:
        self._bytes(status, json.dumps(body).encode(), "application/json")

    def _error(self, message: str, status: int = 500) -> None:
        self._json({"message": message}, status)

    def _empty(self, status: int = 204) -> None:
        self.send_response(status)
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _chunk(self, data: bytes) -> bool:
        try:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            return True
        except OSError:
            return False

    def _container(self, ref: str) -> FakeContainer | None:
        c = self.engine.find(ref)
        if c is None:
            self._error(f"No such container: {ref}", 404)
        return c

    # -- system -----------------------------------------------------------------------

    def ping(self) -> None:
        extra = {"Docker-Experimental": "false", "Cache-Control": "no-cache, no-store"}
        self._bytes(200, b"OK", "text/plain; charset=utf-8", extra)

    def version(self) -> None:
        self._json(self.engine.version())

    def info(self) -> None:
        self._json(self.engine.info())

    def events(self) -> None:
        """An idle stream: no event happens on the double; it ends when the client leaves
        or the double stops."""
        self._headers(200, "application/json", None)
        self.wfile.flush()
        while not self.engine.stop_event.wait(0.5):
            try:
                self.wfile.write(b"")
                self.wfile.flush()
            except OSError:
                return
        self._chunk(b"")

    def df(self) -> None:
        self._json({"LayersSize": 0, "Images": [], "Containers": [], "Volumes": []})

    # -- containers -------------------------------------------------------------------

    def containers(self) -> None:
        show_all = (self.query.get("all") or ["0"])[0] in ("1", "true", "True")
        limit = int((self.query.get("limit") or ["-1"])[0])
        size = (self.query.get("size") or ["0"])[0] in ("1", "true", "True")
        filters = _filters(self.query)
        if limit > 0:
            show_all = True
        rows = [
            self.engine.summary(c, size)
            for c in self.engine.containers
            if (show_all or c.state != "exited") and _matches(c, filters)
        ]
        self._json(rows[:limit] if limit > 0 else rows)

    def container_json(self, ref: str) -> None:
        if c := self._container(ref):
            self._json(self.engine.inspect(c))

    def top(self, ref: str) -> None:
        if not (c := self._container(ref)):
            return
        if c.os == "windows" and (self.query.get("ps_args") or [""])[0]:
            self._error(TOP_ARGS_ERROR)
        elif c.state == "exited":
            self._error(f"Container {c.id} is not running", 409)
        else:
            self._json(self.engine.top(c))

    def stats(self, ref: str) -> None:
        if not (c := self._container(ref)):
            return
        stream = (self.query.get("stream") or ["1"])[0] not in ("0", "false", "False")
        if not stream:
            self._json(self.engine.stats_sample(c, 1))
            return
        self._headers(200, "application/json", None)
        n = 1
        while not self.engine.stop_event.is_set():
            line = json.dumps(self.engine.stats_sample(c, n)).encode() + b"\n"
            if not self._chunk(line):
                return
            n += 1
            if self.engine.stop_event.wait(0.3):
                break
        self._chunk(b"")

    def logs(self, ref: str) -> None:
        if not (c := self._container(ref)):
            return
        lines = [f"{c.name} started\r\n".encode(), b"listening\r\n"]
        frames = b"".join(b"\x01\x00\x00\x00" + len(x).to_bytes(4, "big") + x for x in lines)
        follow = (self.query.get("follow") or ["0"])[0] in ("1", "true", "True")
        if not follow:
            self._bytes(200, frames, "application/vnd.docker.multiplexed-stream")
            return
        self._headers(200, "application/vnd.docker.multiplexed-stream", None)
        self._chunk(frames)
        while not self.engine.stop_event.wait(0.5):
            pass
        self._chunk(b"")

    def action(self, ref: str, action: str) -> None:
        if not (c := self._container(ref)):
            return
        if action in ("pause", "unpause") and c.os == "windows" and c.isolation != "hyperv":
            self._error(PAUSE_PROCESS_ERROR)
            return
        transitions = {
            "pause": ("running", "paused"),
            "unpause": ("paused", "running"),
            "start": ("exited", "running"),
            "stop": ("running", "exited"),
            "kill": ("running", "exited"),
            "restart": (None, "running"),
        }
        before, after = transitions[action]
        if before is not None and c.state != before:
            self._error(f"Container {c.id} is not {before}", 409)
            return
        c.state = after
        self._empty()

    def export(self, ref: str) -> None:
        if c := self._container(ref):
            if c.os == "windows":
                self._error(EXPORT_ERROR)
            else:
                self._bytes(200, self._tar(c, "/"), "application/x-tar")

    def _archive_refused(self, c: FakeContainer) -> bool:
        if c.os == "windows" and c.isolation == "hyperv" and c.state == "running":
            self._error(HYPERV_FILES_ERROR)
            return True
        return False

    def _archive_path(self, c: FakeContainer) -> str | None:
        """The requested path as the double's keys say it: C:\\a\\b or /a/b -> /a/b."""
        path = (self.query.get("path") or [""])[0]
        path = re.sub(r"^[A-Za-z]:", "", path).replace("\\", "/")
        path = "/" + path.strip("/") if path.strip("/") not in ("", ".") else "/"
        path = path.removesuffix("/.")
        if path == "/" or path in c.files or path + "/" in c.files:
            return path
        self._error(f"Could not find the file {path} in container {c.name}", 404)
        return None

    def _tar(self, c: FakeContainer, path: str) -> bytes:
        """The tar the archive API sends for "DIR/.": entries named ./NAME..."""
        buffer = io.BytesIO()
        prefix = "" if path == "/" else path
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            root = tarfile.TarInfo("./")
            root.type, root.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(root)
            for key, content in sorted(c.files.items()):
                if not key.startswith(prefix + "/") or key.rstrip("/") == prefix:
                    continue
                info = tarfile.TarInfo("./" + key[len(prefix) + 1 :].rstrip("/"))
                info.mtime = int(STATS_START.timestamp())
                if key.endswith("/"):
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(info)
                else:
                    info.size, info.mode = len(content), 0o644
                    tar.addfile(info, io.BytesIO(content))
        return buffer.getvalue()

    def _stat_header(self, c: FakeContainer, path: str) -> str:
        import base64

        is_dir = path == "/" or path + "/" in c.files
        stat = {
            "name": path.rsplit("/", 1)[-1] or "\\",
            "size": 0 if is_dir else len(c.files.get(path, b"")),
            "mode": (1 << 31 | 0o755) if is_dir else 0o644,
            "mtime": "2024-05-01T10:00:00Z",
            "linkTarget": "",
        }
        return base64.b64encode(json.dumps(stat).encode()).decode()

    def archive(self, ref: str) -> None:
        if not (c := self._container(ref)) or self._archive_refused(c):
            return
        if (path := self._archive_path(c)) is None:
            return
        extra = {"X-Docker-Container-Path-Stat": self._stat_header(c, path)}
        if self.command == "HEAD":
            self._bytes(200, b"", "application/x-tar", extra)
            return
        if path == "/" or path + "/" in c.files:
            data = self._tar(c, path)
        else:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                info = tarfile.TarInfo(path.rsplit("/", 1)[-1])
                info.size, info.mode = len(c.files[path]), 0o644
                tar.addfile(info, io.BytesIO(c.files[path]))
            data = buffer.getvalue()
        self._bytes(200, data, "application/x-tar", extra)

    def put_archive(self, ref: str) -> None:
        if not (c := self._container(ref)) or self._archive_refused(c):
            return
        if (path := self._archive_path(c)) is None:
            return
        with tarfile.open(fileobj=io.BytesIO(self.body), mode="r:") as tar:
            for member in tar:
                key = (path.rstrip("/") + "/" + member.name.lstrip("./")).replace("//", "/")
                if member.isdir():
                    c.files[key.rstrip("/") + "/"] = b""
                elif member.isreg():
                    c.files[key] = tar.extractfile(member).read()
        self._empty(200)

    # -- exec -------------------------------------------------------------------------

    def exec_create(self, ref: str) -> None:
        if not (c := self._container(ref)):
            return
        if c.state != "running":
            self._error(f"Container {c.id} is not running", 409)
            return
        spec = json.loads(self.body or b"{}")
        exec_id = uuid.uuid4().hex * 2
        self.engine.execs[exec_id] = {
            "container": c.id,
            "Cmd": spec.get("Cmd") or [],
            "Tty": bool(spec.get("Tty")),
            "Running": False,
            "ExitCode": None,
            "resized": [],
        }
        self._json({"Id": exec_id}, 201)

    def exec_resize(self, exec_id: str) -> None:
        if exec_id not in self.engine.execs:
            self._error(f"No such exec instance: {exec_id}", 404)
            return
        self.engine.execs[exec_id]["resized"].append(
            ((self.query.get("w") or ["0"])[0], (self.query.get("h") or ["0"])[0])
        )
        self._empty(201)

    def exec_json(self, exec_id: str) -> None:
        record = self.engine.execs.get(exec_id)
        if record is None:
            self._error(f"No such exec instance: {exec_id}", 404)
            return
        self._json(
            {
                "ID": exec_id,
                "Running": record["Running"],
                "ExitCode": record["ExitCode"],
                "ProcessConfig": {"entrypoint": record["Cmd"][0], "arguments": record["Cmd"][1:]},
                "ContainerID": record["container"],
            }
        )

    def exec_start(self, exec_id: str) -> None:
        """The hijacked stream: a tiny cmd.exe that answers `ver`, `echo`, `cd`, `exit`."""
        record = self.engine.execs.get(exec_id)
        if record is None:
            self._error(f"No such exec instance: {exec_id}", 404)
            return
        self.send_response(101, "UPGRADED")
        self.send_header("Content-Type", "application/vnd.docker.raw-stream")
        self.send_header("Connection", "Upgrade")
        self.send_header("Upgrade", "tcp")
        self.end_headers()
        self.wfile.flush()
        record["Running"] = True
        program = (record["Cmd"] or [""])[0].lower()
        try:
            if program in ("cmd", "cmd.exe"):
                self._cmd_session()
            elif program in ("powershell", "powershell.exe"):
                self._send_raw(b"Windows PowerShell\r\nPS C:\\> ")
                self._cmd_session(prompt=b"PS C:\\> ")
            else:
                message = f"'{program}' is not recognized as an internal or external command.\r\n"
                self._send_raw(message.encode())
        except OSError:
            pass
        finally:
            record["Running"], record["ExitCode"] = False, 0
            self.close_connection = True

    def _send_raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _cmd_session(self, prompt: bytes = b"C:\\>") -> None:
        if prompt == b"C:\\>":
            self._send_raw(CMD_BANNER.encode())
        line = b""
        while not self.engine.stop_event.is_set():
            data = self.rfile.read1(1024)
            if not data:
                return
            for byte in data:
                char = bytes([byte])
                if char in (b"\r", b"\n"):
                    command = line.decode(errors="replace").strip()
                    line = b""
                    reply = self._cmd_reply(command)
                    if reply is None:
                        self._send_raw(b"\r\n")
                        return
                    self._send_raw(b"\r\n" + reply + prompt)
                elif char == b"\x7f":
                    line = line[:-1]
                    self._send_raw(b"\b \b")
                else:
                    line += char
                    self._send_raw(char)

    def _cmd_reply(self, command: str) -> bytes | None:
        word, _, rest = command.partition(" ")
        word = word.lower()
        if word == "exit":
            return None
        if word == "ver":
            return f"\r\nMicrosoft Windows [Version {WINDOWS_OS_VERSION}]\r\n\r\n".encode()
        if word == "echo":
            return rest.encode() + b"\r\n\r\n"
        if word in ("", "cd"):
            return b"C:\\\r\n\r\n" if word == "cd" else b""
        return f"'{word}' is not recognized as an internal or external command,\r\n\r\n".encode()

    # -- images, volumes, networks ----------------------------------------------------

    def images(self) -> None:
        # Like the real /images/json: no Os or Architecture here (those need inspect).
        rows = [
            {
                "Id": image.id,
                "ParentId": "",
                "RepoTags": [image.ref],
                "RepoDigests": [],
                "Created": 1_712_664_000,
                "Size": image.size,
                "SharedSize": -1,
                "VirtualSize": image.size,
                "Labels": {},
                "Containers": -1,
            }
            for image in self.engine.images()
        ]
        self._json(rows)

    def image_json(self, ref: str) -> None:
        image = self.engine.find_image(ref)
        if image is None:
            self._error(f"No such image: {ref}", 404)
        else:
            self._json(self.engine.image_inspect(image))

    def image_history(self, ref: str) -> None:
        image = self.engine.find_image(ref)
        if image is None:
            self._error(f"No such image: {ref}", 404)
            return
        base = {"Tags": None, "Comment": "", "Created": 1_712_664_000}
        self._json(
            [
                base
                | {
                    "Id": image.id,
                    "Tags": [image.ref],
                    "Size": 0,
                    "CreatedBy": 'cmd /S /C #(nop) CMD ["c:\\windows\\system32\\cmd.exe"]',
                },
                base
                | {
                    "Id": "<missing>",
                    "Size": image.size,
                    "CreatedBy": f"Apply image {image.os_version or '1'}",
                },
            ]
        )

    def volumes(self) -> None:
        volume = {
            "Name": "logs",
            "Driver": "local",
            "Mountpoint": "C:\\ProgramData\\docker\\volumes\\logs\\_data",
            "Labels": {},
            "Scope": "local",
            "Options": {},
            "CreatedAt": "2024-05-01T08:00:00Z",
        }
        self._json({"Volumes": [volume] if self.engine.windows else [], "Warnings": None})

    def networks(self) -> None:
        name, driver = ("nat", "nat") if self.engine.windows else ("bridge", "bridge")
        self._json(
            [
                {
                    "Name": name,
                    "Id": _hex_id("network " + name),
                    "Created": "2024-05-01T08:00:00Z",
                    "Scope": "local",
                    "Driver": driver,
                    "EnableIPv6": False,
                    "IPAM": {"Driver": "windows", "Config": [{"Subnet": "172.27.160.0/20"}]},
                    "Internal": False,
                    "Attachable": False,
                    "Containers": {},
                    "Options": {},
                    "Labels": {},
                }
            ]
        )


_REF = r"([^/]+)"
ROUTES = [
    (r"(?:GET|HEAD) /_ping", _Handler.ping),
    (r"GET /version", _Handler.version),
    (r"GET /info", _Handler.info),
    (r"GET /events", _Handler.events),
    (r"GET /system/df", _Handler.df),
    (r"GET /containers/json", _Handler.containers),
    (rf"GET /containers/{_REF}/json", _Handler.container_json),
    (rf"GET /containers/{_REF}/top", _Handler.top),
    (rf"GET /containers/{_REF}/stats", _Handler.stats),
    (rf"GET /containers/{_REF}/logs", _Handler.logs),
    (rf"GET /containers/{_REF}/export", _Handler.export),
    (rf"(?:GET|HEAD) /containers/{_REF}/archive", _Handler.archive),
    (rf"PUT /containers/{_REF}/archive", _Handler.put_archive),
    (rf"POST /containers/{_REF}/exec", _Handler.exec_create),
    (
        rf"POST /containers/{_REF}/(pause|unpause|start|stop|restart|kill)",
        _Handler.action,
    ),
    (rf"POST /exec/{_REF}/start", _Handler.exec_start),
    (rf"POST /exec/{_REF}/resize", _Handler.exec_resize),
    (rf"GET /exec/{_REF}/json", _Handler.exec_json),
    (r"GET /images/json", _Handler.images),
    (r"GET /images/(.+)/json", _Handler.image_json),
    (r"GET /images/(.+)/history", _Handler.image_history),
    (r"GET /volumes", _Handler.volumes),
    (r"GET /networks", _Handler.networks),
]


def _main() -> None:  # pragma: no cover - for trying the double by hand
    import sys

    double = WindowsEngineDouble(sys.argv[1] if len(sys.argv) > 1 else "windows").start()
    print(f"windows engine double ({double.flavor}) on {double.url}; Ctrl-C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        double.stop()


if __name__ == "__main__":  # pragma: no cover
    _main()
