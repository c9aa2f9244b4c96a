"""Find candidate phone numbers, bank accounts and e-wallet numbers in folded text.

A run of digits with spaces, dashes, dots and brackets is read three ways: as a bank
account when a bank's name (from the bank table of `kawan.fraud.banks`) is written next
to it (`STK 0011004123456 Vietcombank`, `บัญชี กสิกรไทย 123-4-56789-0`), as an e-wallet
when a wallet's name is (`GCash 0917 123 4567`), and as a phone number. Spaces inside a
run may also separate two numbers (`081-234-5678 02-123-4567`), so every space-separated
sub-run is a candidate and the longest one the normaliser accepts wins. Prices
(`1,250,000`, `12.500.000`), dates, times and short codes (OTPs) are not candidates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import phonenumbers

from kawan.fraud.accounts import WALLETS
from kawan.fraud.banks import packaged_banks
from kawan.ingest.extract_scan import Candidate


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_NAME_EDGE_BEFORE = r"(?<![A-Za-z])"
_NAME_EDGE_AFTER = r"(?![a-z])"
# Wallet names that are also common words (Indonesian `dana` = funds) count only when
# written as the brand is.
_BRAND_CASE = frozenset({"dana", "maya", "ovo"})
_WALLET_NAMES = {name for w in WALLETS for name in (w.key, w.name, *w.aliases)}
_ANY_CASE = _alternation(n for n in _WALLET_NAMES if n.casefold() not in _BRAND_CASE)
_BRAND = _alternation(n for n in _WALLET_NAMES if n.casefold() in _BRAND_CASE and not n.islower())
_WALLET_RE = re.compile(rf"{_NAME_EDGE_BEFORE}(?:(?i:{_ANY_CASE})|{_BRAND})(?![A-Za-z])")

# A run: optional + / 00, digits with single separators (space . - or brackets).
_RUN = re.compile(
    r"(?<![0-9A-Za-z_*#/+])(?<!\d[.,])(?:\+\s?)?\(?\d(?:[\d()]|[ .\-](?=\(?\d))*+(?![A-Za-z_])"
)
_DATE = re.compile(r"\d{1,4}([./\-])\d{1,2}\1\d{1,4}|\d{1,2}([./\-])\d{1,2}")
_GROUPED_PRICE = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_CURRENCY = re.compile(
    r"(?i:\s?(?:บาท|บ\.|฿|rp\.?|idr|vnd|vnđ|đ|₫|rm|myr|usd|us\$|\$|sgd|php|₱|peso|kip|₭|"
    r"riel|៛|kyat|yuan|元|块|円|yen|¥|원|₩|thb|baht|dong|ringgit|rupiah)(?![a-zà-ỹ]))"
)
_CURRENCY_BEFORE = re.compile(r"(?i:\$|฿|₫|₱|¥|₩|rp\.?\s?|rm\s?)$")
# Words just before a number that say what it is.
_OTP_CUE = re.compile(
    r"(?i:(?<![a-z])(?:otp|kode|code|pin|mã)(?![a-z])|รหัส|验证码|認証|인증)[^0-9]{0,20}$"
)
_PHONE_CUE = re.compile(
    r"(?i:(?<![a-z])(?:contact|call|tel|telp|hotline|phone|whatsapp|gọi|điện thoại|đt|sđt|sdt"
    r"|goi|liên hệ|lien he|hubungi|telefon)(?![a-z])"
    r"|โทร|เบอร์|电话|電話|전화)"
)
_LINKS = re.compile(r"\S*[./]\S*[a-z]\S*", re.IGNORECASE)  # words of URLs and domains
_CUE_WINDOW = 25
_WINDOW_BEFORE = 40
_WINDOW_AFTER = 30
_MIN_BANK_NAME = 2
_MIN_PHONE_DIGITS = 8
_MAX_PHONE_DIGITS = 15
_MIN_ACCOUNT_DIGITS = 7  # six digits next to a bank's name are mostly a one-time code
_MAX_DIGITS = 20


def scan_numbers(text: str, country: str | None = None) -> Iterator[Candidate]:
    """Every candidate phone, bank-account and e-wallet number in folded `text`."""
    for run in _RUN.finditer(text):
        if _is_not_a_number(text, run):
            continue
        cue = text[max(0, run.start() - _CUE_WINDOW) : run.start()]
        if _OTP_CUE.search(cue):
            continue
        bank, wallet = _context(text, run.start(), run.end())
        if _PHONE_CUE.search(cue):
            bank = None  # `KKP Contact Center 021655555` is the bank's phone
        for start, end in _sub_runs(text, run.start(), run.end()):
            yield from _readings(text[start:end], start, end, bank, wallet, country)


def _is_not_a_number(text: str, run: re.Match[str]) -> bool:
    value = run.group()
    if _DATE.fullmatch(value) or _GROUPED_PRICE.fullmatch(value):
        return True
    before = text[max(0, run.start() - 4) : run.start()]
    return (
        _CURRENCY.match(text, run.end()) is not None or _CURRENCY_BEFORE.search(before) is not None
    )


def _sub_runs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of whole space-separated groups, holding a plausible count of digits."""
    spaces = [start + m.start() for m in re.finditer(" ", text[start:end])]
    starts = [start] + [at + 1 for at in spaces]
    ends = [*spaces, end]
    for i, sub_start in enumerate(starts):
        for sub_end in ends[i:]:
            digits = sum(c.isdigit() for c in text[sub_start:sub_end])
            if digits > _MAX_DIGITS:
                break
            if digits >= _MIN_ACCOUNT_DIGITS:
                yield sub_start, sub_end


