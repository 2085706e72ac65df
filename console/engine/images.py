"""`docker images`, `image inspect` with `history`, `rmi`, `image prune` and `tag`, as
plain data."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from console.engine.client import client_for, translate
from console.engine.errors import EngineError
from console.engine.masking import masked_build_args, masked_build_cmd
from console.engine.text import bounded, parse_timestamp

NONE = "<none>"
# The page shows at most this much of an image's inspect JSON.
MAX_INSPECT_JSON = 1024 * 1024


def short_id(image_id: str) -> str:
    """The 12 hex digits `docker images` shows."""
    return image_id.removeprefix("sha256:")[:12]


def split_tag(repo_tag: str) -> tuple[str, str]:
    """ "127.0.0.1:5000/a/b:v1" -> ("127.0.0.1:5000/a/b", "v1"); engines always give a tag."""
    repository, _, tag = repo_tag.rpartition(":")
    if not repository or "/" in tag:
        return repo_tag, NONE
    return repository, tag


def _real(names: list | None, none: str) -> list[str]:
    """Names without the engine's "<none>:<none>" / "<none>@<none>" placeholders."""
    return [bounded(n, 500) for n in names or [] if n != none]


@dataclass(frozen=True)
class ImageRow:
    """One line of `docker images`: an image under one of its tags (an untagged one once)."""

    id: str
    short_id: str
    repository: str
    tag: str
    digest: str
    created: datetime | None
    size: int
    containers: int  # containers (any state) made from exactly this image
    labels: dict[str, str]
    dangling: bool
    # Filled by list_images(platform_details=True) (Windows hosts), from the image's
    # inspect: "windows/amd64 10.0.20348.2582".
    platform: str = ""


@dataclass(frozen=True)
class ImageListing:
    rows: list[ImageRow]

    def ids(self, full: bool = False) -> list[str]:
        """`docker images -q`: each image once, in list order."""
        seen = dict.fromkeys(r.id if full else r.short_id for r in self.rows)
        return list(seen)


def _containers_per_image(api) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in api.containers(all=True):
        image_id = c.get("ImageID") or ""
        counts[image_id] = counts.get(image_id, 0) + 1
    return counts


def _rows(image: dict, containers: int) -> list[ImageRow]:
    tags = _real(image.get("RepoTags"), f"{NONE}:{NONE}")
    digests = _real(image.get("RepoDigests"), f"{NONE}@{NONE}")
    image_id = str(image.get("Id", ""))
    common = {
        "id": image_id,
        "short_id": short_id(image_id),
        "created": parse_timestamp(image.get("Created")),
        "size": int(image.get("Size") or 0),
        "containers": containers,
        "labels": {bounded(k, 300): bounded(v) for k, v in (image.get("Labels") or {}).items()},
        "dangling": not tags,
    }
    if not tags:
        # Like the CLI: an untagged image pulled by digest still shows its repository.
        repository, _, digest = digests[0].partition("@") if digests else (NONE, "", "")
        return [ImageRow(repository=repository, tag=NONE, digest=digest or NONE, **common)]
    by_repository = {d.partition("@")[0]: d.partition("@")[2] for d in digests}
    rows = []
    for repo_tag in tags:
        repository, tag = split_tag(repo_tag)
        digest = by_repository.get(repository, NONE)
        rows.append(ImageRow(repository=repository, tag=tag, digest=digest, **common))
    return rows


def image_platform_text(image: dict) -> str:
    """ "windows/amd64 10.0.20348.2582" from an image inspect (Os, Architecture,
    Variant, OsVersion); "" when the engine says nothing."""
    parts = [str(image.get(k) or "") for k in ("Os", "Architecture", "Variant")]
    text = "/".join(p for p in parts if p)
    if version := str(image.get("OsVersion") or ""):
        text += f" {version}"
    return bounded(text, 200)


def image_platforms(api, image_ids: set[str], pool: ThreadPoolExecutor) -> dict[str, str]:
    """`image_platform_text` of each image, one inspect per image on `pool`; "" for an
    image that is gone (or unreadable) meanwhile."""

    def one(image_id: str) -> str:
        try:
            with translate():
                return image_platform_text(api.inspect_image(image_id))
        except EngineError:
            return ""

    ids = sorted(image_ids)
    return dict(zip(ids, pool.map(one, ids), strict=True))


