"""Phone numbers (E.164), alphanumeric SMS sender ids and USSD codes.

Validity: every number must be *possible* (a plausible length for its country). For the
countries whose numbering plans `phonenumbers` tracks closely it must also be *valid*
(an allocated range); for Cambodia, Laos, Myanmar and Timor-Leste, whose plans change
often and whose metadata lags, a possible number is accepted.
"""

from __future__ import annotations

import re

import phonenumbers

from kawan.errors import InvalidInput
from kawan.fraud.kinds import Identifier, cleaned, country_code, make, refuse

POSSIBLE_IS_ENOUGH = frozenset({"KH", "LA", "MM", "TL"})
_PHONE_CHARS = re.compile(r"^[+0-9\s().\-/]+$")
_SENDER = re.compile(r"^[A-Z0-9][A-Z0-9 .&_+-]*$")
_USSD = re.compile(r"^[*#][0-9*#+]*#$")


def e164(raw: str, country: str | None = None, kind: str = "phone") -> tuple[str, str | None]:
    """`raw` as an E.164 number and its country; `country` is the default region."""
    text = cleaned(raw, kind)
    region = country_code(country, kind)
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    if not _PHONE_CHARS.match(text) or sum(ch.isdigit() for ch in text) < 3:
        refuse(kind, "a phone number has digits, and only +, spaces, dots, dashes, brackets")
    if region is None:
        return _checked(_parse(_international(text, kind), None, kind), kind)
    try:
        return _checked(_parse(text, region, kind), kind)
    except InvalidInput:
        if not text.startswith("00"):  # 00 is the usual international prefix, even where
            raise  # the country's own is another (Indonesia 001, Cambodia 001/007/008)
        return _checked(_parse(_international(text, kind), None, kind), kind)


def _international(text: str, kind: str) -> str:
    if text.lstrip("( ").startswith("+"):
        return text
    if text.startswith("00"):
        return "+" + text[2:]
    refuse(kind, "a national number needs a country (or write it with + and country code)")


def _parse(text: str, region: str | None, kind: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        refuse(kind, f"not a phone number: {exc}")


def _checked(number: phonenumbers.PhoneNumber, kind: str) -> tuple[str, str | None]:
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_possible_number(number):
        refuse(kind, f"{formatted} has an impossible length for its country")
    region = phonenumbers.region_code_for_number(number)
    # `is_valid_number(number)`, without working out the region a second time
    valid = region is not None and phonenumbers.is_valid_number_for_region(number, region)
    if region not in POSSIBLE_IS_ENOUGH and not valid:
        refuse(kind, f"{formatted} is not in an allocated number range of {region or '?'}")
    return (formatted, region if region and region.isalpha() and region != "ZZ" else None)


def normalise_phone(raw: str, country: str | None = None) -> Identifier:
    """A phone number in E.164 (`+84912345678`); `country` is the default region."""
    value, region = e164(raw, country)
    return make("phone", value, country=region)


def normalise_sender_id(raw: str, country: str | None = None) -> Identifier:
    """An alphanumeric SMS sender id (`VCB`, `DBS-SG`): upper case, 2–11 characters."""
    text = " ".join(cleaned(raw, "sender-id").split()).upper()
    if not 2 <= len(text) <= 11:
        refuse("sender-id", "an alphanumeric sender id has 2 to 11 characters")
    if not text.isascii() or not _SENDER.match(text):
        refuse("sender-id", "a sender id has Latin letters, digits, spaces and . & _ + -")
    if not any(ch.isalpha() for ch in text):
        refuse("sender-id", "a sender id without letters is a phone number or short code")
    return make("sender-id", text, country=country_code(country, "sender-id"))


def normalise_ussd(raw: str, country: str | None = None) -> Identifier:
    """A USSD code (`*123*456#`, `#123#`), as written without spaces."""
    text = "".join(cleaned(raw, "ussd").split())
    if not _USSD.match(text) or not any(ch.isdigit() for ch in text):
        refuse("ussd", "a USSD code starts with * or #, ends with # and has digits")
    if len(text) > 182:
        refuse("ussd", "a USSD string has at most 182 characters")
    return make("ussd", text, country=country_code(country, "ussd"))
