"""The TAXII 2.1 endpoints, as a Starlette app that `kawan.app` mounts at `/taxii2`.

    /taxii2/                                                discovery
    /taxii2/api/                                            the API root
    /taxii2/api/collections/                                collections
    /taxii2/api/collections/{cid}/                          one collection
    /taxii2/api/collections/{cid}/objects/                  GET, POST
    /taxii2/api/collections/{cid}/objects/{oid}/            GET, DELETE
    /taxii2/api/collections/{cid}/objects/{oid}/versions/   versions
    /taxii2/api/collections/{cid}/manifest/                 manifest
    /taxii2/api/status/{sid}/                               status of a POST

Each request: credentials (401), `Accept` (406), then the endpoint, run in a worker
thread; a POST checks its `Content-Type` (415) and size (413) before its body is read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kawan.accounts.records import Principal
from kawan.api.auth import client_address
from kawan.audit.trail import record
from kawan.errors import NotFound, PermissionDenied
from kawan.node import Node
from kawan.sharing.groups import list_groups
from kawan.sharing.reads import Access
from kawan.stix.markings import Tlp
from kawan.store import collections
from kawan.store import taxii_status as statuses
from kawan.store.engine import reading, writing
from kawan.taxii import intake, media, query, resources, views
from kawan.taxii.auth import caller
from kawan.taxii.errors import HANDLERS, NotAcceptable, TooLarge, UnsupportedMediaType
from kawan.taxii.errors import taxii_response as respond
from kawan.taxii.reads import Page, every, holds, page

API_ROOT = "api"
MAX_CONTENT_LENGTH = 10 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    max_content_length: int = MAX_CONTENT_LENGTH


@dataclass
class Call:
    """One authenticated request, as the endpoints see it."""

    request: Request
    caller: Principal
    node: Node
    config: Config
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def access(self) -> Access:
        return Access(self.node.engine, self.caller.viewer)

    def view(self) -> views.View:
        cid = self.request.path_params["cid"]
        return views.find(self.caller, views.all_views(list_groups(self.node.engine)), cid)

    def object_id(self) -> str:
        return str(self.request.path_params["oid"])


Endpoint = Callable[[Call], Response]


def endpoint(work: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        node: Node = request.app.state.node
        config: Config = request.app.state.taxii
        who = await run_in_threadpool(caller, request, node.engine)
        if not media.acceptable(request.headers.get("accept")):
            raise NotAcceptable("this server answers application/taxii+json;version=2.1 only")
        body = await _body(request, config) if request.method == "POST" else b""
        call = Call(request, who, node, config, body, dict(request.query_params))
        return await run_in_threadpool(work, call)

    return run


async def _body(request: Request, config: Config) -> bytes:
    kind = request.headers.get("content-type", "")
    if not media.is_taxii(kind):
        raise UnsupportedMediaType(f"POST a TAXII envelope as {media.MEDIA_TYPE}, not {kind!r}")
    cap = config.max_content_length
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"the body is {declared} bytes; this API root takes {cap} at most")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"the body is over {cap} bytes, this API root's max_content_length")
        chunks.append(chunk)
    return b"".join(chunks)


# ---- server, API root, collections, status ------------------------------------------------


def get_discovery(call: Call) -> Response:
    here = str(call.request.url.replace(query=""))
    root = here.rstrip("/") + f"/{API_ROOT}/"
    return respond(resources.discovery(call.node.require_home().name, root))


def get_api_root(call: Call) -> Response:
    home = call.node.require_home().name
    return respond(resources.api_root(home, call.config.max_content_length))


def get_collections(call: Call) -> Response:
    shown = views.listed(call.caller, views.all_views(list_groups(call.node.engine)))
    return respond({"collections": [resources.collection(v, call.caller) for v in shown]})


def get_collection(call: Call) -> Response:
    return respond(resources.collection(call.view(), call.caller))


def get_status(call: Call) -> Response:
    sid = call.request.path_params["sid"]
    with reading(call.node.engine) as conn:
        found = statuses.load(conn, sid)
    if found is None or (found.owner != call.caller.actor and call.caller.role != "admin"):
        raise NotFound(f"no status {sid!r}", field="status")
    return respond(resources.status(found))


# ---- objects, manifest, versions ----------------------------------------------------------


def _readable(call: Call) -> views.View:
    view = call.view()
    if not views.can_read(call.caller, view):
        raise PermissionDenied(f"you may not read the collection {view.title!r}")
    return view


Render = Callable[[list[collections.Entry], bool, str | None], bytes]


def _paged(call: Call, scope: str, filters: query.Filters, render: Render) -> Response:
    view = _readable(call)
    digest = filters.digest(f"{scope} {view.id}")
    found: Page = page(call.access, view.id, filters, query.paging(call.params, digest))
    _audit_sensitive(call, scope, found.entries)
    token = None
    if found.more and found.position is not None:
        token = query.next_token(found.position, digest)
    return respond(
        render(found.entries, found.more, token), headers=resources.date_headers(found.entries)
    )


def _audit_sensitive(call: Call, scope: str, entries: list[collections.Entry]) -> None:
    """Reads of AMBER+STRICT and RED versions go into the audit trail (manifests too:
    they say the object exists)."""
    sensitive = sorted({e.version.id for e in entries if e.version.marking.tlp >= Tlp.AMBER_STRICT})
    if sensitive:
        record(
            call.node.engine,
            actor=call.caller.actor,
            action="taxii.read",
            target=scope,
            source=client_address(call.request),
            detail={"objects": sensitive[:50], "count": len(sensitive)},
        )


def get_objects(call: Call) -> Response:
    return _paged(call, "objects", query.filters(call.params), resources.envelope)


def get_manifest(call: Call) -> Response:
    return _paged(call, "manifest", query.filters(call.params), resources.manifest)


def _one_object(call: Call, versions: query.VersionMatch, *, fixed: bool = False) -> query.Filters:
    """The filters of an object's endpoint: its id; `match[version]` unless `fixed`."""
    given = query.filters(call.params, versions)
    return query.Filters(
        given.added_after,
        (call.object_id(),),
        (),
        versions if fixed else given.versions,
        given.spec_versions,
    )


