"""URLs: RFC 3986 syntax-based normalisation, the parts that never change what a URL names.

Scheme and host in lower case, an IDN host in punycode, the default port dropped,
percent-encoding normalised (upper-case hex, unreserved characters decoded, other
characters outside the URL alphabet encoded as UTF-8), an empty path made `/`, the fragment
dropped. A URL written without a scheme (`example.com/path`) is taken as `http://`.
Dot segments (`/a/../b`) and the order of query parameters are kept as written.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from kawan.fraud.domains import hostname
from kawan.fraud.kinds import Identifier, make, refuse
from kawan.fraud.network import ip_text

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_RESERVED = frozenset(":/?#[]@!$&'()*+,;=")
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")
_SPACE = re.compile(r"\s")  # what str.isspace() calls white space
_DIGITS_AND_DOTS = re.compile(r"[0-9.]+")
# Text already in normal form: unreserved and reserved characters only, no '%'.
_PLAIN = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*")
# A URL in normal form as it is: lower-case http(s), a lower-case host name without port or
# user, a path of unreserved and reserved characters but no '?', '#', '@', '[' or ']'.
_PLAIN_URL = re.compile(r"(https?)://([a-z0-9._-]+)(/[A-Za-z0-9\-._~:/!$&'()*+,;=]*)?")


def normalise_url(raw: str) -> Identifier:
    """A URL in the normal form described in this module's docstring."""
    text = raw.strip()
    plain = _plain_url(text)
    return make("url", plain) if plain is not None else general_url(text)


def general_url(text: str) -> Identifier:
    """`normalise_url` of trimmed text by `urlsplit`: any input, and every refusal."""
    if _SPACE.search(text):
        refuse("url", "a URL cannot contain white space")
    parts = _split(text)
    scheme = parts.scheme.lower()
    netloc = _netloc(parts, scheme)
    path = percent_normalised(parts.path) or "/"
    query = f"?{percent_normalised(parts.query)}" if "?" in text.split("#", 1)[0] else ""
    return make("url", f"{scheme}://{netloc}{path}{query}")


def _plain_url(text: str) -> str | None:
    """`normalise_url`'s value of an `http(s)://host/path` URL already in normal form but for
    an empty path (ingest's usual case), checked by one regular expression; None for the
    general path: anything else, or a host of digits and dots (an IPv4 address)."""
    m = _PLAIN_URL.fullmatch(text)
    if m is None or _DIGITS_AND_DOTS.fullmatch(m.group(2)):
        return None
    scheme, host, path = m.groups()
    return f"{scheme}://{hostname(host, 'url')}{path or '/'}"


def _split(text: str) -> SplitResult:
    if not _SCHEME.match(text):
        authority = re.split(r"[/?#]", text, maxsplit=1)[0]
        if "@" in authority:
            refuse("url", "no scheme and an '@': an e-mail address, not a URL")
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError as exc:
        refuse("url", f"cannot parse the URL: {exc}")
    if not parts.hostname:
        refuse("url", "a URL needs a host")
    return parts


def _netloc(parts: SplitResult, scheme: str) -> str:
    host = _host(parts.hostname or "")
    port = parts.port
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return f"{percent_normalised(userinfo)}@{host}" if userinfo else host


def _host(name: str) -> str:
    if ":" in name:
        text, version = ip_text(name, "url")
        if version == 6:
            return f"[{text}]"
    if _DIGITS_AND_DOTS.fullmatch(name):
        return ip_text(name, "url")[0]
    return hostname(name, "url")


def percent_normalised(text: str) -> str:
    """`text` with percent-encoding in normal form (see the module docstring)."""
    if _PLAIN.fullmatch(text):
        return text
    return general_percent_normalised(text)


def general_percent_normalised(text: str) -> str:
    """`percent_normalised` character by character: any text."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and text[i + 1 : i + 3] and set(text[i + 1 : i + 3]) <= _HEXDIGITS:
            out.append(_decoded_or_upper(text[i + 1 : i + 3]))
            i += 3
            continue
        out.append(ch if ch in _UNRESERVED or ch in _RESERVED else _encoded(ch))
        i += 1
    return "".join(out)


def _decoded_or_upper(hex_pair: str) -> str:
    if len(hex_pair) != 2:
        return "%25" + hex_pair
    char = chr(int(hex_pair, 16))
    return char if char in _UNRESERVED else f"%{hex_pair.upper()}"


def _encoded(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))
