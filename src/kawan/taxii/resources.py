"""The JSON bodies of TAXII's resources (pure). Object envelopes are assembled from the
stored canonical JSON without parsing it again."""

from __future__ import annotations

from typing import Any

import orjson

from kawan.accounts.records import Principal
from kawan.stix.timestamps import format_us
from kawan.store.collections import Entry
from kawan.store.taxii_status import StatusRow
from kawan.taxii.choose import version_text
from kawan.taxii.media import MEDIA_TYPE, STIX_MEDIA_TYPE
from kawan.taxii.views import View, can_read, can_write

TITLE = "kawan TAXII server"


def discovery(home_name: str, api_root_url: str) -> dict[str, Any]:
    return {
        "title": TITLE,
        "description": f"The TAXII 2.1 server of the kawan node of {home_name}.",
        "contact": home_name,
        "default": api_root_url,
        "api_roots": [api_root_url],
    }


def api_root(home_name: str, max_content_length: int) -> dict[str, Any]:
    return {
        "title": f"{home_name}: shared threat and fraud information",
        "description": "Collections: the community (TLP:CLEAR and TLP:GREEN) and one per "
        "sharing group (TLP:AMBER, TLP:AMBER+STRICT).",
        "versions": [MEDIA_TYPE],
        "max_content_length": max_content_length,
    }


def collection(view: View, caller: Principal) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "description": view.description,
        "alias": view.alias,
        "can_read": can_read(caller, view),
        "can_write": can_write(caller, view),
        "media_types": [STIX_MEDIA_TYPE],
    }


def _paged_head(more: bool, next_token: str | None) -> bytes:
    head: dict[str, Any] = {"more": more}
    if next_token is not None:
        head["next"] = next_token
    return orjson.dumps(head)[:-1]  # without the closing brace: a list follows


def envelope(entries: list[Entry], more: bool, next_token: str | None) -> bytes:
    """`{"more":…, "next":…, "objects":[…]}`, the objects as stored."""
    objects = b",".join(e.version.json.encode() for e in entries)
    return _paged_head(more, next_token) + b',"objects":[' + objects + b"]}"


def manifest(entries: list[Entry], more: bool, next_token: str | None) -> bytes:
    records = orjson.dumps([manifest_record(e) for e in entries])
    return _paged_head(more, next_token) + b',"objects":' + records + b"}"


def manifest_record(entry: Entry) -> dict[str, str]:
    return {
        "id": entry.version.id,
        "date_added": format_us(entry.entered),
        "version": version_text(entry.version),
        "media_type": STIX_MEDIA_TYPE,
    }


def versions(entries: list[Entry], more: bool, next_token: str | None) -> bytes:
    listed = orjson.dumps([version_text(e.version) for e in entries])
    return _paged_head(more, next_token) + b',"versions":' + listed + b"}"


def status(row: StatusRow) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": row.status_id,
        "status": "pending" if row.pending_count else "complete",
        "request_timestamp": format_us(row.request_timestamp),
        "total_count": row.total_count,
        "success_count": row.success_count,
        "failure_count": row.failure_count,
        "pending_count": row.pending_count,
    }
    for key in ("successes", "failures", "pendings"):
        if row.details.get(key):
            body[key] = row.details[key]
    return body


def date_headers(entries: list[Entry]) -> dict[str, str]:
    """`X-TAXII-Date-Added-First` / `-Last`: of the records in this answer."""
    if not entries:
        return {}
    return {
        "X-TAXII-Date-Added-First": format_us(entries[0].entered),
        "X-TAXII-Date-Added-Last": format_us(entries[-1].entered),
    }
