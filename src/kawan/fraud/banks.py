"""Bank accounts: country + bank + account number, or an IBAN.

Value forms (stable, unambiguous: an IBAN never holds a colon):
- `CC:BANK:DIGITS`, e.g. `VN:BFTVVNVX:0011004123456`: ISO country, the bank's code (its
  8-character BIC, or a kawan `X-…` code from the bank table when it has none), the account
  number as digits only;
- an IBAN in compact upper case, e.g. `TL380080012345678910157` (of the 14 countries only
  Timor-Leste uses IBANs, but any valid IBAN is accepted).

The bank table is a starter CSV shipped with kawan (`data/banks.csv`), read lazily on
first use; `load_banks(path)` reads a replacement that the node admin maintains.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import phonenumbers
from stdnum import iban as stdnum_iban

from kawan.fraud.kinds import Identifier, cleaned, country_code, make, refuse

KIND = "bank-account"
MIN_DIGITS, MAX_DIGITS = 6, 20
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_CANONICAL = re.compile(r"^([A-Z]{2}):([A-Z0-9-]+):([0-9]+)$")
_IBAN_START = re.compile(r"^(?:IBAN[\s:]*)?([A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{11,40})$")
_TRAILING_NUMBER = re.compile(r"[0-9][0-9 .\-]*$")


@dataclass(frozen=True)
class Bank:
    country: str
    code: str  # BIC8 or an X- code: the bank part of account values
    name: str
    bic: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankTable:
    banks: tuple[Bank, ...]
    by_name: dict[str, tuple[Bank, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, banks: Iterable[Bank]) -> BankTable:
        """A table indexed by every name, alias and code (case-insensitive)."""
        listed = tuple(banks)
        index: dict[str, list[Bank]] = {}
        for bank in listed:
            for name in {bank.code, bank.name, *bank.aliases}:
                index.setdefault(name_key(name), []).append(bank)
        return cls(listed, {key: tuple(value) for key, value in index.items()})


def name_key(name: str) -> str:
    """How bank names are compared: case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def parse_banks(text: str) -> BankTable:
    """A bank table from CSV text (columns country, bic, code, name, aliases; `#` comments)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    banks = [_bank(row, n) for n, row in enumerate(csv.DictReader(io.StringIO("\n".join(lines))))]
    return BankTable.of(banks)


def _bank(row: dict[str, str], n: int) -> Bank:
    country, code, name = (row.get(k, "").strip() for k in ("country", "code", "name"))
    bic = row.get("bic", "").strip() or None
    if len(country) != 2 or not code or not name:
        refuse(KIND, f"bank table row {n + 1}: needs country, code and name")
    aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
    return Bank(country.upper(), code.upper(), name, bic, aliases)


def load_banks(path: str | Path | None = None) -> BankTable:
    """The bank table at `path`, or the starter table shipped with kawan."""
    if path is None:
        return packaged_banks()
    return parse_banks(Path(path).read_text(encoding="utf-8"))


@functools.cache
def packaged_banks() -> BankTable:
    """The starter table in `kawan/fraud/data/banks.csv`, read once, on first use."""
    text = resources.files("kawan.fraud").joinpath("data/banks.csv").read_text("utf-8")
    return parse_banks(text)


def find_bank(bank: str, country: str | None, table: BankTable) -> Bank:
    """The bank named (name, alias, code or BIC) `bank`, in `country` when given."""
    found = table.by_name.get(name_key(bank), ())
    if country is not None:
        found = tuple(b for b in found if b.country == country)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        countries = ", ".join(sorted({b.country for b in found}))
        refuse(KIND, f"{bank!r} names banks in {countries}: give the country")
    return _bank_by_bic(bank, country, table)


def _bank_by_bic(bank: str, country: str | None, table: BankTable) -> Bank:
    bic = bank.strip()
    if not _BIC.match(bic) or bic[4:6] not in phonenumbers.SUPPORTED_REGIONS:
        where = f" in {country}" if country else ""
        refuse(KIND, f"unknown bank {bank!r}{where}: give its BIC (SWIFT code)")
    if country is not None and bic[4:6] != country:
        refuse(KIND, f"BIC {bic} is of country {bic[4:6]}, not {country}")
    known = table.by_name.get(name_key(bic[:8]), ())
    return known[0] if known else Bank(bic[4:6], bic[:8], bic[:8], bic[:8])


def account_digits(number: str) -> str:
    """An account number as digits only (spaces, dashes and dots dropped), plausible length."""
    digits = re.sub(r"[\s.\-]", "", number)
    if not digits.isdigit() or not digits.isascii():
        refuse(KIND, "an account number has only digits (spaces, dashes and dots are dropped)")
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        refuse(KIND, f"an account number has {MIN_DIGITS} to {MAX_DIGITS} digits")
    return digits


def iban_account(raw: str, country: str | None = None) -> Identifier:
    """An account given by its IBAN (checksum and country format validated)."""
    compact = stdnum_iban.compact(raw)
    if not stdnum_iban.is_valid(compact):
        refuse(KIND, f"{compact} is not a valid IBAN (checksum or length for its country)")
    if country is not None and compact[:2] != country:
        refuse(KIND, f"IBAN {compact} is of country {compact[:2]}, not {country}")
    return make(KIND, compact, country=compact[:2], extra={"iban": compact, "country": compact[:2]})


def bank_account(
    country: str | None, bank: str, number: str, *, banks: BankTable | None = None
) -> Identifier:
    """An account from explicit fields: country (may be None when the bank says it), bank
    (name, alias, code or BIC) and number (digits, or an IBAN)."""
    region = country_code(country, KIND)
    number_text = cleaned(number, KIND)
    if any(ch.isalpha() for ch in number_text):
        return iban_account(number_text, region)
    found = find_bank(cleaned(bank, KIND), region, banks or packaged_banks())
    digits = account_digits(number_text)
    value = f"{found.country}:{found.code}:{digits}"
    extra = {"country": found.country, "bank": found.code, "account_number": digits}
    if found.bic:
        extra["bic"] = found.bic
    return make(KIND, value, country=found.country, extra=extra)


def _from_value(country: str, code: str, number: str, table: BankTable) -> Identifier:
    """The value form: a code the table does not know (another node's table) is kept."""
    if code.startswith("X-") and not table.by_name.get(name_key(code)):
        table = BankTable.of([Bank(country, code, code)])
    return bank_account(country, code, number, banks=table)


def normalise_bank_account(
    raw: str, country: str | None = None, *, banks: BankTable | None = None
) -> Identifier:
    """An account written as `Vietcombank 0011004123456`, `VCB-0011 0041 23456`, an IBAN
    or the value form `VN:BFTVVNVX:0011004123456`."""
    text = cleaned(raw, KIND)
    canonical = _CANONICAL.match(text)
    if canonical:
        return _from_value(canonical[1], canonical[2], canonical[3], banks or packaged_banks())
    as_iban = _IBAN_START.match(text)
    if as_iban:  # an IBAN carries its own country: `country` is only a default
        return iban_account(as_iban[1])
    trailing = _TRAILING_NUMBER.search(text)
    if trailing is None or trailing.start() == 0:
        refuse(KIND, "write a bank account as bank name then number, e.g. 'VCB 0011004123456'")
    bank = text[: trailing.start()].rstrip(" :-/#,")
    return bank_account(country, bank, trailing[0], banks=banks)
