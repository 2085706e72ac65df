"""`docker system df` (and -v) at /hosts/<slug>/df/: the numbers a shell shows."""

from __future__ import annotations

import json
import re

from console.engine.text import human_size
from tests.engines import cli
from tests.images.conftest import assert_asks_to_log_in


def _cli_df(fleet) -> list[dict]:
    out = cli(fleet, "system", "df", "--format", "{{json .}}").stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


_UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15}


def _shell_size(text: str) -> tuple[float, str]:
    """A size as `docker system df` prints it ("1.984MB (100%)"): bytes, and the share."""
    number, unit, share = re.fullmatch(r"([\d.]+)([kMGTP]?B)( \(\d+%\))?", text).groups()
    return float(number) * _UNITS[unit], share or ""


def _same_size(shown: str, size: int, shell: str) -> bool:
    """The page's bytes are the shell's to its 4 digits, shown as `docker images` shows
    sizes (3 digits, the console's one way)."""
    shell_bytes, share = _shell_size(shell)
    return shown == human_size(size) + share and abs(size - shell_bytes) <= shell_bytes * 5e-4


def _page_df(client, shell: list[dict]) -> list[dict]:
    usage = client.get("/hosts/unix/df/").context["usage"]
    return [
        {
            "Type": s.type,
            "TotalCount": str(s.total),
            "Active": str(s.active),
            "Size": s.size_text,
            "Reclaimable": s.reclaimable_text,
            "same": _same_size(s.size_text, s.size, row["Size"])
            and _same_size(s.reclaimable_text, s.reclaimable, row["Reclaimable"]),
        }
        for s, row in zip(usage.summary, shell, strict=True)
    ]


def test_anonymous_and_other_team(anonymous, outsider, unix_host):
    assert_asks_to_log_in(anonymous.get("/hosts/unix/df/"))
    assert outsider.get("/hosts/unix/df/").status_code == 404
    assert outsider.get("/hosts/unix/df/?format=json").status_code == 404


def test_the_numbers_match_the_engines_df(viewer, unix_host, fleet, images, make_container):
    """A viewer may look. Other test runs change the engine meanwhile: compare when the
    shell said the same before and after the page."""
    images.build("head -c 20000 /dev/zero > /f", tag=f"{images.unique('df')}:1")
    make_container(f"ct-img-{images.value}-df")
    for _ in range(10):
        before = _cli_df(fleet)
        page = _page_df(viewer, before)
        if _cli_df(fleet) == before:
            break
    counts = [{k: row[k] for k in ("Type", "TotalCount", "Active")} for row in page]
    assert counts == [{k: row[k] for k in ("Type", "TotalCount", "Active")} for row in before]
    assert all(row["same"] for row in page), (page, before)
    assert [row["Type"] for row in page] == ["Images", "Containers", "Local Volumes", "Build Cache"]

    text = viewer.get("/hosts/unix/df/").content.decode()
    for row in page:
        assert f"<td>{row['Type']}</td>" in text
        assert row["Size"] in text and row["Reclaimable"] in text


def test_verbose_detail_and_json(admin_client, unix_host, images, engine_api, make_container):
    image_id = images.build("head -c 20000 /dev/zero > /f", tag=f"{images.unique('dfv')}:1")
    name = f"ct-img-{images.value}-dfv"
    none = engine_api.create_host_config(network_mode="none")
    cid = engine_api.create_container(image_id, ["true"], name=name, host_config=none)["Id"]
    try:
        summary = admin_client.get("/hosts/unix/df/").content.decode()
        assert 'id="df-images"' not in summary

        text = admin_client.get("/hosts/unix/df/?v=1").content.decode()
        assert 'id="df-images"' in text and 'id="df-cache"' in text
        assert image_id[7:19] in text and name in text

        data = admin_client.get("/hosts/unix/df/?format=json").json()
        engine = engine_api.df()
        mine = next(i for i in data["images"] if i["id"] == image_id[7:19])
        raw = next(i for i in engine["Images"] if i["Id"] == image_id)
        assert (mine["size"], mine["shared_size"], mine["containers"]) == (
            raw["Size"],
            raw["SharedSize"],
            1,
        )
        assert mine["unique_size"] == raw["Size"] - raw["SharedSize"] >= 20000
        container = next(c for c in data["containers"] if c["name"] == name)
        assert container["id"] == cid[:12] and container["state"] == "created"
        assert {s["type"] for s in data["summary"]} == {
            "Images",
            "Containers",
            "Local Volumes",
            "Build Cache",
        }
    finally:
        engine_api.remove_container(cid, force=True)


def test_a_dead_engine_is_said_not_a_crash(admin_client, gone_host):
    response = admin_client.get("/hosts/gone/df/")
    assert response.status_code == 200 and "Unreachable" in response.content.decode()
    assert admin_client.get("/hosts/gone/df/?format=json").status_code == 502
