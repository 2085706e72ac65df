"""Registries: the credentials an engine is lent for pull and push,
Docker Hub search through an engine, and the v2 HTTP API of private registries
(`/v2/_catalog`, `/v2/<name>/tags/list`) which the engine's search does not speak.

Everything a registry answers is untrusted: sizes are bounded, pages are capped.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from docker import auth

from console.engine import errors
from console.engine.client import client_for, translate
from console.engine.text import bounded

HUB = "docker.io"
# The v2 API caps; a catalog of more is cut (and says so).
PAGE_SIZE = 100
MAX_REPOSITORIES = 1000
MAX_TAGS = 1000
MAX_TAGGED_REPOSITORIES = 25  # search lists tags for this many matching repositories


# --- credentials lent to an engine ----------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    server: str = ""

    def header(self) -> bytes:
        """X-Registry-Auth for pull and push."""
        return auth.encode_header(
            {"username": self.username, "password": self.password, "serveraddress": self.server}
        )


def registry_auth_header(credentials: Credentials | None) -> bytes:
    # Anonymous: registry logins of the console's own machine are never lent out.
    return credentials.header() if credentials else auth.encode_header({})


# --- Docker Hub search, through an engine ---------------------------------------------------


@dataclass(frozen=True)
class HubResult:
    name: str
    description: str
    stars: int
    official: bool
    automated: bool


class HubUnreachable(errors.EngineError):
    title = "Docker Hub unreachable"


# The engine's words when it cannot get to the index (DNS, refused, timeouts, proxies).
_NETWORK_WORDS = (
    "dial tcp",
    "no such host",
    "lookup ",
    "i/o timeout",
    "connection refused",
    "network is unreachable",
    "timeout",
    "tls handshake",
    "proxyconnect",
)


def search_hub(
    host, term: str, *, limit: int = 25, official: bool = False, min_stars: int = 0
) -> list[HubResult]:
    """`docker search TERM --limit N --filter is-official=true --filter stars=N`."""
    filters: dict[str, list[str]] = {}
    if official:
        filters["is-official"] = ["true"]
    if min_stars:
        filters["stars"] = [str(min_stars)]
    params: dict[str, object] = {"term": term, "limit": max(1, min(limit, 100))}
    if filters:
        params["filters"] = json.dumps(filters)
    api = client_for(host)
    try:
        with translate():
            rows = api._result(api._get(api._url("/images/search"), params=params), True)
    except errors.EngineError as exc:
        if isinstance(exc, errors.CONNECTION_ERRORS) or not any(
            word in exc.message.lower() for word in _NETWORK_WORDS
        ):
            raise
        raise HubUnreachable(
            f"The engine on {host.name} cannot reach Docker Hub: {bounded(exc.message, 500)}"
        ) from exc
    return [
        HubResult(
            name=bounded(row.get("name"), 255),
            description=bounded(row.get("description"), 500),
            stars=int(row.get("star_count") or 0),
            official=bool(row.get("is_official")),
            automated=bool(row.get("is_automated")),
        )
        for row in rows[:100]
        if isinstance(row, dict)
    ]


# --- the v2 API of a registry ---------------------------------------------------------------


class RegistryAuthFailure(errors.AuthFailure):
    title = "Registry refused the credentials"


_CHALLENGE_RE = re.compile(r'(\w+)="([^"]*)"')
_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(_CHALLENGE_RE.findall(rest))


class RegistryClient:
    """GETs against one registry's v2 API, answering Basic and Bearer challenges."""

    def __init__(self, base_url: str, credentials: Credentials | None = None, timeout=None):
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = settings.CONSOLE_ENGINE_TIMEOUT if timeout is None else timeout
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or CA bundles from the environment
        self._authorization: str | None = None

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _send(self, url: str, authorization: str | None) -> requests.Response:
        headers = {"Accept": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        try:
            return self.session.get(url, headers=headers, timeout=self.timeout)
        except requests.exceptions.Timeout as exc:
            raise errors.HostTimeout(
                f"The registry at {self.base_url} did not answer in time."
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise errors.HostUnreachable(
                f"Cannot reach the registry at {self.base_url}: {bounded(exc, 300)}"
            ) from exc

    def _authorize(self, header: str) -> str:
        scheme, params = _challenge(header)
        if scheme == "basic":
            if not self.credentials:
                raise RegistryAuthFailure(
                    f"The registry at {self.base_url} needs a username and password."
                )
            pair = f"{self.credentials.username}:{self.credentials.password}".encode()
            return "Basic " + base64.b64encode(pair).decode()
        if scheme == "bearer" and params.get("realm"):
            return "Bearer " + self._token(params)
        raise RegistryAuthFailure(
            f"The registry at {self.base_url} asks for {bounded(scheme, 40)} authentication, "
            "which the console does not speak."
        )

    def _token(self, params: dict[str, str]) -> str:
        realm = params["realm"]
        if urlsplit(realm).scheme not in ("http", "https"):
            raise RegistryAuthFailure(f"The registry named an unusable token service: {realm}")
        query = {k: v for k, v in params.items() if k in ("service", "scope")}
        basic = (self.credentials.username, self.credentials.password) if self.credentials else None
        try:
            response = self.session.get(realm, params=query, auth=basic, timeout=self.timeout)
        except requests.exceptions.RequestException as exc:
            raise errors.HostUnreachable(
                f"Cannot reach the token service {bounded(realm, 200)}: {bounded(exc, 300)}"
            ) from exc
        if response.status_code in (401, 403):
            raise RegistryAuthFailure(
                f"The token service of {self.base_url} refused the credentials."
            )
        try:
            body = response.json()
            token = body.get("token") or body.get("access_token")
        except ValueError:
            token = None
        if response.status_code != 200 or not token:
            raise RegistryAuthFailure(
                f"The token service of {self.base_url} gave no token (HTTP {response.status_code})."
            )
        return str(token)

    def get(self, path_or_url: str) -> requests.Response:
        url = urljoin(self.base_url + "/", path_or_url)
        response = self._send(url, self._authorization)
        if response.status_code == 401:
            header = response.headers.get("WWW-Authenticate", "")
            self._authorization = self._authorize(header)
            response = self._send(url, self._authorization)
            if response.status_code == 401:
                raise RegistryAuthFailure(
                    f"The registry at {self.base_url} refused the credentials."
                )
        if response.status_code >= 400:
            message = _error_message(response)
            if response.status_code == 404:
                raise errors.NotFound(message)
            if response.status_code == 403:
                raise errors.EnginePermissionDenied(message)
            raise errors.EngineError(message)
        return response

    def paged(self, path: str, key: str, limit: int) -> tuple[list[str], bool]:
        """Every item of a paginated list (`n`/`last`, Link rel=next), up to `limit`;
        and whether there were more than that."""
        items: list[str] = []
        url: str | None = f"{path}?n={PAGE_SIZE}"
        while url:
            response = self.get(url)
            try:
                page = response.json().get(key) or []
            except (ValueError, AttributeError):
                raise errors.EngineError(
                    f"The registry at {self.base_url} answered something that is not JSON."
                ) from None
            page = [bounded(item, 255) for item in page if isinstance(item, str)]
            items.extend(page)
            if len(items) >= limit:
                return items[:limit], True
            url = None
            if match := _NEXT_RE.search(response.headers.get("Link", "")):
                url = match.group(1)
            elif len(page) == PAGE_SIZE:  # a full page and no Link: ask past the last one
                url = f"{path}?n={PAGE_SIZE}&last={page[-1]}"
        return items, False

    def catalog(self, limit: int = MAX_REPOSITORIES) -> tuple[list[str], bool]:
        return self.paged("/v2/_catalog", "repositories", limit)

    def tags(self, repository: str, limit: int = MAX_TAGS) -> tuple[list[str], bool]:
        return self.paged(f"/v2/{repository}/tags/list", "tags", limit)


def _error_message(response: requests.Response) -> str:
    try:
        found = response.json().get("errors") or []
        text = "; ".join(str(e.get("message") or e.get("code")) for e in found[:3])
    except (ValueError, AttributeError):
        text = ""
    return bounded(text or f"HTTP {response.status_code} {response.reason}", 500)


@dataclass(frozen=True)
class RepositoryTags:
    name: str
    tags: list[str]
    more_tags: bool = False
    error: str = ""


@dataclass(frozen=True)
class CatalogSearch:
    repositories: list[RepositoryTags]
    matched: int  # how many repositories matched, tags listed for the first few
    more_repositories: bool  # the catalog was longer than the console reads


def search_catalog(base_url: str, credentials: Credentials | None, term: str) -> CatalogSearch:
    """Repositories of the registry whose name contains `term`, with their tags."""
    with RegistryClient(base_url, credentials) as client:
        names, more = client.catalog()
        needle = term.strip().lower()
        matched = [n for n in names if needle in n.lower()]
        rows = []
        for name in matched[:MAX_TAGGED_REPOSITORIES]:
            try:
                tags, more_tags = client.tags(name)
                rows.append(RepositoryTags(name, sorted(tags), more_tags))
            except errors.EngineError as exc:
                rows.append(RepositoryTags(name, [], error=exc.message))
        rows.extend(RepositoryTags(name, []) for name in matched[MAX_TAGGED_REPOSITORIES:])
    return CatalogSearch(rows, len(matched), more)
