"""Wallet addresses: BIP-173/BIP-350 and EIP-55 test vectors, base58check, Tron."""

from __future__ import annotations

import pytest

from kawan.errors import InvalidInput
from kawan.fraud.crypto import normalise_wallet

VALID = [
    # BIP-173 / BIP-350 (mainnet segwit addresses; upper case becomes lower case)
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
    ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",) * 2,
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",) * 2,
    ("BC1SW50QGDZ25J", "bc1sw50qgdz25j"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",) * 2,
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",) * 2,
    # base58check P2PKH (the genesis block's) and P2SH
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",) * 2,
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",) * 2,
    ("bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=1", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    # EIP-55 examples; unchecksummed all-lower / all-upper take the EIP-55 form
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",) * 2,
    ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",) * 2,
    ("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",) * 2,
    ("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",) * 2,
    ("0x52908400098527886E0F7030069857D2E4169EE7",) * 2,
    ("0xde709f2102306220921060314715629080e2fb77",) * 2,
    ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
    ("0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
    # Tron (the address in TRON's developer documentation)
    ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7",) * 2,
]
BROKEN = [
    # BIP-350 invalid: v1+ with a bech32 checksum, v0 with bech32m
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "Bitcoin"),
    ("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "Bitcoin"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "Bitcoin"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "Bitcoin"),  # zero padding of more than 4 bits
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Bitcoin"),  # one character changed
    ("bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "Bitcoin"),  # mixed case
    ("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "Bitcoin"),  # testnet
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "Bitcoin"),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", "Bitcoin"),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7Div0Na", "Bitcoin"),  # 0 is not base58
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "Ethereum"),
    ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35", "Ethereum"),  # 39 hex digits
    ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU8", "Tron"),
    ("TLa2f6VPqDgRE67v1736s7bJ8Ray5wYj", "Tron"),
]


@pytest.mark.parametrize(("raw", "want"), VALID)
def test_valid_addresses(raw: str, want: str) -> None:
    found = normalise_wallet(raw)
    assert (found.value, found.stix_type) == (want, "cryptocurrency-wallet")
    assert found.properties == {"value": want}
    assert normalise_wallet(found.value).value == want


@pytest.mark.parametrize(("raw", "chain"), BROKEN)
def test_broken_addresses_are_refused_naming_the_chain(raw: str, chain: str) -> None:
    with pytest.raises(InvalidInput, match=chain):
        normalise_wallet(raw)


@pytest.mark.parametrize("raw", ["hello", "LTC123", "x" * 40])
def test_other_text_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="not a Bitcoin"):
        normalise_wallet(raw)