def list_images(
    host,
    *,
    all: bool = False,
    filters: dict[str, list[str]] | None = None,
    platform_details: bool = False,
) -> ImageListing:
    """`docker images [-a] [-f dangling=… -f label=… -f reference=…]`, newest first, with
    how many containers use each image.

    `platform_details` (for Windows hosts, where the image's OS version must match the
    host's build for process isolation) adds each image's OS/architecture/OS version;
    the list answer carries none of them, so that costs one inspect per image."""
    api = client_for(host)
    with translate():
        images = api.images(all=all, filters=filters or None)
        counts = _containers_per_image(api)
    rows = [row for image in images for row in _rows(image, counts.get(image.get("Id"), 0))]
    if platform_details and rows:
        ids = {r.id for r in rows if r.id}
        with ThreadPoolExecutor(max_workers=min(len(ids), 8)) as pool:
            platforms = image_platforms(api, ids, pool)
        rows = [replace(r, platform=platforms.get(r.id, "")) for r in rows]
    rows.sort(key=lambda r: (r.repository, r.tag))
    rows.sort(key=lambda r: r.created.timestamp() if r.created else 0, reverse=True)
    return ImageListing(rows)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of `docker history`: the step that made a layer."""

    id: str  # "<missing>" for steps of images built elsewhere
    created: datetime | None
    created_by: str
    size: int
    comment: str
    tags: list[str]

    @property
    def empty(self) -> bool:
        """A step that only changed the configuration (ENV, CMD, …)."""
        return self.size == 0


@dataclass(frozen=True)
class ImageConfig:
    env: list[str]
    entrypoint: list[str] | None
    cmd: list[str] | None
    exposed_ports: list[str]
    labels: dict[str, str]
    working_dir: str
    user: str
    volumes: list[str]
    stop_signal: str


@dataclass(frozen=True)
class ImageUser:
    """A container made from the image."""

    id: str
    name: str
    state: str


@dataclass(frozen=True)
class ImageDetail:
    id: str
    short_id: str
    tags: list[str]
    digests: list[str]
    created: datetime | None
    size: int
    os: str
    architecture: str
    variant: str
    os_version: str  # Windows images: the Windows build, e.g. "10.0.20348.2582"
    author: str
    comment: str
    docker_version: str
    parent: str
    layers: list[str]  # the root filesystem's layer digests, bottom first
    config: ImageConfig
    history: list[HistoryEntry]
    containers: list[ImageUser]
    inspect_json: str
    inspect_truncated: bool = False

    @property
    def dangling(self) -> bool:
        return not self.tags


def _strings(values, limit: int = 4096) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [bounded(v, limit) for v in values]


def _config(config: dict | None) -> ImageConfig:
    config = config or {}
    return ImageConfig(
        env=_strings(config.get("Env")) or [],
        entrypoint=_strings(config.get("Entrypoint")),
        cmd=_strings(config.get("Cmd")),
        exposed_ports=sorted(bounded(p, 100) for p in config.get("ExposedPorts") or {}),
        labels={bounded(k, 300): bounded(v) for k, v in (config.get("Labels") or {}).items()},
        working_dir=bounded(config.get("WorkingDir"), 1000),
        user=bounded(config.get("User"), 300),
        volumes=sorted(bounded(v, 1000) for v in config.get("Volumes") or {}),
        stop_signal=bounded(config.get("StopSignal"), 50),
    )


def _history(entries: list[dict], reveal: bool) -> list[HistoryEntry]:
    def created_by(entry: dict) -> str:
        text = str(entry.get("CreatedBy") or "")
        return bounded(text if reveal else masked_build_args(text))

    return [
        HistoryEntry(
            id=bounded(e.get("Id"), 100) or "<missing>",
            created=parse_timestamp(e.get("Created")),
            created_by=created_by(e),
            size=int(e.get("Size") or 0),
            comment=bounded(e.get("Comment"), 1000),
            tags=_real(e.get("Tags"), f"{NONE}:{NONE}"),
        )
        for e in entries or []
    ]


def _users(api, image_id: str) -> list[ImageUser]:
    users = []
    for c in api.containers(all=True, filters={"ancestor": image_id}):
        if c.get("ImageID") != image_id:
            continue  # a container of an image built on this one
        names = c.get("Names") or []
        users.append(
            ImageUser(
                id=c["Id"],
                name=bounded(names[0].lstrip("/") if names else c["Id"][:12], 300),
                state=str(c.get("State", "")),
            )
        )
    return users


def _masked(raw: dict) -> dict:
    """The inspect answer with the build argument values its last step recorded masked
    (the classic builder keeps that step's command in ContainerConfig.Cmd)."""
    container_config = raw.get("ContainerConfig") or {}
    cmd = masked_build_cmd(container_config.get("Cmd"))
    if cmd == container_config.get("Cmd"):
        return raw
    return raw | {"ContainerConfig": container_config | {"Cmd": cmd}}


def inspect_image(host, ref: str, *, reveal: bool = False) -> ImageDetail:
    """`docker image inspect` with `docker history` and the containers made from it;
    build argument values (in the history and the JSON) masked unless `reveal`."""
    api = client_for(host)
    with translate():
        raw = api.inspect_image(ref)
        image_id = str(raw.get("Id", ""))
        history = api.history(image_id)
        users = _users(api, image_id)
    if not reveal:
        raw = _masked(raw)
    text = json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False)
    return ImageDetail(
        id=image_id,
        short_id=short_id(image_id),
        tags=_real(raw.get("RepoTags"), f"{NONE}:{NONE}"),
        digests=_real(raw.get("RepoDigests"), f"{NONE}@{NONE}"),
        created=parse_timestamp(raw.get("Created")),
        size=int(raw.get("Size") or 0),
        os=bounded(raw.get("Os"), 100),
        architecture=bounded(raw.get("Architecture"), 100),
        variant=bounded(raw.get("Variant"), 100),
        os_version=bounded(raw.get("OsVersion"), 100),
        author=bounded(raw.get("Author"), 1000),
        comment=bounded(raw.get("Comment"), 1000),
        docker_version=bounded(raw.get("DockerVersion"), 100),
        parent=bounded(raw.get("Parent"), 100),
        layers=_strings((raw.get("RootFS") or {}).get("Layers") or [], 100) or [],
        config=_config(raw.get("Config")),
        history=_history(history, reveal),
        containers=users,
        inspect_json=bounded(text, MAX_INSPECT_JSON),
        inspect_truncated=len(text) > MAX_INSPECT_JSON,
    )


