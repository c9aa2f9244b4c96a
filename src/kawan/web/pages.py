"""The public check page, `/check` (no login), rendered with Jinja2.

The language is `?lang=`, else the browser's `Accept-Language`, else English. The page
goes through the public API's guard (rate limit and daily quota per client address) and
its answer through the same `public_check`; errors are mapped to words and a status here.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from kawan.agencies import REGION
from kawan.api.errors import status_of
from kawan.api.public import DISPUTE, guard, public_world
from kawan.errors import InvalidInput, KawanError, RateLimited
from kawan.fraud.disputes import file_dispute
from kawan.fraud.public_check import public_check
from kawan.node import Node
from kawan.stix.timestamps import now_us
from kawan.web.i18n import LANGUAGES, choose, wait_text, words
from kawan.web.present import present

router = APIRouter(include_in_schema=False)
MAX_FORM = 10_000
_CREATE = threading.Lock()


def environment(app: FastAPI) -> Environment:
    """The app's Jinja2 environment (templates are package data), made on first use."""
    with _CREATE:
        found: Environment | None = getattr(app.state, "jinja", None)
        if found is None:
            found = Environment(
                loader=PackageLoader("kawan.web", "templates"),
                autoescape=select_autoescape(default=True),
            )
            app.state.jinja = found
        return found


def _render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    template = environment(request.app).get_template(name)
    lang = values["lang"]
    html = template.render(w=words(lang), languages=LANGUAGES, **values)
    headers = {"Content-Language": lang, "Cache-Control": "no-store"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _here(path: str, **params: str) -> str:
    """The page's URL without `lang`, ready for `lang=` to be appended."""
    kept = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(kept)}&" if kept else f"{path}?"


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def _error_words(exc: KawanError, lang: str) -> str:
    w = words(lang)
    if isinstance(exc, RateLimited):
        key = "error_quota" if "quota" in exc.details else "error_rate"
        return w[key].format(wait=wait_text(lang, exc.retry_after))
    return w["error_invalid"] if isinstance(exc, InvalidInput) else w["error_other"]


def _error_headers(exc: KawanError) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}


@router.get("/check", response_class=HTMLResponse)
def check_page(
    request: Request, value: str = "", country: str = "", lang: str | None = None
) -> Response:
    """The public check page: a form, and the verdict when a value was given."""
    language = choose(lang, request.headers.get("accept-language"))
    page: dict[str, Any] = {
        "lang": language, "value": value[:300], "country": country.upper()[:2],
        "countries": sorted(REGION.items(), key=lambda c: c[1]),
        "here": _here("/check", value=value[:300], country=country[:2]),
        "shown": None, "error": None, "checked": "",
    }  # fmt: skip
    if not value.strip():
        return _render(request, "check.html", **page)
    try:
        guard(request)
        node = _node(request)
        answer = public_check(node.engine, value, country=page["country"] or None,
                              threshold=node.settings.threshold,
                              world=public_world(request))  # fmt: skip
    except KawanError as exc:
        response = _render(request, "check.html", status_of(exc),
                           **{**page, "error": _error_words(exc, language)})  # fmt: skip
        response.headers.update(_error_headers(exc))
        return response
    shown = present(answer, language)
    return _render(request, "check.html", **{**page, "shown": shown, "checked": answer.value})


@router.get("/check/style.css")
def style() -> Response:
    css = resources.files("kawan.web").joinpath("static/check.css").read_text("utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/check/dispute", response_class=HTMLResponse)
def dispute_page(
    request: Request, value: str = "", country: str = "", lang: str | None = None
) -> Response:
    language = choose(lang, request.headers.get("accept-language"))
    return _render(request, "dispute.html", **_dispute_values(language, value, country))


def _dispute_values(lang: str, value: str, country: str) -> dict[str, Any]:
    return {
        "lang": lang, "value": value[:300], "country": country.upper()[:2], "done": False,
        "error": None, "here": _here("/check/dispute", value=value[:300], country=country[:2]),
    }  # fmt: skip


@router.post("/check/dispute", response_class=HTMLResponse)
async def dispute_form(request: Request, lang: str | None = None) -> Response:
    """The dispute form (application/x-www-form-urlencoded)."""
    language = choose(lang, request.headers.get("accept-language"))
    body = await request.body()
    return await run_in_threadpool(_file_from_form, request, language, body)


def _file_from_form(request: Request, language: str, body: bytes) -> Response:
    values = _dispute_values(language, "", "")
    try:
        form = _form(body)
        values = _dispute_values(language, form.get("value", ""), form.get("country", ""))
        guard(request, DISPUTE)
        node = _node(request)
        file_dispute(
            node.engine, form.get("value", ""), country=values["country"] or None,
            explanation=form.get("explanation", ""), contact=form.get("contact", ""),
            home=node.require_home().id, now_us=now_us(),
        )  # fmt: skip
    except KawanError as exc:
        response = _render(request, "dispute.html", status_of(exc),
                           **{**values, "error": _error_words(exc, language)})  # fmt: skip
        response.headers.update(_error_headers(exc))
        return response
    return _render(request, "dispute.html", 201, **{**values, "done": True})


def _form(body: bytes) -> dict[str, str]:
    if len(body) > MAX_FORM:
        raise InvalidInput("the form is too long", field="form")
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items() if v}
