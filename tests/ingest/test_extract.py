"""Table-driven tests of `extract`: each form, each language, defanged, full-width, and
near-misses that must not be found."""

from __future__ import annotations

import pytest

from kawan.ingest.extract import Found, extract, is_short_link


def found(text: str, country: str | None = None) -> list[tuple[str, str]]:
    """(kind, raw) of everything found, in order."""
    return [(f.identifier.kind, f.raw) for f in extract(text, country=country)]


def values(text: str, country: str | None = None) -> list[tuple[str, str]]:
    """(kind, normalised value) of everything found, in order."""
    return [(f.identifier.kind, f.identifier.value) for f in extract(text, country=country)]


# (text, country, [(kind, raw)], [(kind, value)] or None when the value is not checked)
LANGUAGES = [
    # Thai: no spaces between words
    ("โทร0812345678ด่วน", "TH", [("phone", "0812345678")], [("phone", "+66812345678")]),
    ("คลิกbit.ly/3abcแล้ว", "TH", [("url", "bit.ly/3abc")], [("url", "http://bit.ly/3abc")]),
    (
        "โอนเข้าบัญชี กสิกรไทย 123-4-56789-0 ภายในวันนี้",
        "TH",
        [("bank-account", "123-4-56789-0")],
        [("bank-account", "TH:KASITHBK:1234567890")],
    ),
    ("โทร ๐๘๑-๒๓๔-๕๖๗๘ นะคะ", "TH", [("phone", "๐๘๑-๒๓๔-๕๖๗๘")], [("phone", "+66812345678")]),
    ("สมัครกด*123*45#โทรออก", "TH", [("ussd", "*123*45#")], [("ussd", "*123*45#")]),
    ("แอดไลน์ @abc123 ด่วน", "TH", [("messenger", "@abc123")], None),
    ("ติดต่อ LINE ID: scam_th88 ได้เลย", "TH", [("messenger", "scam_th88")], None),
    ("แอดไลน์ID：xrn5", "TH", [("messenger", "xrn5")], None),
    # Vietnamese
    (
        "STK 0011004123456 Vietcombank chủ TK Nguyen Van A",
        "VN",
        [("bank-account", "0011004123456")],
        [("bank-account", "VN:BFTVVNVX:0011004123456")],
    ),
    ("Gọi ngay 0912 345 678 để nhận quà", "VN", [("phone", "0912 345 678")], None),
    ("Truy cập shopee-th.xyz/a để nhận thưởng", "VN", [("url", "shopee-th.xyz/a")], None),
    ("Liên hệ Zalo: 0987654321", "VN", [("phone", "0987654321")], [("phone", "+84987654321")]),
    # Bahasa Indonesia / Malay
    (
        "Hubungi WA +62 812-3456-7890 sekarang",
        "ID",
        [("phone", "+62 812-3456-7890")],
        [("phone", "+6281234567890")],
    ),
    (
        "Transfer ke rekening BCA 1234567890 a.n. Budi",
        "ID",
        [("bank-account", "1234567890")],
        [("bank-account", "ID:CENAIDJA:1234567890")],
    ),
    ("Sila hubungi 012-345 6789 segera", "MY", [("phone", "012-345 6789")], None),
    ("Klik www.hadiah-gratis.com sekarang", "ID", [("url", "www.hadiah-gratis.com")], None),
    # Chinese
    ("请联系13812345678领取", "CN", [("phone", "13812345678")], [("phone", "+8613812345678")]),
    (
        "访问ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ领取",
        "CN",
        [("url", "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ")],
        [("url", "http://www.example.com/")],
    ),
    ("加微信：abc_123", "CN", [("messenger", "abc_123")], None),
    # Japanese
    (
        "お問い合わせは０９０－１２３４－５６７８まで",
        "JP",
        [("phone", "０９０－１２３４－５６７８")],
        [("phone", "+819012345678")],
    ),
    ("詳細はhttps://example.jp/loginへ", "JP", [("url", "https://example.jp/login")], None),
    # Korean
    (
        "문의 010-1234-5678 로 연락",
        "KR",
        [("phone", "010-1234-5678")],
        [("phone", "+821012345678")],
    ),
    ("카톡 ID: scam99 추가", "KR", [("messenger", "scam99")], None),
    ("링크: bit.ly/abc123 클릭", "KR", [("url", "bit.ly/abc123")], None),
]

