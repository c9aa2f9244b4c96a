"""Phone numbers of the 14 countries in many writings; sender ids; USSD codes."""

from __future__ import annotations

import pytest

from kawan.errors import InvalidInput
from kawan.fraud.phones import normalise_phone, normalise_sender_id, normalise_ussd

# (country, E.164, writings that need the country, writings that do not)
PHONES = [
    ("VN", "+84912345678", ["0912 345 678", "０９１２３４５６７８", "84912345678"],
     ["+84 912-345-678", "0084 912.345.678", "(+84) 912345678"]),
    ("VN", "+842438251234", ["024 3825 1234"], ["+84 24 3825 1234"]),
    ("TH", "+66812345678", ["081-234-5678", "001 66 81 234 5678"],
     ["+66 (0)81 234 5678", "+66.81.234.5678"]),
    ("TH", "+6621234567", ["02 123 4567"], ["+66 2 123 4567"]),
    ("MY", "+60123456789", ["012-345 6789"],
     ["+60 12-345 6789", "0060123456789", "+6012.345.6789"]),
    ("MY", "+60321234567", ["03-2123 4567"], ["+60 3-2123 4567"]),
    ("SG", "+6591234567", ["9123 4567", "001 65 9123 4567"], ["+65 9123 4567", "+65-9123-4567"]),
    ("SG", "+6562345678", ["6234 5678"], ["+65 6234 5678"]),
    ("ID", "+6281234567890", ["0812-3456-7890", "(0812) 3456-7890", "00 62 812 3456 7890"],
     ["+62 812 3456 7890"]),
    ("ID", "+622129123456", ["(021) 2912 3456"], ["+62 21 2912 3456"]),
    ("PH", "+639171234567", ["0917 123 4567"],
     ["+63 917 123 4567", "00 63 917 123 4567", "+63 (0)917-123-4567"]),
    ("PH", "+63288123456", ["(02) 8812 3456"], ["+63 2 8812 3456"]),
    ("KH", "+85512345678", ["012 345 678", "00855 12 345 678"],
     ["+855 12 345 678", "+855-12-345-678"]),
    ("KH", "+85523123456", ["023 123 456"], ["+855 23 123 456"]),
    ("LA", "+8562055123456", ["020 5512 3456"],
     ["+856 20 5512 3456", "00856 20 55 123 456", "+856 (0)20 5512 3456"]),
    ("LA", "+85621212345", ["021 212 345"], ["+856 21 212 345"]),
    ("MM", "+959421234567", ["09 421 234 567"],
     ["+95 9 421 234567", "0095 9421234567", "+95 (0)9 421 234 567"]),
    ("MM", "+9511234567", ["01 123 4567"], ["+95 1 123 4567"]),
    ("BN", "+6737123456", ["712 3456"], ["+673 712 3456", "00673 712-3456", "+673-7123456"]),
    ("BN", "+6732123456", ["212 3456"], ["+673 212 3456"]),
    ("TL", "+67077234567", ["7723 4567"], ["+670 7723 4567", "00670 7723 4567", "+670.7723.4567"]),
    ("TL", "+6703312345", ["331 2345"], ["+670 331 2345"]),
    ("CN", "+8613800138000", ["138 0013 8000"],
     ["+86 138-0013-8000", "0086 13800138000", "+86 (0)138 0013 8000"]),
    ("CN", "+861012345678", ["010-1234-5678"], ["+86 10 1234 5678"]),
    ("JP", "+819012345678", ["090-1234-5678", "010 81 90 1234 5678"],
     ["+81 90 1234 5678", "+81 (0)90-1234-5678"]),
    ("JP", "+81312345678", ["03-1234-5678"], ["+81 3-1234-5678"]),
    ("KR", "+821012345678", ["010-1234-5678", "001 82 10 1234 5678"],
     ["+82 10 1234 5678", "+82 (0)10-1234-5678"]),
    ("KR", "+82212345678", ["02-1234-5678"], ["+82 2-1234-5678"]),
]  # fmt: skip
NATIONAL = [(c, want, w) for c, want, national, _ in PHONES for w in national]
INTERNATIONAL = [(c, want, w) for c, want, national, intl in PHONES for w in intl]


def test_every_country_has_four_writings_and_a_landline() -> None:
    countries = {c for c, *_ in PHONES}
    assert len(countries) == 14
    for country in countries:
        rows = [r for r in PHONES if r[0] == country]
        assert len(rows) >= 2
        assert sum(len(r[2]) + len(r[3]) for r in rows if r is rows[0]) >= 4


@pytest.mark.parametrize(("country", "want", "written"), NATIONAL + INTERNATIONAL)
def test_writing_gives_e164(country: str, want: str, written: str) -> None:
    found = normalise_phone(written, country)
    assert (found.value, found.country, found.stix_type) == (want, country, "phone-number")


@pytest.mark.parametrize(("country", "want", "written"), INTERNATIONAL)
def test_international_writing_needs_no_country(country: str, want: str, written: str) -> None:
    assert normalise_phone(written).value == want


@pytest.mark.parametrize(
    ("country", "want", "written"), [r for r in INTERNATIONAL if r[2].startswith("+")]
)
def test_plus_writing_wins_over_another_default(country: str, want: str, written: str) -> None:
    other = "VN" if country != "VN" else "TH"
    assert normalise_phone(written, other).value == want


@pytest.mark.parametrize(
    ("written", "country", "why"),
    [
        ("0912345678", None, "needs a country"),
        ("+84 12", None, "phone"),
        ("+84 1234567890123", None, "impossible length"),
        ("+66 00 000 0000", None, "allocated"),
        ("091234567x", "VN", "only +"),
        ("call me", "VN", "only +"),
        ("12", "VN", "digits"),
        ("0912345678", "Viet Nam", "alpha-2"),
    ],
)
def test_invalid_numbers_are_refused_saying_why(
    written: str, country: str | None, why: str
) -> None:
    with pytest.raises(InvalidInput, match=why) as caught:
        normalise_phone(written, country)
    assert caught.value.field == "phone"


@pytest.mark.parametrize(
    ("raw", "want"),
    [("VCB", "VCB"), ("Shopee", "SHOPEE"), ("KBank", "KBANK"), ("dbs-sg", "DBS-SG"),
     (" ＶＣＢ ", "VCB"), ("Grab  Food", "GRAB FOOD")],
)  # fmt: skip
def test_sender_ids_are_upper_case(raw: str, want: str) -> None:
    found = normalise_sender_id(raw, "vn")
    assert (found.value, found.country, found.stix_type) == (want, "VN", "kawan-sender-id")


@pytest.mark.parametrize("raw", ["V", "ABCDEFGHIJKL", "12345", "VCB!", "Ngân hàng"])
def test_bad_sender_ids_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_sender_id(raw)


@pytest.mark.parametrize(
    ("raw", "want"),
    [("*123*456#", "*123*456#"), ("#123#", "#123#"), ("* 101 #", "*101#"), ("*#06#", "*#06#"),
     ("＊１２３＃", "*123#")],
)  # fmt: skip
def test_ussd_codes_keep_their_writing(raw: str, want: str) -> None:
    assert normalise_ussd(raw).value == want


@pytest.mark.parametrize("raw", ["123#", "*123", "*#", "*12a#"])
def test_bad_ussd_codes_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="USSD"):
        normalise_ussd(raw)
