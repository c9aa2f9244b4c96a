"""E-wallet accounts (provider + account) and messenger handles (platform + handle).

Values: `provider:account` (`momo:+84912345678`, `promptpay:1101700230708`,
`alipay:someone@example.com`) and `platform:handle` (`telegram:@scam_support`,
`whatsapp:+66812345678`, `line:@shopdeal`, `kakaotalk:open/AbC123`). Phone numbers are in
E.164, read with the provider's or platform's country when it has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.th import tin as th_tin

from kawan.errors import InvalidInput
from kawan.fraud.kinds import Identifier, cleaned, country_code, make, refuse
from kawan.fraud.network import normalise_email
from kawan.fraud.phones import e164


@dataclass(frozen=True)
class Service:
    key: str  # the prefix of values
    name: str
    countries: tuple[str, ...]  # where it is used; one country = default dialling region
    accounts: tuple[str, ...]  # what identifies an account: phone, th-id, email, handle
    aliases: tuple[str, ...] = ()

    @property
    def default_country(self) -> str | None:
        return self.countries[0] if len(self.countries) == 1 else None


WALLETS = (
    Service("momo", "MoMo", ("VN",), ("phone",), ("vimomo",)),
    Service("zalopay", "ZaloPay", ("VN",), ("phone",)),
    Service("gcash", "GCash", ("PH",), ("phone",)),
    Service("maya", "Maya", ("PH",), ("phone",), ("paymaya",)),
    Service("gopay", "GoPay", ("ID",), ("phone",)),
    Service("ovo", "OVO", ("ID",), ("phone",)),
    Service("dana", "DANA", ("ID",), ("phone",)),
    Service("shopeepay", "ShopeePay", ("ID", "MY", "PH", "SG", "TH", "VN"), ("phone",)),
    Service("truemoney", "TrueMoney", ("TH",), ("phone",), ("truemoneywallet",)),
    Service("promptpay", "PromptPay", ("TH",), ("th-id", "phone"), ("พร้อมเพย์",)),
    Service("tng", "Touch 'n Go eWallet", ("MY",), ("phone",), ("touchngo", "touchngoewallet")),
    Service("grabpay", "GrabPay", ("SG", "MY", "PH", "ID", "TH", "VN", "KH", "MM"), ("phone",)),
    Service("alipay", "Alipay", ("CN",), ("phone", "email"), ("支付宝",)),
    Service("wechatpay", "WeChat Pay", ("CN",), ("phone", "handle"), ("微信支付",)),
    Service("kakaopay", "KakaoPay", ("KR",), ("phone",), ("카카오페이",)),
    Service("paypay", "PayPay", ("JP",), ("phone",)),
    Service("linepay", "LINE Pay", ("TH", "JP"), ("phone",), ("rabbitlinepay",)),
)
MESSENGERS = (
    Service("telegram", "Telegram", (), ("handle", "phone"), ("tg",)),
    Service("line", "LINE", (), ("handle",)),
    Service("zalo", "Zalo", ("VN",), ("phone",)),
    Service("kakaotalk", "KakaoTalk", ("KR",), ("phone", "handle"), ("kakao", "카카오톡")),
    Service("wechat", "WeChat", ("CN",), ("phone", "handle"), ("weixin", "微信")),
    Service("whatsapp", "WhatsApp", (), ("phone",), ("wa",)),
)
HANDLES = {
    "telegram": re.compile(r"^@[a-z][a-z0-9_]{4,31}$"),
    "line": re.compile(r"^@?[a-z0-9._-]{4,20}$"),
    "kakaotalk": re.compile(r"^(?:[a-z0-9._-]{2,20}|open/[A-Za-z0-9]{4,16})$"),
    "wechat": re.compile(r"^[a-z][a-z0-9_-]{5,19}$"),
    "wechatpay": re.compile(r"^[a-z][a-z0-9_-]{5,19}$"),
}
LINKS = (  # messenger links: (pattern on host+path without scheme, platform, prefix)
    (re.compile(r"^(?:t\.me|telegram\.me|telegram\.dog)/([A-Za-z0-9_]+)/?$"), "telegram", "@"),
    (re.compile(r"^wa\.me/\+?([0-9]+)/?$"), "whatsapp", "+"),
    (re.compile(r"^api\.whatsapp\.com/send/?\?phone=\+?([0-9]+)"), "whatsapp", "+"),
    (re.compile(r"^zalo\.me/([0-9]+)/?$"), "zalo", ""),
    (re.compile(r"^line\.me/(?:R/)?ti/p/~?(@?[A-Za-z0-9._-]+)/?$"), "line", ""),
    (re.compile(r"^open\.kakao\.com/o/([A-Za-z0-9]+)/?$"), "kakaotalk", "open/"),
)


def squashed(name: str) -> str:
    """How service names compare: case-folded, without spaces and punctuation."""
    return re.sub(r"[\s'’.\-_]", "", name.casefold())


def _index(services: tuple[Service, ...]) -> dict[str, Service]:
    return {squashed(n): s for s in services for n in (s.key, s.name, *s.aliases)}


_WALLETS, _MESSENGERS = _index(WALLETS), _index(MESSENGERS)


def _split(text: str, kind: str, index: dict[str, Service]) -> tuple[Service, str]:
    """(service, account) of `service:account` or `Service Name account`."""
    head, colon, rest = text.partition(":")
    if colon and squashed(head) in index:
        return (index[squashed(head)], rest.strip())
    words = text.split()
    for n in range(len(words) - 1, 0, -1):
        service = index.get(squashed("".join(words[:n])))
        if service is not None:
            return (service, " ".join(words[n:]))
    names = ", ".join(sorted({s.key for s in index.values()}))
    refuse(kind, f"write it as provider:account with a provider of {names}")


def _account(service: Service, account: str, country: str | None, kind: str) -> str:
    """The canonical account text, trying what identifies an account on this service."""
    reasons: list[str] = []
    for form in service.accounts:
        try:
            return _as(form, service, account, country, kind)
        except InvalidInput as exc:
            reasons.append(exc.message)
    refuse(kind, f"{service.name}: " + "; ".join(reasons))


def _as(form: str, service: Service, account: str, country: str | None, kind: str) -> str:
    if form == "phone":
        return e164(account, country or service.default_country, kind)[0]
    if form == "email":
        return normalise_email(account).value
    if form == "th-id":
        digits = re.sub(r"[\s-]", "", account)
        if len(digits) != 13 or not th_tin.is_valid(digits):
            refuse(kind, "not a 13-digit Thai id with a valid check digit")
        return digits
    return _handle(service, account, kind)


def _handle(service: Service, account: str, kind: str) -> str:
    handle = account.strip()
    if not handle.startswith("open/"):
        handle = handle.lower()
    if service.key == "telegram" and not handle.startswith("@"):
        handle = "@" + handle
    if not HANDLES[service.key].match(handle):
        refuse(kind, f"{account!r} is not a {service.name} id")
    return handle


def _identifier(kind: str, service: Service, account: str, country: str | None) -> Identifier:
    canonical = _account(service, account, country, kind)
    where = country or service.default_country
    if canonical.startswith("+"):
        where = e164(canonical, None, kind)[1]
    extra = {"provider" if kind == "e-wallet" else "platform": service.key, "account": canonical}
    return make(kind, f"{service.key}:{canonical}", country=where, extra=extra)


def e_wallet(provider: str, account: str, *, country: str | None = None) -> Identifier:
    """An e-wallet account from explicit fields: provider name and account."""
    service = _WALLETS.get(squashed(cleaned(provider, "e-wallet")))
    if service is None:
        refuse("e-wallet", f"unknown e-wallet provider {provider!r}")
    text = cleaned(account, "e-wallet")
    return _identifier("e-wallet", service, text, country_code(country, "e-wallet"))


def normalise_e_wallet(raw: str, country: str | None = None) -> Identifier:
    """An e-wallet account written `momo:0912345678` or `GCash 0917 123 4567`."""
    service, account = _split(cleaned(raw, "e-wallet"), "e-wallet", _WALLETS)
    return _identifier("e-wallet", service, account, country_code(country, "e-wallet"))


def messenger_handle(platform: str, handle: str, *, country: str | None = None) -> Identifier:
    """A messenger handle from explicit fields: platform name and handle or phone."""
    service = _MESSENGERS.get(squashed(cleaned(platform, "messenger")))
    if service is None:
        refuse("messenger", f"unknown messenger {platform!r}")
    text = cleaned(handle, "messenger")
    return _identifier("messenger", service, text, country_code(country, "messenger"))


def normalise_messenger(raw: str, country: str | None = None) -> Identifier:
    """A handle written `telegram:@name`, `Telegram @name`, `t.me/name`, `wa.me/8491…`."""
    text = cleaned(raw, "messenger")
    region = country_code(country, "messenger")
    link = re.sub(r"^(?:https?://)?(?:www\.)?", "", text, flags=re.IGNORECASE)
    for pattern, platform, prefix in LINKS:
        found = pattern.match(link)
        if found:
            service = _MESSENGERS[platform]
            return _identifier("messenger", service, prefix + found[1], region)
    service, account = _split(text, "messenger", _MESSENGERS)
    return _identifier("messenger", service, account, region)