def _known(call: Call, view: views.View) -> None:
    if not holds(call.access, view.id, call.object_id()):
        raise NotFound(
            f"no object {call.object_id()} in this collection", object_id=call.object_id()
        )


def get_object(call: Call) -> Response:
    _known(call, _readable(call))
    filters = _one_object(call, query.VersionMatch())
    return _paged(call, f"object {call.object_id()}", filters, resources.envelope)


def get_versions(call: Call) -> Response:
    _known(call, _readable(call))
    filters = _one_object(call, query.ALL_VERSIONS, fixed=True)
    return _paged(call, f"versions {call.object_id()}", filters, resources.versions)


def delete_object(call: Call) -> Response:
    """Take the matching versions out of the collection; the node keeps the objects.
    Without `match[version]`, every version the caller may see goes."""
    view = _readable(call)
    if not views.can_write(call.caller, view):
        raise PermissionDenied(f"you may not take objects out of the collection {view.title!r}")
    _known(call, view)
    found = every(call.access, view.id, _one_object(call, query.ALL_VERSIONS))
    if not found:
        raise NotFound(f"no version of {call.object_id()} matches", object_id=call.object_id())
    _may_delete(call.caller, found)
    with writing(call.node.engine) as conn:
        collections.remove(conn, view.id, [e.version.date_added for e in found])
    return respond(b"")


def _may_delete(who: Principal, found: list[collections.Entry]) -> None:
    """A partner may take out only versions that came from it."""
    if who.is_partner and any(e.version.origin != who.viewer.agency_id for e in found):
        raise PermissionDenied("a partner may delete only the versions it sent")


def post_objects(call: Call) -> Response:
    view = _readable(call)
    if not views.can_write(call.caller, view):
        raise PermissionDenied(f"you may not add objects to the collection {view.title!r}")
    objects = intake.parse_envelope(call.body)
    home = call.node.require_home().id
    status = intake.add_objects(call.node.engine, call.caller, home, objects)
    return respond(resources.status(status), 202)


# ---- the app -------------------------------------------------------------------------------

_C = f"/{API_ROOT}/collections/{{cid}}"
ROUTES: list[tuple[str, Endpoint, list[str]]] = [
    ("/", get_discovery, ["GET"]),
    (f"/{API_ROOT}/", get_api_root, ["GET"]),
    (f"/{API_ROOT}/collections/", get_collections, ["GET"]),
    (f"{_C}/", get_collection, ["GET"]),
    (f"{_C}/objects/", get_objects, ["GET"]),
    (f"{_C}/objects/", post_objects, ["POST"]),
    (f"{_C}/objects/{{oid}}/", get_object, ["GET"]),
    (f"{_C}/objects/{{oid}}/", delete_object, ["DELETE"]),
    (f"{_C}/objects/{{oid}}/versions/", get_versions, ["GET"]),
    (f"{_C}/manifest/", get_manifest, ["GET"]),
    (f"/{API_ROOT}/status/{{sid}}/", get_status, ["GET"]),
]


def _dispatch(by_method: dict[str, Endpoint]) -> Endpoint:
    def work(call: Call) -> Response:
        method = call.request.method
        return by_method["GET" if method == "HEAD" else method](call)

    return work


def taxii_app(node: Node, config: Config | None = None) -> Starlette:
    """The TAXII server of one node; mount it at `/taxii2`."""
    grouped: dict[str, dict[str, Endpoint]] = {}
    for path, work, methods in ROUTES:
        for method in methods:
            grouped.setdefault(path, {})[method] = work
    routes = [
        Route(path, endpoint(_dispatch(by_method)), methods=list(by_method))
        for path, by_method in grouped.items()
    ]
    app = Starlette(routes=routes, exception_handlers=dict[Any, Any](HANDLERS))
    app.router.redirect_slashes = False
    app.state.node = node
    app.state.taxii = config or Config()
    return app
