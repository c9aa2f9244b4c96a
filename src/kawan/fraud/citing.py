"""The identifiers a report cites: typed by the officer, or found in a pasted message
(pure). `KIND:VALUE` names the kind (`bank-account:Vietcombank 0011004123456`); without
it the kind is guessed."""

from __future__ import annotations

from collections.abc import Iterable

from kawan.errors import InvalidInput
from kawan.fraud.check import identify
from kawan.fraud.kinds import KINDS
from kawan.fraud.reports import Cited, role_of
from kawan.ingest.extract import extract


def split_kind(text: str) -> tuple[str | None, str]:
    """`phone:0912…` -> ("phone", "0912…"); a value without a known kind prefix as it is."""
    head, sep, rest = text.partition(":")
    if sep and head.strip().lower() in KINDS:
        return head.strip().lower(), rest.strip()
    return None, text


def cite(text: str, role: str | None, country: str | None) -> Cited:
    """One typed identifier; InvalidInput names it."""
    kind, value = split_kind(text)
    try:
        identifier = identify(value, kind, country)
    except InvalidInput as exc:
        raise InvalidInput(f"{text!r}: {exc.message}", field=exc.field or "identifiers") from None
    return Cited(identifier, role_of(identifier, role))


def cited_in_text(message: str, country: str | None) -> list[Cited]:
    """Every identifier the extractor finds in a pasted message, with its usual role."""
    return [Cited(f.identifier, role_of(f.identifier)) for f in extract(message, country=country)]


def gather(
    contacts: Iterable[str],
    payments: Iterable[str],
    message: str | None,
    country: str | None,
) -> list[Cited]:
    """Typed contacts, typed payment identifiers, then those found in the message."""
    found = [cite(t, "contact", country) for t in contacts]
    found += [cite(t, "payment", country) for t in payments]
    if message:
        found += cited_in_text(message, country)
    return found
