"""Agencies: STIX `identity` objects (organization) with an ISO 3166 country (pure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kawan.errors import InvalidInput
from kawan.stix.timestamps import format_ms

# The 14 ASEAN+3 countries (ISO 3166-1 alpha-2).
REGION: dict[str, str] = {
    "BN": "Brunei Darussalam",
    "KH": "Cambodia",
    "ID": "Indonesia",
    "LA": "Lao PDR",
    "MY": "Malaysia",
    "MM": "Myanmar",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "TL": "Timor-Leste",
    "VN": "Viet Nam",
    "CN": "China",
    "JP": "Japan",
    "KR": "Republic of Korea",
}
COUNTRY_PROP = "x_kawan_country"


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    country: str | None

    @classmethod
    def from_identity(cls, obj: dict[str, Any]) -> Agency:
        return cls(obj["id"], str(obj.get("name", obj["id"])), country_of(obj))


def country_of(identity: dict[str, Any]) -> str | None:
    """An identity's country: kawan's property, else the first `sectors`-free hint."""
    value = identity.get(COUNTRY_PROP)
    return value.upper() if isinstance(value, str) else None


def check_country(code: str) -> str:
    cc = code.strip().upper()
    if len(cc) != 2 or not cc.isalpha() or not cc.isascii():
        raise InvalidInput(f"not an ISO 3166 alpha-2 country code: {code!r}", field="country")
    return cc


def identity(
    name: str, country: str, created_us: int, agency_id: str | None = None
) -> dict[str, Any]:
    """A STIX identity for an agency (identity_class organization)."""
    if not name.strip():
        raise InvalidInput("an agency needs a name", field="name")
    stamp = format_ms(created_us)
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": agency_id or f"identity--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "name": name.strip(),
        "identity_class": "organization",
        COUNTRY_PROP: check_country(country),
    }
