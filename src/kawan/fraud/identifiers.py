"""The entry point: normalise any identifier kind, or guess the kind of a value.

An `Identifier` is one normalised value: the same phone number, account, wallet, URL or
domain written any way gives the same `value`, the same SCO and so the same STIX id on
every node. The kinds and their value forms are described in `docs/identifiers.md`.
"""

from __future__ import annotations

from collections.abc import Callable

from kawan.errors import InvalidInput
from kawan.fraud.accounts import normalise_e_wallet, normalise_messenger
from kawan.fraud.banks import normalise_bank_account
from kawan.fraud.crypto import normalise_wallet
from kawan.fraud.domains import normalise_domain
from kawan.fraud.kinds import KINDS, Identifier, cleaned, country_code, refuse
from kawan.fraud.network import HASH_NAMES, normalise_email, normalise_hash, normalise_ip
from kawan.fraud.phones import normalise_phone, normalise_sender_id, normalise_ussd
from kawan.fraud.urls import normalise_url

__all__ = ["KINDS", "Identifier", "guess", "normalise"]

Normaliser = Callable[[str, str | None], Identifier]

_NORMALISERS: dict[str, Normaliser] = {
    "ipv4": lambda raw, country: normalise_ip(raw, 4),
    "ipv6": lambda raw, country: normalise_ip(raw, 6),
    "domain": lambda raw, country: normalise_domain(raw),
    "url": lambda raw, country: normalise_url(raw),
    "email": lambda raw, country: normalise_email(raw),
    "hash": lambda raw, country: normalise_hash(raw),
    "phone": normalise_phone,
    "sender-id": normalise_sender_id,
    "bank-account": lambda raw, country: normalise_bank_account(raw, country),
    "e-wallet": normalise_e_wallet,
    "messenger": normalise_messenger,
    "crypto-wallet": lambda raw, country: normalise_wallet(raw),
    "ussd": normalise_ussd,
}

# The order `guess` tries kinds in: the most distinctive shapes first.
GUESS_ORDER = (
    "messenger", "email", "crypto-wallet", "hash", "ipv4", "ipv6", "ussd", "phone",
    "e-wallet", "bank-account", "domain", "url", "sender-id",
)  # fmt: skip


def normalise(kind: str, raw: str, *, country: str | None = None) -> Identifier:
    """Normalise `raw` as `kind`; `country` is the default (e.g. dialling) country.

    Raises only `kawan.errors.InvalidInput`, saying why.
    """
    normaliser = _NORMALISERS.get(kind)
    if normaliser is None:
        refuse("kind", f"unknown identifier kind {kind!r}; known: {', '.join(KINDS)}")
    return normaliser(cleaned(raw, kind), country_code(country, kind))


def guess(raw: str, *, country: str | None = None) -> Identifier:
    """Find the kind of `raw` and normalise it; InvalidInput naming the kinds tried.

    Kinds whose shape `raw` cannot have (`_RULED_OUT`) are skipped; when no kind takes
    it, every candidate is tried again so the error names them all, as before."""
    text = cleaned(raw, "value")
    for kind in _candidates(text):
        if kind in _RULED_OUT and _RULED_OUT[kind](text):
            continue
        try:
            return normalise(kind, text, country=country)
        except InvalidInput:
            pass
    reasons: list[str] = []
    for kind in _candidates(text):
        try:
            return normalise(kind, text, country=country)
        except InvalidInput as exc:
            reasons.append(f"{kind}: {exc.message}")
    refuse("value", "not an identifier kawan knows; tried " + "; ".join(reasons))


def _candidates(text: str) -> list[str]:
    if "://" in text:
        return ["messenger", "url"]
    kinds = list(GUESS_ORDER)
    if "/" not in text or "." not in text:
        kinds.remove("url")
    if any(ch.isspace() for ch in text):
        kinds.remove("sender-id")  # words with spaces are text, not a sender id to guess
    return kinds


def _no_letter(text: str) -> bool:
    return not any(ch.isalpha() for ch in text)


def _not_a_hash(text: str) -> bool:
    hexed = text.strip().lower()
    return len(hexed) not in HASH_NAMES or not hexed.isascii() or not hexed.isalnum()


# Necessary shapes, cheap to test, of the kinds tried before `phone` (each normaliser
# refuses any text these rule out): a messenger or e-mail needs a service name or `@`,
# a wallet letters or a leading 1 or 3 (base58), a hash 32/40/64/128 hex digits, an IP
# address dots or colons, a USSD code a leading `*` or `#`.
_RULED_OUT: dict[str, Callable[[str], bool]] = {
    "messenger": _no_letter,
    "email": lambda text: "@" not in text,
    "crypto-wallet": lambda text: _no_letter(text) and text[:1] not in ("1", "3"),
    "hash": _not_a_hash,
    "ipv4": lambda text: "." not in text,
    "ipv6": lambda text: ":" not in text,
    "ussd": lambda text: text[:1] not in ("*", "#"),
}