def remove_image(host, ref: str, *, force: bool = False, noprune: bool = False) -> list[str]:
    """`docker rmi [-f] [--no-prune] REF`; the engine's "Untagged: …" / "Deleted: …" lines.
    An image in use is refused by the engine (Conflict) unless forced."""
    api = client_for(host)
    with translate():
        result = api.remove_image(ref, force=force, noprune=noprune)
    return [
        f"{key}: {bounded(item[key], 500)}"
        for item in result or []
        for key in ("Untagged", "Deleted")
        if item.get(key)
    ]


@dataclass(frozen=True)
class ImagePruneResult:
    deleted: list[str]  # image and layer ids
    untagged: list[str]
    reclaimed: int  # bytes


def prune_images(host, *, label: str = "", all_unused: bool = False) -> ImagePruneResult:
    """`docker image prune [-a] [--filter label=…]`: dangling images, or with `all_unused`
    every image no container uses."""
    filters = {"dangling": ["false" if all_unused else "true"]}
    if label:
        filters["label"] = [label]
    api = client_for(host)
    with translate():
        result = api.prune_images(filters=filters)
    items = result.get("ImagesDeleted") or []
    return ImagePruneResult(
        deleted=[bounded(i["Deleted"], 200) for i in items if i.get("Deleted")],
        untagged=[bounded(i["Untagged"], 500) for i in items if i.get("Untagged")],
        reclaimed=int(result.get("SpaceReclaimed") or 0),
    )


def tag_image(host, ref: str, repository: str, tag: str) -> None:
    """`docker tag REF REPOSITORY:TAG` (an existing tag of that name moves to this image)."""
    api = client_for(host)
    with translate():
        if not api.tag(ref, repository, tag or "latest"):
            raise EngineError(f"The engine did not tag {ref} as {repository}:{tag}.")
