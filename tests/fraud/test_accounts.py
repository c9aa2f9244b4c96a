"""E-wallets and messenger handles."""

from __future__ import annotations

import pytest

from kawan.errors import InvalidInput
from kawan.fraud.accounts import (
    e_wallet,
    messenger_handle,
    normalise_e_wallet,
    normalise_messenger,
)

WALLETS = [
    ("momo:0912345678", None, "momo:+84912345678"),
    ("MoMo 0912 345 678", None, "momo:+84912345678"),
    ("ZaloPay: +84 912 345 678", None, "zalopay:+84912345678"),
    ("GCash 0917 123 4567", None, "gcash:+639171234567"),
    ("PayMaya 0917-123-4567", None, "maya:+639171234567"),
    ("GoPay 0812-3456-7890", None, "gopay:+6281234567890"),
    ("OVO 0812 3456 7890", None, "ovo:+6281234567890"),
    ("DANA:081234567890", None, "dana:+6281234567890"),
    ("ShopeePay 0912345678", "VN", "shopeepay:+84912345678"),
    ("shopeepay:+60 12-345 6789", None, "shopeepay:+60123456789"),
    ("True Money 081-234-5678", None, "truemoney:+66812345678"),
    ("PromptPay 1101700230708", None, "promptpay:1101700230708"),
    ("promptpay:1-1017-00230-70-8", None, "promptpay:1101700230708"),
    ("PromptPay 081 234 5678", None, "promptpay:+66812345678"),
    ("Touch 'n Go 012-345 6789", None, "tng:+60123456789"),
    ("GrabPay +65 9123 4567", None, "grabpay:+6591234567"),
    ("Alipay 138 0013 8000", None, "alipay:+8613800138000"),
    ("alipay:Some.One@Example.COM", None, "alipay:some.one@example.com"),
    ("WeChat Pay wxid_Abc123", None, "wechatpay:wxid_abc123"),
    ("KakaoPay 010-1234-5678", None, "kakaopay:+821012345678"),
    ("PayPay 090-1234-5678", None, "paypay:+819012345678"),
    ("LINE Pay 081-234-5678", "TH", "linepay:+66812345678"),
]
HANDLES = [
    ("telegram:@Scam_Support", "telegram:@scam_support"),
    ("Telegram @scam_support", "telegram:@scam_support"),
    ("telegram:scam_support", "telegram:@scam_support"),
    ("https://t.me/scam_support", "telegram:@scam_support"),
    ("telegram.me/Scam_Support/", "telegram:@scam_support"),
    ("telegram:+84 912 345 678", "telegram:+84912345678"),
    ("wa.me/84912345678", "whatsapp:+84912345678"),
    ("https://api.whatsapp.com/send?phone=66812345678", "whatsapp:+66812345678"),
    ("WhatsApp +66 81 234 5678", "whatsapp:+66812345678"),
    ("zalo.me/0912345678", "zalo:+84912345678"),
    ("Zalo 0912 345 678", "zalo:+84912345678"),
    ("line:@ShopDeal", "line:@shopdeal"),
    ("https://line.me/ti/p/~john.doe", "line:john.doe"),
    ("open.kakao.com/o/sAbC123", "kakaotalk:open/sAbC123"),
    ("KakaoTalk 010-1234-5678", "kakaotalk:+821012345678"),
    ("카카오톡: scammer.kim", "kakaotalk:scammer.kim"),
    ("WeChat wxid_abc123", "wechat:wxid_abc123"),
    ("微信 138 0013 8000", "wechat:+8613800138000"),
]


@pytest.mark.parametrize(("raw", "country", "want"), WALLETS)
def test_wallets(raw: str, country: str | None, want: str) -> None:
    found = normalise_e_wallet(raw, country)
    assert (found.value, found.stix_type) == (want, "kawan-e-wallet")
    assert normalise_e_wallet(found.value).value == want


@pytest.mark.parametrize(("raw", "want"), HANDLES)
def test_handles(raw: str, want: str) -> None:
    found = normalise_messenger(raw)
    assert (found.value, found.stix_type) == (want, "kawan-messenger-handle")
    assert normalise_messenger(found.value).value == want


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("ShopeePay 0912345678", "needs a country"),
        ("promptpay:1101700230707", "check digit"),
        ("venmo:0912345678", "provider:account"),
        ("momo:not a number", "MoMo"),
        ("alipay:nobody@", "Alipay"),
    ],
)
def test_bad_wallets_are_refused(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        normalise_e_wallet(raw)


@pytest.mark.parametrize(
    ("raw", "why"),
    [("telegram:@abc", "Telegram"), ("@someone", "provider:account"), ("signal:x", "account")],
)
def test_bad_handles_are_refused(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        normalise_messenger(raw)


def test_explicit_fields() -> None:
    wallet = e_wallet("Touch 'n Go eWallet", "012-345 6789")
    assert (wallet.value, wallet.country) == ("tng:+60123456789", "MY")
    assert wallet.properties == {
        "value": "tng:+60123456789",
        "provider": "tng",
        "account": "+60123456789",
    }
    handle = messenger_handle("Telegram", "@Name_12345")
    assert (handle.value, handle.country) == ("telegram:@name_12345", None)
    with pytest.raises(InvalidInput, match="unknown e-wallet"):
        e_wallet("Venmo", "1")
    with pytest.raises(InvalidInput, match="unknown messenger"):
        messenger_handle("Signal", "1")