FORMS = [
    ("go to https://example.com/a?b=1#c now", [("url", "https://example.com/a?b=1#c")]),
    ("go to www.x.com", [("url", "www.x.com")]),
    ("see bit.ly", [("url", "bit.ly")]),
    ("visit example.co.th today", [("domain", "example.co.th")]),
    ("C2 at 45.77.12.9 and 2001:db8::1", [("ipv4", "45.77.12.9"), ("ipv6", "2001:db8::1")]),
    ("C2 at 45.77.12.9:8080", [("ipv4", "45.77.12.9")]),
    ("payload 45.77.12.9/x.sh", [("url", "45.77.12.9/x.sh")]),
    ("mail scam.er+1@Gmail.com now", [("email", "scam.er+1@Gmail.com")]),
    ("md5 d41d8cd98f00b204e9800998ecf8427e", [("hash", "d41d8cd98f00b204e9800998ecf8427e")]),
    (
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.",
        [("hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")],
    ),
    (
        "btc 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        [("crypto-wallet", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")],
    ),
    (
        "ส่งมาที่ bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ด่วน",
        [("crypto-wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")],
    ),
    (
        "ETH: 0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe",
        [("crypto-wallet", "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe")],
    ),
    (
        "USDT TRC20 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        [("crypto-wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")],
    ),
    ("dial #123# or *#06#", [("ussd", "#123#"), ("ussd", "*#06#")]),
    ("join t.me/scamgroup", [("messenger", "t.me/scamgroup")]),
    ("add line.me/ti/p/~scam88", [("messenger", "line.me/ti/p/~scam88")]),
    ("Telegram: @cheap_usdt_otc", [("messenger", "@cheap_usdt_otc")]),
    (
        "call +66 81 234 5678 or +84 912 345 678",
        [("phone", "+66 81 234 5678"), ("phone", "+84 912 345 678")],
    ),
    ("WhatsApp 0065 9123 4567", [("phone", "0065 9123 4567")]),
]

DEFANGED = [
    ("hxxps://evil[.]com/login", [("url", "hxxps://evil[.]com/login")], "https://evil.com/login"),
    ("hXXp://evil.com/a", [("url", "hXXp://evil.com/a")], "http://evil.com/a"),
    ("hxxp[:]//evil.com/a", [("url", "hxxp[:]//evil.com/a")], "http://evil.com/a"),
    ("hxxps[://]evil.com/a", [("url", "hxxps[://]evil.com/a")], "https://evil.com/a"),
    ("domain evil(dot)com seen", [("domain", "evil(dot)com")], "evil.com"),
    ("domain evil[dot]co[.]th seen", [("domain", "evil[dot]co[.]th")], "evil.co.th"),
    ("domain evil (.) com seen", [("domain", "evil (.) com")], "evil.com"),
    ("mail bad.guy[at]evil[.]com", [("email", "bad.guy[at]evil[.]com")], "bad.guy@evil.com"),
    ("mail bad.guy(@)evil.com", [("email", "bad.guy(@)evil.com")], "bad.guy@evil.com"),
    ("ip 192.168.1[.]1", [("ipv4", "192.168.1[.]1")], "192.168.1.1"),
    ("visit evil dot com now", [("domain", "evil dot com")], "evil.com"),
]

NOT_FOUND = [
    ("วันที่ 12.05.2024 เวลา 10.30 น.", "TH"),
    ("version 1.2.3.4 released", None),
    ("v1.2.3.4", None),
    ("ip 1.2.3.4.5 is not an address", None),
    ("ราคา 1,250,000 บาท", "TH"),
    ("Giá chỉ 12.500.000 đồng", "VN"),
    ("Harga Rp 12.500.000 saja", "ID"),
    ("รหัส OTP 123456 ห้ามบอกใคร", "TH"),
    ("Mã OTP của bạn là 482913", "VN"),
    ("รายได้ต่อวัน 1000-7000 บาท", "TH"),
    ("ฝาก 100 รับ 200 ถอน 300", "TH"),
    ("meeting at 12:30:45 today", None),
    ("2022-06-24 and 30/04/2022 11.00", "TH"),
    ("20.00-22:00 วันนี้เท่านั้น", "TH"),
    ("the dot to the left", None),
    ("No.1 เว็บตรง Ms. Marvel", "TH"),
    ("ติดต่อ ID : 55661666", "TH"),
    ("call 0812345678", None),  # national number, no default country: not a phone
    ("IP 128.652.32.64 invalid", None),
    ("see dxdk33.viopdki", None),  # no public suffix
    ("std::vector<int> and a::b", None),
    ("ใช้ <OTP 983539> <Ref. FB3S> เพื่อสมัคร SCB พร้อมเพย์", "TH"),
    ("รหัส OTP ของ กสิกรไทย คือ 4839201", "TH"),
]


@pytest.mark.parametrize(("text", "country", "expected", "normalised"), LANGUAGES)
def test_languages(
    text: str,
    country: str,
    expected: list[tuple[str, str]],
    normalised: list[tuple[str, str]] | None,
) -> None:
    assert found(text, country) == expected
    if normalised is not None:
        assert values(text, country) == normalised


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_forms(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text, "TH") == expected


