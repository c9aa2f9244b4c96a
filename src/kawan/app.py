"""create_app(settings) -> the node's ASGI application. No globals: tests make their own."""

from __future__ import annotations

from fastapi import FastAPI

from kawan.api import errors as api_errors
from kawan.api.accounts import router as accounts_router
from kawan.api.fraud import router as fraud_router
from kawan.api.groups import router as groups_router
from kawan.api.identifiers import router as identifiers_router
from kawan.api.objects import router as objects_router
from kawan.api.public import router as public_router
from kawan.config import Settings
from kawan.node import Node
from kawan.taxii.routes import taxii_app
from kawan.web.pages import router as pages_router


def create_app(settings: Settings, node: Node | None = None) -> FastAPI:
    the_node = node or Node(settings)
    app = FastAPI(
        title="kawan node API",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.node = the_node
    api_errors.install(app)
    api_errors.install_openapi(app)

    @app.get("/healthz", tags=["node"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers. (It does not touch the database.)"""
        return {"status": "ok"}

    # Routes are tried one by one, in this order: the checks, the busiest, come first
    # (no two routers share a path, so the order changes nothing else).
    app.include_router(public_router)
    app.include_router(identifiers_router, prefix="/api/v1")
    app.include_router(objects_router, prefix="/api/v1")
    app.include_router(accounts_router, prefix="/api/v1")
    app.include_router(groups_router, prefix="/api/v1")
    app.include_router(fraud_router, prefix="/api/v1")
    app.include_router(pages_router)
    app.mount("/taxii2", taxii_app(the_node))
    return app
