"""IP addresses and networks, e-mail addresses and file hashes."""

from __future__ import annotations

import ipaddress
import re

from kawan.fraud.domains import hostname, registrable_of
from kawan.fraud.kinds import Identifier, make, refuse

HASH_NAMES = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
_HEX = re.compile(r"^[0-9a-f]+$")
_LOCAL_FORBIDDEN = re.compile(r"[\s<>()\[\],;:\\@\"]")
# A dotted quad of decimal octets without leading zeros: the text of the address itself
# (ingest normalises every IPv4 value it indexes; `ipaddress` takes several µs for one).
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def ip_text(raw: str, kind: str) -> tuple[str, int]:
    """Canonical text and version (4 or 6) of an address or network.

    A network keeps its prefix; host bits are cleared (`10.0.0.5/24` → `10.0.0.0/24`) and a
    full-length prefix is dropped (`1.2.3.4/32` → `1.2.3.4`).
    """
    text = raw.strip()
    if _PLAIN_IPV4.fullmatch(text):
        return (text, 4)  # already as `ipaddress` writes it
    try:
        if "/" not in text:
            address = ipaddress.ip_address(text)
            return (str(address), address.version)
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        refuse(kind, f"not an IP address or CIDR network: {exc}")
    if network.prefixlen == network.max_prefixlen:
        return (str(network.network_address), network.version)
    return (str(network), network.version)


def normalise_ip(raw: str, version: int) -> Identifier:
    """An IPv4 or IPv6 address or CIDR network of the given version."""
    kind = f"ipv{version}"
    text, found = ip_text(raw, kind)
    if found != version:
        refuse(kind, f"{raw.strip()!r} is an IPv{found} address, not IPv{version}")
    return make(kind, text)


def normalise_email(raw: str) -> Identifier:
    """An e-mail address: the domain normalised as a domain name, all in lower case."""
    text = raw.strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    local, at, domain = text.rpartition("@")
    if not at or not local:
        refuse("email", "an e-mail address needs a local part, '@' and a domain")
    if len(local) > 64 or _LOCAL_FORBIDDEN.search(local):
        refuse("email", f"{local!r} is not a valid local part")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        refuse("email", f"{local!r} is not a valid local part (misplaced dot)")
    name = hostname(domain, "email")
    try:
        registrable_of(name)
    except ValueError as exc:
        refuse("email", f"bad domain part: {exc}")
    return make("email", f"{local.lower()}@{name}")


def hash_name(hex_text: str) -> str:
    """The STIX hash name (`MD5`, `SHA-1`, `SHA-256`, `SHA-512`) of a hex digest."""
    name = HASH_NAMES.get(len(hex_text))
    if name is None or not _HEX.match(hex_text):
        refuse("hash", "not an MD5, SHA-1, SHA-256 or SHA-512 hex digest (32/40/64/128 hex)")
    return name


def normalise_hash(raw: str) -> Identifier:
    """A file hash: lower-case hex; the SCO is a `file` with that one hash."""
    text = raw.strip().lower()
    name = hash_name(text)
    return Identifier("hash", text, "file", {"hashes": {name: text}})