@pytest.mark.parametrize(("text", "expected", "value"), DEFANGED)
def test_defanged(text: str, expected: list[tuple[str, str]], value: str) -> None:
    result = extract(text)
    assert [(f.identifier.kind, f.raw) for f in result] == expected
    assert result[0].identifier.value == value
    assert result[0].defanged


@pytest.mark.parametrize(("text", "country"), NOT_FOUND)
def test_near_misses_are_not_found(text: str, country: str | None) -> None:
    assert found(text, country) == []


def test_positions_index_the_original_text() -> None:
    text = "ด่วน！โทร０８１－２３４－５６７８หรือ hxxps://evil[.]com/x"
    result = extract(text, country="TH")
    assert [f.raw for f in result] == ["０８１－２３４－５６７８", "hxxps://evil[.]com/x"]
    for f in result:
        assert text[f.start : f.end] == f.raw
    assert [f.defanged for f in result] == [False, True]


def test_url_host_and_inner_phone_are_not_reported_again() -> None:
    assert found("https://example.com/0812345678 and shopee-th.xyz/a", "TH") == [
        ("url", "https://example.com/0812345678"),
        ("url", "shopee-th.xyz/a"),
    ]


def test_same_identifier_twice_is_reported_twice() -> None:
    text = "bit.ly/abc แล้ว bit.ly/abc"
    assert [(f.start, f.identifier.value) for f in extract(text)] == [
        (0, "http://bit.ly/abc"),
        (16, "http://bit.ly/abc"),
    ]


def test_two_phones_separated_by_a_space_are_two_phones() -> None:
    assert values("โทร 081-234-5678 02-123-4567", "TH") == [
        ("phone", "+66812345678"),
        ("phone", "+6621234567"),
    ]


def test_trailing_punctuation_is_not_part_of_a_url() -> None:
    assert found("See https://example.com/a. Or (https://example.com/b).") == [
        ("url", "https://example.com/a"),
        ("url", "https://example.com/b"),
    ]
    assert found("https://en.wikipedia.org/wiki/Foo_(bar)") == [
        ("url", "https://en.wikipedia.org/wiki/Foo_(bar)")
    ]


def test_scheme_glued_to_words() -> None:
    assert found("คุณได้รับ หนึ่งพัน th.Bhttp://sjkfekr99.com/i/WLEYOtd8f5f") == [
        ("url", "http://sjkfekr99.com/i/WLEYOtd8f5f")
    ]
    assert values("คลิกhttps//line.me/ti/p/yBY2ZbGg0c")[0][0] == "messenger"


def test_zero_width_characters_inside_an_identifier() -> None:
    text = "โทร 081\u200b234\u200b5678"
    [phone] = extract(text, country="TH")
    assert phone.identifier.value == "+66812345678"
    assert phone.raw == "081\u200b234\u200b5678"


def test_short_links() -> None:
    result = extract("bit.ly/abc https://cutt.ly/x www.example.com/a example.com")
    assert [is_short_link(f) for f in result] == [True, True, False, False]


def test_found_is_frozen() -> None:
    [f] = extract("bit.ly/abc")
    assert isinstance(f, Found)
    with pytest.raises(AttributeError):
        f.start = 3  # type: ignore[misc]


def test_a_banks_phone_number_is_a_phone() -> None:
    assert values("หากมีข้อสงสัยติดต่อKKP Contact Center 021655555", "TH") == [("phone", "+6621655555")]


def test_e_wallet_next_to_its_name() -> None:
    assert values("Kirim ke GCash 0917 123 4567 ngayon", "PH") == [
        ("e-wallet", "gcash:+639171234567")
    ]
    assert found("Pencairan dana ke 0812-3456-7890", "ID") == [("phone", "0812-3456-7890")]


def test_empty_text() -> None:
    assert extract("") == []


def test_a_number_after_a_contact_word_is_a_phone_not_the_account_named_before_it() -> None:
    text = "Chuyen tien vao STK 0011004123456 Vietcombank, lien he 0912.345.678"
    kinds = {(f.identifier.kind, f.raw) for f in extract(text, country="VN")}
    assert kinds == {("bank-account", "0011004123456"), ("phone", "0912.345.678")}


def test_a_bank_code_inside_a_link_does_not_make_a_number_an_account() -> None:
    text = "Tai khoan bi khoa. Truy cap hxxps://vcb-secure[.]top/login hoac 0912 345 678"
    kinds = {(f.identifier.kind, f.raw) for f in extract(text, country="VN")}
    assert ("phone", "0912 345 678") in kinds
    assert not any(kind == "bank-account" for kind, _ in kinds)
