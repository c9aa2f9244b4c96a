"""Cryptocurrency wallet addresses, checksums verified.

- Bitcoin (mainnet): base58check P2PKH (`1…`) and P2SH (`3…`), kept as written; bech32
  segwit v0 (BIP-173) and bech32m v1+ such as taproot (BIP-350), in lower case.
- Ethereum and EVM chains: `0x` and 40 hex digits; mixed case must carry a valid EIP-55
  checksum, all-lower or all-upper is accepted unchecksummed; the value is the EIP-55 form.
- Tron: base58check with version byte 0x41 (`T…`), kept as written.
"""

from __future__ import annotations

import hashlib
import re

from kawan.fraud.kinds import Identifier, cleaned, make, refuse

KIND = "crypto-wallet"
B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3
_URI = re.compile(r"^(bitcoin|ethereum|tron):", re.IGNORECASE)
_EVM = re.compile(r"^0[xX][0-9a-fA-F]{40}$")


def normalise_wallet(raw: str) -> Identifier:
    """A cryptocurrency wallet address of a chain named in the module docstring."""
    text = _URI.sub("", cleaned(raw, KIND)).split("?", 1)[0].strip()
    if _EVM.match(text) or text.lower().startswith("0x"):
        return make(KIND, eip55(text))
    if text.lower().startswith(("bc1", "tb1", "bcrt1")):
        return make(KIND, segwit(text))
    if text.startswith("T"):
        return make(KIND, tron(text))
    if text[:1] in ("1", "3"):
        return make(KIND, bitcoin_base58(text))
    refuse(KIND, "not a Bitcoin, Ethereum/EVM or Tron address")


# --- Ethereum (EIP-55) ---


def eip55(text: str) -> str:
    """The EIP-55 form of an Ethereum address; refuses a broken mixed-case checksum."""
    if not _EVM.match(text):
        refuse(KIND, "an Ethereum address is 0x and 40 hex digits")
    digits = text[2:]
    checksummed = "0x" + _eip55_digits(digits.lower())
    mixed = digits != digits.lower() and digits != digits.upper()
    if mixed and "0x" + digits != checksummed:
        refuse(KIND, "Ethereum address has a broken EIP-55 checksum (mixed case)")
    return checksummed


def _eip55_digits(lower: str) -> str:
    from Crypto.Hash import keccak  # here: not every command reads wallet addresses

    digest = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
    return "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch for i, ch in enumerate(lower)
    )


# --- base58check (Bitcoin P2PKH/P2SH, Tron) ---


def base58check(text: str, chain: str) -> bytes:
    """The payload (version byte included) of a base58check string; refuses a bad checksum."""
    number = 0
    for ch in text:
        digit = B58_ALPHABET.find(ch)
        if digit < 0:
            refuse(KIND, f"{chain} address has a character outside base58: {ch!r}")
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    data = b"\0" * (len(text) - len(text.lstrip("1"))) + body
    if len(data) < 5:
        refuse(KIND, f"{chain} address is too short")
    payload, check = data[:-4], data[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        refuse(KIND, f"{chain} address has a broken base58check checksum")
    return payload


def bitcoin_base58(text: str) -> str:
    """A Bitcoin mainnet P2PKH (`1…`) or P2SH (`3…`) address."""
    if not 25 <= len(text) <= 35:
        refuse(KIND, "a Bitcoin base58 address has 25 to 35 characters")
    payload = base58check(text, "Bitcoin")
    if len(payload) != 21 or payload[0] not in (0x00, 0x05):
        refuse(KIND, "Bitcoin base58 address is not mainnet P2PKH or P2SH")
    return text


def tron(text: str) -> str:
    """A Tron address: base58check, 21 bytes starting with 0x41."""
    if len(text) != 34:
        refuse(KIND, "a Tron address has 34 characters")
    payload = base58check(text, "Tron")
    if len(payload) != 21 or payload[0] != 0x41:
        refuse(KIND, "Tron address does not carry the 0x41 version byte")
    return text


# --- bech32 / bech32m (BIP-173, BIP-350) ---


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(ch) >> 5 for ch in hrp] + [0] + [ord(ch) & 31 for ch in hrp]


def bech32_decode(text: str) -> tuple[str, list[int], int]:
    """(hrp, data without checksum, checksum constant) of a bech32 or bech32m string."""
    if text.lower() != text and text.upper() != text:
        refuse(KIND, "Bitcoin bech32 address mixes upper and lower case")
    lower = text.lower()
    hrp, sep, data_part = lower.rpartition("1")
    if not sep or not hrp or len(data_part) < 6 or len(lower) > 90:
        refuse(KIND, "Bitcoin bech32 address is malformed")
    if any(ch not in BECH32_ALPHABET for ch in data_part):
        refuse(KIND, "Bitcoin bech32 address has a character outside bech32")
    data = [BECH32_ALPHABET.index(ch) for ch in data_part]
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        refuse(KIND, "Bitcoin bech32 address has a broken checksum")
    return (hrp, data[:-6], const)


def _convert_bits(data: list[int]) -> bytes:
    acc, bits, out = 0, 0, bytearray()
    for value in data:
        acc = (acc << 5) | value
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc << (8 - bits)) & 0xFF:
        refuse(KIND, "Bitcoin bech32 address has bad padding")
    return bytes(out)


def segwit(text: str) -> str:
    """A Bitcoin mainnet segwit address (`bc1…`), in lower case."""
    hrp, data, const = bech32_decode(text)
    if hrp != "bc" or not data:
        refuse(KIND, "Bitcoin segwit address is not mainnet (bc1…)")
    version, program = data[0], _convert_bits(data[1:])
    if version > 16 or not 2 <= len(program) <= 40:
        refuse(KIND, "Bitcoin segwit address has a bad witness version or program length")
    if version == 0 and len(program) not in (20, 32):
        refuse(KIND, "Bitcoin segwit v0 program must be 20 or 32 bytes")
    if (const == BECH32_CONST) != (version == 0):
        refuse(KIND, "Bitcoin segwit checksum: v0 uses bech32, v1+ bech32m (BIP-350)")
    return text.lower()
