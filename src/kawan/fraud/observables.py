"""Identifiers as STIX 2.1 observables (SCOs), and observable-index keys of any SCO.

kawan's own SCO types (`kawan-sender-id`, `kawan-bank-account`, `kawan-e-wallet`,
`kawan-messenger-handle`, `kawan-ussd-code`) are defined by the STIX extension-definitions
in `data/extension-definitions.json`; each such SCO names its definition in `extensions`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from kawan.errors import InvalidInput
from kawan.fraud.identifiers import normalise
from kawan.fraud.kinds import KINDS, Identifier
from kawan.stix.ids import sco_id

KAWAN_IDENTITY = "identity--bcd06648-778d-42e3-afc4-910123bc833a"
EXTENSIONS: dict[str, str] = {
    "kawan-sender-id": "extension-definition--b768dcad-1924-4d45-acb4-18d54e688df6",
    "kawan-bank-account": "extension-definition--8b0acaf9-5fef-44d1-bc68-9931702a0468",
    "kawan-e-wallet": "extension-definition--85176264-9055-45aa-8dbb-3a1e1c3e65d1",
    "kawan-messenger-handle": "extension-definition--8c321308-8f96-4cf7-bcda-c4e5e66152a7",
    "kawan-ussd-code": "extension-definition--dfc25d36-9055-4f8d-8af1-61e70a2df25b",
}
TYPE_KINDS: dict[str, str] = {stix_type: kind for kind, stix_type in KINDS.items()}
# Types whose fallback key (a value that does not normalise) is lower-cased.
CASE_INSENSITIVE = frozenset(
    {"domain-name", "email-addr", "hostname", "ipv6-addr", "mac-addr", "file",
     "kawan-sender-id"}
)  # fmt: skip
PATH_KINDS: dict[str, str] = {
    "domain-name:value": "domain",
    "url:value": "url",
    "email-addr:value": "email",
    "email-message:from_ref.value": "email",
    "email-message:sender_ref.value": "email",
    "email-message:to_refs[*].value": "email",
    "email-message:cc_refs[*].value": "email",
    "email-message:bcc_refs[*].value": "email",
    "ipv4-addr:value": "ipv4",
    "ipv6-addr:value": "ipv6",
    "network-traffic:src_ref.value": "ip",
    "network-traffic:dst_ref.value": "ip",
    "domain-name:resolves_to_refs[*].value": "ip",
    **{f"{stix_type}:value": kind for kind, stix_type in KINDS.items() if kind != "hash"},
}
KEY_CACHE = 1 << 16  # distinct (kind, value) pairs remembered
_HASH_PATH = re.compile(r"""^file:hashes\.(?:'([^']+)'|"([^"]+)"|([A-Za-z0-9_-]+))$""")


def extension_definitions() -> list[dict[str, Any]]:
    """The kawan identity and extension-definition objects (package data, read lazily)."""
    return [dict(obj) for obj in _definitions_bundle()["objects"]]


@functools.cache
def _definitions_bundle() -> dict[str, Any]:
    path = resources.files("kawan.fraud").joinpath("data/extension-definitions.json")
    bundle: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return bundle


def to_sco(identifier: Identifier) -> dict[str, Any]:
    """The complete STIX 2.1 SCO of `identifier`, with its deterministic id."""
    properties = dict(identifier.properties)
    sco: dict[str, Any] = {
        "type": identifier.stix_type,
        "spec_version": "2.1",
        "id": sco_id(identifier.stix_type, properties),
        **properties,
    }
    extension = EXTENSIONS.get(identifier.stix_type)
    if extension is not None:
        sco["extensions"] = {extension: {"extension_type": "new-sco"}}
    return sco


def opencti_bank_account(identifier: Identifier) -> dict[str, Any] | None:
    """OpenCTI's `bank-account` SCO for an account with an IBAN; None without one."""
    iban = identifier.properties.get("iban") if identifier.kind == "bank-account" else None
    if not isinstance(iban, str):
        return None
    properties: dict[str, Any] = {"value": iban, "iban": iban}
    for name in ("bic", "account_number"):
        if name in identifier.properties:
            properties[name] = identifier.properties[name]
    sco_type = "bank-account"
    return {"type": sco_type, "spec_version": "2.1", "id": sco_id(sco_type, properties),
            **properties}  # fmt: skip


def index_keys(sco: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The observable-index keys `(stix_type, normalised value)` of any SCO; never raises.

    A `file` gives one key per hash; OpenCTI's `bank-account` gives the key of the kawan
    account with that IBAN. A value that does not normalise keeps its trimmed text.
    """
    stix_type = sco.get("type") if isinstance(sco, Mapping) else None
    if not isinstance(stix_type, str):
        return []
    if stix_type == "file":
        return _file_keys(sco.get("hashes"))
    if stix_type == "bank-account":
        raw = sco.get("iban") or sco.get("value")
        return [_key("bank-account", raw, stix_type)] if isinstance(raw, str) else []
    value = sco.get("value")
    if not isinstance(value, str):
        return []
    kind = TYPE_KINDS.get(stix_type)
    return [_key(kind, value, stix_type) if kind else _fallback(stix_type, value)]


def _file_keys(hashes: object) -> list[tuple[str, str]]:
    if not isinstance(hashes, Mapping):
        return []
    keys: list[tuple[str, str]] = []
    for value in hashes.values():
        key = _key("hash", value, "file") if isinstance(value, str) else None
        if key is not None and key not in keys:
            keys.append(key)
    return keys


@functools.lru_cache(maxsize=KEY_CACHE)
def _key(kind: str, value: str, stix_type: str) -> tuple[str, str]:
    """The key of `value` normalised as `kind`, or the fallback key under `stix_type`.

    Cached: feeds repeat values (the same domain in many indicators), and normalising is
    most of what preparing an object for the store costs."""
    try:
        identifier = normalise(kind, value)
    except InvalidInput:
        return _fallback(stix_type, value)
    if identifier.stix_type != stix_type and stix_type != "bank-account":
        return _fallback(stix_type, value)
    return (identifier.stix_type, identifier.value)


def _fallback(stix_type: str, value: str) -> tuple[str, str]:
    text = value.strip()
    return (stix_type, text.lower() if stix_type in CASE_INSENSITIVE else text)


def key_for_path(object_path: str, value: str) -> tuple[str, str] | None:
    """The index key for one STIX pattern comparison `object_path = 'value'`, or None
    when the path names no identifier (`file:name`, `network-traffic:dst_port`)."""
    path = "".join(object_path.split())
    if not isinstance(value, str):
        return None
    if _HASH_PATH.match(path):
        return _key("hash", value, "file")
    kind = PATH_KINDS.get(path)
    if kind is None:
        return None
    if kind == "ip":
        kind = "ipv6" if ":" in value else "ipv4"
    return _key(kind, value, KINDS[kind])
