"""TAXII media types and content negotiation (pure)."""

from __future__ import annotations

TAXII = "application/taxii+json"
VERSION = "2.1"
MEDIA_TYPE = f"{TAXII};version={VERSION}"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
_WILDCARDS = ("*/*", "application/*")


def parse(text: str) -> tuple[str, dict[str, str]]:
    """`application/taxii+json; version=2.1` -> ("application/taxii+json", {"version": "2.1"}),
    lower-cased, whitespace around `;` and `=` tolerated."""
    kind, *params = text.split(";")
    found: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        found[name.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), found


def is_taxii(text: str) -> bool:
    """A TAXII 2.1 media type: version 2.1 or no version at all."""
    kind, params = parse(text)
    return kind == TAXII and params.get("version", VERSION) == VERSION


def acceptable(accept: str | None) -> bool:
    """May the answer (always `MEDIA_TYPE`) be sent to a client with this `Accept`?
    No header, a wildcard, or a TAXII 2.1 range (with or without version) will do."""
    if accept is None or not accept.strip():
        return True
    return any(_accepts(part) for part in accept.split(","))


def _accepts(media_range: str) -> bool:
    kind, params = parse(media_range)
    if params.get("q", "1").strip() in ("0", "0.0", "0.00", "0.000"):
        return False
    return kind in _WILDCARDS or is_taxii(media_range)
