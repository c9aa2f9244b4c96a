"""Find candidate network identifiers in folded text (see `extract_fold`).

Each scanner yields `Candidate`s: a span of the folded text and the ways to read it,
(kind, text for the normaliser) in order of preference. Candidates may overlap; the
caller (`extract`) validates them with the normalisers and keeps the best
non-overlapping set. Boundaries are ASCII-based on purpose: Thai, Lao, Khmer, Myanmar,
Chinese, Japanese and Korean text touches identifiers with no space between, and only
an ASCII letter or digit can continue one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Rank breaks ties between equally long spans: the more specific reading wins.
RANKS: dict[str, int] = {
    "bank-account": 0,
    "e-wallet": 1,
    "messenger": 2,
    "url": 3,
    "email": 4,
    "crypto-wallet": 5,
    "hash": 6,
    "ipv6": 7,
    "ipv4": 8,
    "domain": 9,
    "ussd": 10,
    "phone": 11,
}


@dataclass(frozen=True)
class Candidate:
    """A span `[start, end)` of the folded text and its readings, best first."""

    start: int
    end: int
    tries: tuple[tuple[str, str], ...]  # (kind, text handed to the normaliser)
    host: str | None = None  # a bare URL's host, which must be a domain under a public suffix

    @property
    def rank(self) -> int:
        return RANKS[self.tries[0][0]]


SHORTENERS = frozenset(
    "bit.ly cutt.ly tinyurl.com t.co goo.gl ow.ly is.gd s.id rebrand.ly shorturl.asia "
    "shorturl.at rb.gy tiny.cc adf.ly buff.ly lin.ee v.gd t.ly shorte.st bl.ink cli.re "
    "u.to qr.net page.link app.link onelink.me dwz.cn url.cn t.cn s.yam.com reurl.cc "
    "han.gl me2.do vo.la urlz.fr bitly.com".split()
)
# host -> platform, for links that name a messenger account
MESSENGER_HOSTS: dict[str, str] = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "line.me": "line",
    "wa.me": "whatsapp",
    "m.me": "messenger",
    "zalo.me": "zalo",
    "open.kakao.com": "kakaotalk",
}

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9])"
_HOST = rf"(?:{_LABEL}\.)+{_TLD}"
_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_URL_CHAR = r"[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%()]"

_SCHEME_URL = re.compile(rf"(?i:https?|ftp):?//(?:{_URL_CHAR})+")
_BARE = re.compile(
    rf"(?<![A-Za-z0-9._%+/\-])(?P<host>{_HOST}|{_IPV4}(?=(?::\d{{1,5}})?[/?#]))"
    rf"(?P<port>:\d{{1,5}}(?![0-9]))?(?P<path>[/?#](?:{_URL_CHAR})*)?(?![A-Za-z0-9_\-])"
)
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{{0,63}}@{_HOST}(?![A-Za-z0-9\-])"
)
_IPV4_ALONE = re.compile(rf"(?<![0-9A-Za-z.])(?:{_IPV4})(?![0-9A-Za-z]|\.[0-9A-Za-z])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}(?![0-9A-Za-z:])")
_HASH = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{128}|[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})"
    r"(?![0-9A-Za-z])"
)
_B58 = "1-9A-HJ-NP-Za-km-z"
_CRYPTO = re.compile(
    r"(?<![0-9A-Za-z])(?:0x[0-9a-fA-F]{40}"
    rf"|[13][{_B58}]{{25,34}}"
    r"|(?i:bc1|tb1)[0-9A-Za-z]{8,87}"
    rf"|T[{_B58}]{{33}})(?![0-9A-Za-z])"
)
_USSD = re.compile(r"(?<![0-9A-Za-z*#])[*#]{1,2}\d{1,4}(?:\*\d{1,20})*#(?![0-9A-Za-z*#])")
_VERSION_BEFORE = re.compile(
    r"(?i:\b(?:v|ver|version|versi|versión|build|release|rev)|phiên bản|เวอร์ชั่น|เวอร์ชัน"
    r"|版本|バージョン|버전)\.?\s*:?\s*$"
)
_HANDLE = re.compile(r"(?<![A-Za-z0-9._%+\-@])@(?P<handle>[A-Za-z0-9_][A-Za-z0-9_.]{1,31})")
_PLATFORMS: dict[str, str] = {
    "line": "line",
    "ไลน์": "line",
    "telegram": "telegram",
    "tele": "telegram",
    "tg": "telegram",
    "wechat": "wechat",
    "weixin": "wechat",
    "微信": "wechat",
    "kakao": "kakaotalk",
    "kakaotalk": "kakaotalk",
    "카톡": "kakaotalk",
    "카카오톡": "kakaotalk",
    "zalo": "zalo",
    "whatsapp": "whatsapp",
    "wa": "whatsapp",
}
_PLATFORM_RE = "|".join(sorted(map(re.escape, _PLATFORMS), key=len, reverse=True))
_LABELLED = re.compile(
    rf"(?i:(?<![A-Za-z])(?P<id1>id\s*)?(?P<platform>{_PLATFORM_RE})"
    r"(?:(?P<id2>\s*(?:id|ไอดี))(?![A-Za-z])|(?![A-Za-z])))"
    r"(?:\s*[:=]\s*|(?<=[dDี])\s+)@?(?P<handle>[A-Za-z0-9_~][A-Za-z0-9._\-~]{1,39})"
)
_PLATFORM_BEFORE = re.compile(
    rf"(?i:(?<![A-Za-z])(?P<platform>{_PLATFORM_RE})(?![A-Za-z])(?:\s*(?:id|ไอดี))?)\s*[:=]?\s*$"
)
_PHONE_PLATFORMS = frozenset({"whatsapp", "zalo"})
_HANDLE_STOPWORDS = frozenset(
    {"line", "link", "gmail", "hotmail", "yahoo", "outlook", "http", "https"}
)


def scan(text: str) -> Iterator[Candidate]:
    """Every candidate network identifier in folded `text`."""
    yield from _urls_with_scheme(text)
    yield from _bare_hosts(text)
    yield from _simple(text, _EMAIL, "email")
    yield from _ipv4(text)
    yield from _ipv6(text)
    yield from _hashes(text)
    yield from _simple(text, _CRYPTO, "crypto-wallet")
    yield from _simple(text, _USSD, "ussd")
    yield from _handles(text)
    yield from _labelled_handles(text)


def _simple(text: str, pattern: re.Pattern[str], kind: str) -> Iterator[Candidate]:
    for match in pattern.finditer(text):
        yield Candidate(match.start(), match.end(), ((kind, match.group()),))


def trim_url(url: str) -> str:
    """Drop trailing punctuation that ends the sentence rather than the URL."""
    while url:
        last = url[-1]
        if last in ".,;:!?*'\"[":
            url = url[:-1]
        elif last == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        elif last == "]" and url.count("[") < url.count("]"):
            url = url[:-1]
        else:
            break
    return url


def host_of(url: str) -> str:
    """The lower-cased host of `url` written with or without a scheme."""
    rest = url.split("//", 1)[1] if "//" in url[:10] else url
    host = re.split(r"[/?#:]", rest, maxsplit=1)[0]
    return host.rsplit("@", 1)[-1].lower()


def _url_tries(url: str) -> tuple[tuple[str, str], ...]:
    host = host_of(url)
    if host.startswith("www."):
        host = host[4:]
    platform = MESSENGER_HOSTS.get(host)
    if platform is not None:
        return (("messenger", url), ("url", url))
    return (("url", url),)


def _urls_with_scheme(text: str) -> Iterator[Candidate]:
    for match in _SCHEME_URL.finditer(text):
        url = trim_url(match.group())
        scheme, _, rest = url.partition("//")
        if not rest:
            continue
        fixed = scheme.rstrip(":").lower() + "://" + rest  # `https//x` is common in SMS
        yield Candidate(match.start(), match.start() + len(url), _url_tries(fixed))


def _bare_hosts(text: str) -> Iterator[Candidate]:
    for match in _BARE.finditer(text):
        host = match.group("host")
        written = trim_url(match.group())
        if len(written) < len(host):
            written = host
        end = match.start() + len(written)
        bare = host.lower().removeprefix("www.")
        if len(written) > len(host) or host.lower().startswith("www.") or bare in SHORTENERS:
            checked = None if re.fullmatch(_IPV4, host) else host
            yield Candidate(match.start(), end, _url_tries("http://" + written), checked)
        elif not host[0].isdigit() or not re.fullmatch(_IPV4, host):
            yield Candidate(match.start(), end, (("domain", host),))


def _ipv4(text: str) -> Iterator[Candidate]:
    for match in _IPV4_ALONE.finditer(text):
        if _VERSION_BEFORE.search(text, max(0, match.start() - 20), match.start()):
            continue
        yield Candidate(match.start(), match.end(), (("ipv4", match.group()),))


def _ipv6(text: str) -> Iterator[Candidate]:
    for match in _IPV6.finditer(text):
        value = match.group().rstrip(".")
        colons = value.count(":")
        if colons < 2 or ("::" not in value and colons != 7):
            continue
        if not any(c.isdigit() for c in value):
            continue  # `a::b`, `dead::beef`: code, not addresses
        yield Candidate(match.start(), match.start() + len(value), (("ipv6", value),))


def _hashes(text: str) -> Iterator[Candidate]:
    for match in _HASH.finditer(text):
        value = match.group()
        if value.isdigit() or value.isalpha():
            continue
        yield Candidate(match.start(), match.end(), (("hash", value),))


def _handles(text: str) -> Iterator[Candidate]:
    for match in _HANDLE.finditer(text):
        handle = match.group("handle").rstrip(".")
        if handle.lower() in _HANDLE_STOPWORDS:
            continue
        end = match.start() + 1 + len(handle)
        platform = _platform_before(text, match.start())
        if platform is not None:  # a bare `@name` could be any platform's
            yield Candidate(match.start(), end, (("messenger", f"{platform}:@{handle}"),))


def _platform_before(text: str, start: int) -> str | None:
    """The platform named just before an `@handle` (`LINE: @x`, `แอดไลน์ @x`)."""
    match = _PLATFORM_BEFORE.search(text, max(0, start - 20), start)
    return _PLATFORMS[match.group("platform").lower()] if match else None


def _labelled_handles(text: str) -> Iterator[Candidate]:
    for match in _LABELLED.finditer(text):
        handle = match.group("handle").rstrip(".-")
        if handle.lower() in _HANDLE_STOPWORDS or len(handle) < 2:
            continue
        platform = _PLATFORMS[match.group("platform").lower()]
        if platform in _PHONE_PLATFORMS and handle.isdigit():
            continue  # `Zalo: 0912345678` is a phone number, found as one
        start = match.start("handle")
        if text[start - 1] == "@":
            start -= 1
        end = match.start("handle") + len(handle)
        yield Candidate(start, end, (("messenger", f"{platform}:{text[start:end]}"),))
