"""A TAXII 2.1 client for sync (I/O): discovery, collections, a page of objects, a POST.

httpx with orjson on the raw bodies (no STIX parsing). Every request has a timeout; a
transport error, 429 or 5xx is retried with exponential backoff; anything else that is
not the answer TAXII promises raises `PeerError` naming the partner and the request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import orjson

from kawan.errors import PeerError

MT = "application/taxii+json;version=2.1"
RETRIED = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Remote:
    """A collection as the partner lists it."""

    id: str
    title: str
    can_read: bool
    can_write: bool


@dataclass(frozen=True)
class RemotePage:
    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    last_added: str | None  # X-TAXII-Date-Added-Last


@dataclass(frozen=True)
class Posted:
    success: int
    failure: int
    failures: list[str]


@dataclass
class Peer:
    """One partner's TAXII server. `url` is its discovery URL (…/taxii2/)."""

    url: str
    token: str
    user: str | None = None
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    verify: bool | str = True
    wait: Callable[[float], None] = time.sleep
    _client: httpx.Client | None = field(default=None, repr=False)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            auth = None if self.user is None else httpx.BasicAuth(self.user, self.token)
            headers = {"Accept": MT}
            if self.user is None:
                headers["Authorization"] = f"Bearer {self.token}"
            self._client = httpx.Client(
                auth=auth, headers=headers, timeout=self.timeout, verify=self.verify
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- resources ----------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return _mapping(self._json("GET", self.url), self.url)

    def api_root(self) -> str:
        """The default API root's URL, from discovery: its path on the scheme, host and
        port we were given (behind a TLS proxy a server may name itself http://…)."""
        found = self.discovery()
        root = found.get("default") or next(iter(found.get("api_roots") or []), None)
        if not isinstance(root, str):
            raise PeerError(f"{self.url} names no API root", field="default")
        path = urlsplit(urljoin(self.url, root)).path
        return urljoin(self.url, path if path.endswith("/") else path + "/")

    def collections(self, root: str) -> list[Remote]:
        url = root + "collections/"
        listed = _mapping(self._json("GET", url), url).get("collections") or []
        if not isinstance(listed, list):
            raise PeerError(f"{url}: 'collections' is not a list", field="collections")
        return [_remote(c, url) for c in listed]

    def page(
        self,
        root: str,
        cid: str,
        after: str | None,
        next_token: str | None,
        limit: int,
        types: str | None = None,
    ) -> RemotePage:
        url = f"{root}collections/{cid}/objects/"
        params = {"limit": str(limit), "match[version]": "all"}
        if types is not None:
            params["match[type]"] = types
        if after is not None:
            params["added_after"] = after
        if next_token is not None:
            params["next"] = next_token
        response = self._send("GET", url, params=params)
        body = _mapping(_parse(response, url), url)
        objs = body.get("objects") or []
        if not isinstance(objs, list) or not all(isinstance(o, dict) for o in objs):
            raise PeerError(f"{url}: 'objects' is not a list of objects", field="objects")
        more = body.get("more") is True
        token = body.get("next")
        last = response.headers.get("X-TAXII-Date-Added-Last")
        return RemotePage(objs, more, token if isinstance(token, str) else None, last)

    def post(self, root: str, cid: str, objs: list[bytes]) -> Posted:
        url = f"{root}collections/{cid}/objects/"
        body = b'{"objects":[' + b",".join(objs) + b"]}"
        response = self._send("POST", url, content=body, headers={"Content-Type": MT})
        status = _mapping(_parse(response, url), url)
        failures = status.get("failures") or []
        messages = [str(f.get("message", "")) for f in failures if isinstance(f, dict)]
        return Posted(_count(status, "success_count"), _count(status, "failure_count"), messages)

    # -- transport ----------------------------------------------------------------------

    def _json(self, method: str, url: str) -> Any:
        return _parse(self._send(method, url), url)

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                problem = f"{method} {url}: {type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRIED:
                    return _checked(response, method, url)
                problem = f"{method} {url}: HTTP {response.status_code}"
            if attempt < self.retries:
                self.wait(delay)
                delay *= 2
        raise PeerError(f"{problem} (after {self.retries + 1} attempts)")


def _checked(response: httpx.Response, method: str, url: str) -> httpx.Response:
    if response.status_code < 300:
        return response
    detail = response.text[:300].replace("\n", " ")
    raise PeerError(f"{method} {url}: HTTP {response.status_code}: {detail}")


def _parse(response: httpx.Response, url: str) -> Any:
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind.lower():  # TAXII answers application/taxii+json (or plain JSON)
        start = response.content[:80].decode("utf-8", "replace")
        raise PeerError(f"{url} answered {kind or 'no Content-Type'!s}, not TAXII JSON: {start!r}")
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        start = response.content[:80].decode("utf-8", "replace")
        raise PeerError(f"{url} answered something that is not JSON: {start!r}") from None


def _mapping(value: Any, url: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PeerError(f"{url} answered JSON that is not a TAXII resource")
    return value


def _remote(value: Any, url: str) -> Remote:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise PeerError(f"{url}: a collection without an id")
    return Remote(
        value["id"],
        str(value.get("title", "")),
        value.get("can_read") is True,
        value.get("can_write") is True,
    )


def _count(status: dict[str, Any], key: str) -> int:
    value = status.get(key, 0)
    return value if isinstance(value, int) else 0
