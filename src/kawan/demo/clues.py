"""Identifiers scammers use, written the way victims in each country write them (pure).

Every generated writing is checked with `kawan.fraud.identifiers.normalise`; one that
does not normalise to the identifier's value is dropped, and a clue none of whose
writings normalise is not made at all (the generators return None).
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from kawan.errors import InvalidInput
from kawan.fraud.accounts import MESSENGERS, WALLETS, Service
from kawan.fraud.banks import packaged_banks
from kawan.fraud.crypto import B58_ALPHABET, eip55
from kawan.fraud.identifiers import Identifier, normalise

ACCOUNT_DIGITS: dict[str, tuple[int, ...]] = {
    "VN": (10, 13, 14), "TH": (10,), "MY": (12, 14), "SG": (9, 10), "ID": (10, 13),
    "PH": (10, 12), "KH": (9, 12), "LA": (12, 15), "MM": (13, 16), "BN": (10, 12),
    "TL": (10, 12), "CN": (16, 19), "JP": (7,), "KR": (11, 12, 13),
}  # fmt: skip
WORDS = (
    "secure", "verify", "login", "bonus", "invest", "profit", "loan", "shop", "deal", "task",
    "job", "support", "help", "pay", "gift", "reward", "vip", "trade", "coin", "express",
)  # fmt: skip
TLDS = ("com", "net", "top", "xyz", "cc", "vip", "shop", "online", "site", "app", "info")
HANDLE_CHARS = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class Clue:
    """One identifier and the ways it is written (each normalises to it)."""

    identifier: Identifier
    writings: tuple[str, ...]
    country: str  # the conventions it is written in: `normalise`'s default country

    def written(self, rng: random.Random, country: str) -> str:
        """One of its writings as a victim in `country` writes it: any at home,
        the first (international for phone numbers) abroad."""
        return rng.choice(self.writings) if country == self.country else self.writings[0]


def clue(kind: str, writings: list[str], country: str) -> Clue | None:
    """The clue of `writings` (the first one decides the value), or None."""
    found: Identifier | None = None
    kept: list[str] = []
    for text in writings:
        try:
            identifier = normalise(kind, text, country=country)
        except InvalidInput:
            continue
        if found is None:
            found = identifier
        if identifier.value == found.value and text not in kept:
            kept.append(text)
    return Clue(found, tuple(kept), country) if found is not None else None


# --- phone numbers ---


def mobile_number(rng: random.Random, country: str) -> PhoneNumber | None:
    """A valid mobile number of `country`, in the ranges its example number is in."""
    example = phonenumbers.example_number_for_type(country, PhoneNumberType.MOBILE)
    if example is None:
        return None
    digits = str(example.national_number)
    for keep in (2, 2, 2, 3, 3, len(digits) - 4):
        tail = "".join(rng.choice(string.digits) for _ in digits[keep:])
        number = phonenumbers.parse(f"+{example.country_code}{digits[:keep]}{tail}")
        if phonenumbers.is_valid_number(number):
            return number
    return None


def phone_writings(number: PhoneNumber) -> list[str]:
    """International, national digits, and national with dots: `+84 912 345 678`,
    `0912345678`, `0912.345.678`."""
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return [
        phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        re.sub(r"\D", "", national),
        re.sub(r"[\s-]+", ".", national),
        national,
    ]


def phone(rng: random.Random, country: str) -> Clue | None:
    number = mobile_number(rng, country)
    return None if number is None else clue("phone", phone_writings(number), country)


# --- bank accounts and e-wallets ---


def bank_account(rng: random.Random, country: str) -> Clue | None:
    banks = [b for b in packaged_banks().banks if b.country == country]
    if not banks:
        return None
    bank = rng.choice(banks)
    digits = "".join(rng.choice(string.digits) for _ in range(rng.choice(ACCOUNT_DIGITS[country])))
    grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    names = [bank.name, *bank.aliases[:1]]
    return clue("bank-account", [f"{bank.name} {digits}", f"{names[-1]} {grouped}"], country)


def services_of(services: tuple[Service, ...], country: str) -> list[Service]:
    return [s for s in services if country in s.countries]


def e_wallet(rng: random.Random, country: str) -> Clue | None:
    wallets = [s for s in services_of(WALLETS, country) if "phone" in s.accounts]
    number = mobile_number(rng, country)
    if not wallets or number is None:
        return None
    wallet = rng.choice(wallets)
    writings = phone_writings(number)
    return clue(
        "e-wallet", [f"{wallet.name} {writings[3]}", f"{wallet.key}:{writings[1]}"], country
    )


# --- messenger handles ---


def handle(rng: random.Random) -> str:
    first = rng.choice(WORDS)
    second = rng.choice(("support", "cs", "admin", "official", "team", "vip", "help"))
    return f"{first}_{second}{rng.randrange(10, 9999)}"


def messenger(rng: random.Random, country: str) -> Clue | None:
    """A Telegram handle, or the country's own messenger (LINE, Zalo, KakaoTalk, WeChat)."""
    local = [s.key for s in MESSENGERS if country in s.countries]
    local += {"TH": ["line"], "JP": ["line"]}.get(country, [])
    platform = rng.choice(["telegram", "telegram", "whatsapp", *local])
    name = handle(rng)
    if platform == "telegram":
        return clue(
            "messenger", [f"Telegram @{name}", f"t.me/{name}", f"telegram:@{name}"], country
        )
    if platform == "line":
        return clue("messenger", [f"LINE @{name[:18]}", f"line:@{name[:18]}"], country)
    if platform == "kakaotalk":
        code = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
        return clue("messenger", [f"open.kakao.com/o/{code}", f"KakaoTalk open/{code}"], country)
    if platform == "wechat":
        return clue("messenger", [f"WeChat {name[:19]}", f"wechat:{name[:19]}"], country)
    number = mobile_number(rng, country)
    if number is None:
        return None
    writings = phone_writings(number)
    if platform == "zalo":
        return clue("messenger", [f"Zalo {writings[1]}", f"zalo.me/{writings[1]}"], country)
    digits = re.sub(r"\D", "", writings[0])
    return clue("messenger", [f"WhatsApp {writings[0]}", f"wa.me/{digits}"], country)


# --- crypto wallets and URLs ---


def base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = B58_ALPHABET[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def crypto_wallet(rng: random.Random, country: str) -> Clue | None:
    """An Ethereum (EIP-55), Tron (USDT-TRC20, the scammers' favourite) or Bitcoin address."""
    body = rng.getrandbits(160).to_bytes(20, "big")
    chain = rng.choice(("eth", "tron", "tron", "btc"))
    if chain == "eth":
        address = eip55("0x" + body.hex())
        return clue("crypto-wallet", [address, address.lower()], country)
    version = b"\x41" if chain == "tron" else b"\x00"
    return clue("crypto-wallet", [base58check(version + body)], country)


def url(rng: random.Random, country: str) -> Clue | None:
    host = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}{rng.randrange(1, 99)}.{rng.choice(TLDS)}"
    path = "".join(rng.choice(HANDLE_CHARS) for _ in range(6))
    return clue("url", [f"https://{host}/{path}"], country)


GENERATORS = {
    "phone": phone,
    "bank-account": bank_account,
    "e-wallet": e_wallet,
    "messenger": messenger,
    "crypto-wallet": crypto_wallet,
    "url": url,
}


def make_clue(rng: random.Random, kind: str, country: str) -> Clue | None:
    return GENERATORS[kind](rng, country)