def _context(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The bank name and the e-wallet name written near `[start, end)`, if any."""
    before = text[max(0, start - _WINDOW_BEFORE) : start].rsplit("\n", 1)[-1]
    after = text[end : end + _WINDOW_AFTER].split("\n", 1)[0]
    before, after = _LINKS.sub(" ", before), _LINKS.sub(" ", after)  # `vcb-secure.top`
    return _nearest(_bank_names(), before, after), _nearest(_WALLET_RE, before, after)


@functools.cache
def _bank_names() -> re.Pattern[str]:
    """Every bank name, alias and code of the bank table, as one pattern."""
    names = [name for name in packaged_banks().by_name if len(name) >= _MIN_BANK_NAME]
    return re.compile(rf"(?i:{_NAME_EDGE_BEFORE}(?:{_alternation(names)}){_NAME_EDGE_AFTER})")


def _nearest(pattern: re.Pattern[str], before: str, after: str) -> str | None:
    found_before = list(pattern.finditer(before))
    if found_before:
        return found_before[-1].group()
    found_after = pattern.search(after)
    return found_after.group() if found_after else None


def _readings(
    number: str,
    start: int,
    end: int,
    bank: str | None,
    wallet: str | None,
    country: str | None,
) -> Iterator[Candidate]:
    digits = sum(c.isdigit() for c in number)
    tries: list[tuple[str, str]] = []
    if bank is not None:
        tries.append(("bank-account", f"{bank} {number}"))
    if wallet is not None and digits >= _MIN_PHONE_DIGITS:
        tries.append(("e-wallet", f"{wallet}:{number}"))
    if _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS and plausible_phone(number, country):
        tries.append(("phone", number))
        if number.startswith("00"):  # the international prefix of most of the region
            tries.append(("phone", "+" + number[2:]))
    if tries:
        yield Candidate(start, end, tuple(tries))


def plausible_phone(number: str, country: str | None) -> bool:
    """Whether `number` is written as people write phone numbers: in international form,
    or nationally with the trunk prefix (`0…`) of `country`, or in a country without one.

    A bare `55661666` or `10002000` in Thai text is an id, a price or a range, not a phone.
    """
    digits = re.sub(r"\D", "", number)
    if number.startswith("+") or digits.startswith("00"):
        return True
    if country is None:
        return False
    prefix = _trunk_prefix(country.upper())
    calling = str(phonenumbers.country_code_for_region(country.upper()) or "")
    if prefix is None or digits.startswith(prefix):
        return True
    if calling and digits.startswith(calling) and len(digits) > len(calling) + 7:
        return True
    return country.upper() == "CN" and digits.startswith("1") and len(digits) == 11


def _trunk_prefix(region: str) -> str | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return "0"
    prefix: str | None = metadata.national_prefix
    return prefix
