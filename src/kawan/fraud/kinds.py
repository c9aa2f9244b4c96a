"""The identifier kinds, the `Identifier` value and the few helpers every normaliser shares."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, NoReturn

from kawan.errors import InvalidInput

# kind -> STIX observable type
KINDS: dict[str, str] = {
    "ipv4": "ipv4-addr",
    "ipv6": "ipv6-addr",
    "domain": "domain-name",
    "url": "url",
    "email": "email-addr",
    "hash": "file",
    "phone": "phone-number",
    "sender-id": "kawan-sender-id",
    "bank-account": "kawan-bank-account",
    "e-wallet": "kawan-e-wallet",
    "messenger": "kawan-messenger-handle",
    "crypto-wallet": "cryptocurrency-wallet",
    "ussd": "kawan-ussd-code",
}

# The 14 ASEAN+3 countries.
COUNTRIES = frozenset("BN KH ID LA MY MM PH SG TH TL VN CN JP KR".split())


@dataclass(frozen=True)
class Identifier:
    kind: str  # a key of KINDS
    value: str  # canonical text: the observable index key together with stix_type
    stix_type: str  # KINDS[kind]
    properties: dict[str, Any] = field(default_factory=dict, compare=False)  # SCO properties
    country: str | None = None  # ISO 3166 alpha-2 where the identifier has one

    @property
    def key(self) -> tuple[str, str]:
        """The observable-index key: `(stix_type, value)`."""
        return (self.stix_type, self.value)


def make(
    kind: str, value: str, *, country: str | None = None, extra: dict[str, Any] | None = None
) -> Identifier:
    """An `Identifier` of `kind` whose SCO properties are `value` plus `extra`."""
    properties: dict[str, Any] = {"value": value, **(extra or {})}
    return Identifier(kind, value, KINDS[kind], properties, country)


def refuse(kind: str, why: str) -> NoReturn:
    """Raise the one error a normaliser raises: `InvalidInput` naming the kind."""
    raise InvalidInput(why, field=kind)


def cleaned(raw: object, kind: str) -> str:
    """`raw` as text: NFKC (full-width digits and letters to ASCII), trimmed, not empty."""
    if not isinstance(raw, str):
        refuse(kind, f"expected text, got {type(raw).__name__}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        refuse(kind, "empty value")
    return text


def country_code(country: str | None, kind: str) -> str | None:
    """An ISO 3166 alpha-2 code in upper case, or None; refuses anything else."""
    if country is None:
        return None
    code = country.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        refuse(kind, f"country must be an ISO 3166 alpha-2 code, not {country!r}")
    return code
