"""STIX identifiers: the `type--uuid` form and deterministic ids of cyber observables."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

ID_RE = re.compile(
    r"^([a-z0-9][a-z0-9-]{1,248}[a-z0-9])--"
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)  # RFC 4122 hex is case-insensitive on input; an OASIS example writes upper case
TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

# STIX 2.1 §6 (and OpenCTI's custom observables): properties that make up an SCO's id.
ID_CONTRIBUTING: dict[str, tuple[str, ...]] = {
    "artifact": ("hashes", "payload_bin"),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("from_ref", "subject", "body"),
    "file": ("hashes", "name", "parent_directory_ref", "extensions"),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": (
        "start",
        "end",
        "src_ref",
        "dst_ref",
        "src_port",
        "dst_port",
        "protocols",
        "extensions",
    ),
    "process": (),
    "software": ("name", "cpe", "swid", "vendor", "version"),
    "url": ("value",),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
    # OpenCTI's observables (pycti constants)
    "phone-number": ("value",),
    "cryptocurrency-wallet": ("value",),
    "bank-account": ("iban",),
    "payment-card": ("card_number",),
    "hostname": ("value",),
    "text": ("value",),
    "user-agent": ("value",),
    "credential": ("value",),
    "tracking-number": ("value",),
    # kawan's own observables (kawan.fraud.observables, docs/identifiers.md)
    "kawan-sender-id": ("value",),
    "kawan-bank-account": ("value",),
    "kawan-e-wallet": ("value",),
    "kawan-messenger-handle": ("value",),
    "kawan-ussd-code": ("value",),
}
HASH_PREFERENCE = ("MD5", "SHA-1", "SHA-256", "SHA-512")


def is_valid_id(text: object, of_type: str | None = None) -> bool:
    if not isinstance(text, str):
        return False
    m = ID_RE.match(text)
    return m is not None and (of_type is None or m.group(1) == of_type)


def type_of(stix_id: str) -> str:
    return stix_id.split("--", 1)[0]


def canonical(value: Any) -> bytes:
    """Canonical JSON (sorted keys, no white space, UTF-8), as RFC 8785 for kawan's values."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sco_id(
    stix_type: str, properties: Mapping[str, Any], contributing: tuple[str, ...] | None = None
) -> str:
    """The deterministic id of an SCO, as STIX 2.1 §2.9 computes it (UUIDv5).

    Without contributing properties present, STIX falls back to a random UUIDv4.
    """
    names = ID_CONTRIBUTING.get(stix_type, ()) if contributing is None else contributing
    basis: dict[str, Any] = {}
    for name in names:
        value = properties.get(name)
        if value is None:
            continue
        if name == "hashes" and isinstance(value, Mapping):
            value = _one_hash(value)
            if value is None:
                continue
        basis[name] = value
    if not basis:
        return f"{stix_type}--{uuid.uuid4()}"
    text = canonical(basis).decode("utf-8")
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, text)}"


def _one_hash(hashes: Mapping[str, Any]) -> dict[str, Any] | None:
    for name in HASH_PREFERENCE:
        if name in hashes:
            return {name: hashes[name]}
    for name, value in hashes.items():
        return {name: value}
    return None
