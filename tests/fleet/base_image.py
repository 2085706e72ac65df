"""The base image, made offline from busybox-static (nothing is pulled)."""

from __future__ import annotations

import io
import struct
import subprocess
import tarfile
import time
from pathlib import Path

BASE_IMAGE = "console-test/busybox:latest"


def _busybox_rootfs_tar() -> bytes:
    """A root filesystem with busybox-static and one symlink per applet, as a tar in memory."""
    busybox = Path("/bin/busybox").read_bytes()
    applets = subprocess.run(
        ["/bin/busybox", "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:

        def add(name: str, kind: bytes, mode: int, data: bytes = b"", link: str = "") -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size, info.linkname = kind, mode, len(data), link
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data) if data else None)

        for d, mode in (("bin", 0o755), ("etc", 0o755), ("root", 0o700), ("tmp", 0o1777)):
            add(d, tarfile.DIRTYPE, mode)
        add("bin/busybox", tarfile.REGTYPE, 0o755, busybox)
        for applet in applets:
            if applet != "busybox":  # --list names itself: a symlink would replace the binary
                add(f"bin/{applet}", tarfile.SYMTYPE, 0o777, link="busybox")
        passwd = (
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
        )
        add("etc/passwd", tarfile.REGTYPE, 0o644, passwd)
        add("etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnogroup:x:65534:\n")
    return buf.getvalue()


def _is_static_elf(path: Path) -> bool:
    """True if path is an ELF executable with no program interpreter (PT_INTERP)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if data[:4] != b"\x7fELF":
        return False
    order = "<" if data[5] == 1 else ">"
    if data[4] == 2:  # ELFCLASS64
        (phoff,) = struct.unpack_from(order + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    else:
        (phoff,) = struct.unpack_from(order + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x2A)
    pt_interp = 3
    return all(
        struct.unpack_from(order + "I", data, phoff + i * phentsize)[0] != pt_interp
        for i in range(phnum)
    )
