"""Bank accounts: the starter table, the raw writings, explicit fields, IBANs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawan.errors import InvalidInput
from kawan.fraud.banks import (
    KIND,
    bank_account,
    load_banks,
    normalise_bank_account,
    packaged_banks,
)
from kawan.fraud.kinds import COUNTRIES

VALID = [
    ("Vietcombank 0011004123456", None, "VN:BFTVVNVX:0011004123456"),
    ("VCB-0011 0041 23456", None, "VN:BFTVVNVX:0011004123456"),
    ("Ngân hàng TMCP Ngoại thương Việt Nam: 0011004123456", None, "VN:BFTVVNVX:0011004123456"),
    ("VN:BFTVVNVX:0011004123456", None, "VN:BFTVVNVX:0011004123456"),
    ("BFTVVNVXXXX 0011004123456", "VN", "VN:BFTVVNVX:0011004123456"),
    ("กสิกรไทย 123-4-56789-0", None, "TH:KASITHBK:1234567890"),
    ("KBank 123-4-56789-0", "TH", "TH:KASITHBK:1234567890"),
    ("Maybank 5140 1234 5678", "MY", "MY:MBBEMYKL:514012345678"),
    ("BCA 123 456 7890", None, "ID:CENAIDJA:1234567890"),
    ("BDO 0012-3456-7890", None, "PH:BNORPHMM:001234567890"),
    ("KB Kookmin 123456-01-234567", None, "KR:CZNBKRSE:12345601234567"),
    ("MUFG 1234567", None, "JP:BOTKJPJT:1234567"),
    ("ICBC 6222 0202 0000 1234 567", None, "CN:ICBKCNBJ:6222020200001234567"),
    ("카카오뱅크 3333-01-2345678", None, "KR:X-KAKAOBANK:3333012345678"),
    ("KR:X-SOMENEWBANK:3333012345678", None, "KR:X-SOMENEWBANK:3333012345678"),
    ("TL38 0080 0123 4567 8910 157", None, "TL380080012345678910157"),
    ("IBAN tl380080012345678910157", "TL", "TL380080012345678910157"),
    ("DE89 3704 0044 0532 0130 00", None, "DE89370400440532013000"),
]
INVALID = [
    ("Vietcombank", None, "bank name then number"),
    ("0011004123456", None, "bank name then number"),
    ("Maybank 514012345678", None, "MY, SG: give the country"),
    ("Nobank 514012345678", None, "unknown bank"),
    ("VCB 12345", None, "6 to 20 digits"),
    ("VCB 123456789012345678901", None, "6 to 20 digits"),
    ("BFTVVNVX 0011004123456", "TH", "of country VN"),
    ("TL38 0080 0123 4567 8910 158", None, "not a valid IBAN"),
]


@pytest.mark.parametrize(("raw", "country", "want"), VALID)
def test_accounts_in_many_writings(raw: str, country: str | None, want: str) -> None:
    found = normalise_bank_account(raw, country)
    assert (found.value, found.stix_type) == (want, "kawan-bank-account")
    assert found.country == want[:2]
    assert normalise_bank_account(found.value).value == want


@pytest.mark.parametrize(("raw", "country", "why"), INVALID)
def test_bad_accounts_are_refused_saying_why(raw: str, country: str | None, why: str) -> None:
    with pytest.raises(InvalidInput, match=why) as caught:
        normalise_bank_account(raw, country)
    assert caught.value.field == KIND


def test_explicit_fields() -> None:
    found = bank_account("vn", "Vietcombank", "0011 0041 23456")
    assert found.value == "VN:BFTVVNVX:0011004123456"
    assert found.properties == {
        "value": "VN:BFTVVNVX:0011004123456",
        "country": "VN",
        "bank": "BFTVVNVX",
        "bic": "BFTVVNVX",
        "account_number": "0011004123456",
    }
    assert bank_account("TL", "BNCTL", "TL38 0080 0123 4567 8910 157").value.startswith("TL38")
    with pytest.raises(InvalidInput, match="not VN"):
        bank_account("VN", "VCB", "TL380080012345678910157")


def test_the_starter_table_covers_the_14_countries() -> None:
    banks = packaged_banks().banks
    for country in COUNTRIES:
        assert 4 <= sum(b.country == country for b in banks) <= 15, country
    for bank in banks:
        if bank.bic:
            assert bank.code == bank.bic[:8] and bank.bic[4:6] == bank.country
        else:
            assert bank.code.startswith("X-")


def test_codes_are_unique_per_bank() -> None:
    codes = [b.code for b in packaged_banks().banks]
    assert len(codes) == len(set(codes))


def test_a_node_admin_table_replaces_the_starter_one(tmp_path: Path) -> None:
    path = tmp_path / "banks.csv"
    path.write_text("# ours\ncountry,bic,code,name,aliases\nVN,,X-NEWBANK,New Bank,NB\n")
    table = load_banks(path)
    assert normalise_bank_account("NB 12345678", banks=table).value == "VN:X-NEWBANK:12345678"
    with pytest.raises(InvalidInput, match="unknown bank"):
        normalise_bank_account("Vietcombank 0011004123456", banks=table)


def test_a_table_row_without_a_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "banks.csv"
    path.write_text("country,bic,code,name,aliases\nVN,,,New Bank,\n")
    with pytest.raises(InvalidInput, match="row 1"):
        load_banks(path)
