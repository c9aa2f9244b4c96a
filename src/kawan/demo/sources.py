"""The data sets the demo ships as package data (`kawan/demo/data/`, each with its licence):

- `chongluadao/`: the ChongLuaDao Vietnamese phishing blocklist (BSD-3);
- `thai-sms/scam.txt`: Thai scam SMS from public SMS-receive sites (MIT);
- `oasis/`: the OASIS STIX 2.1 example bundles (BSD-3).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def _data(*parts: str) -> Traversable:
    return resources.files("kawan.demo").joinpath("data", *parts)


def _lines(*parts: str) -> list[str]:
    text = _data(*parts).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def chongluadao_domains() -> list[str]:
    """The blocklist's entries: domains, and a few URLs written without a scheme."""
    return _lines("chongluadao", "domains.txt")


def chongluadao_ips() -> list[str]:
    return _lines("chongluadao", "ips.txt")


def thai_scam_messages() -> list[str]:
    """The text of each message labelled `scam` (lines are `LABEL|message`)."""
    return [line.partition("|")[2] for line in _lines("thai-sms", "scam.txt") if "|" in line]


def oasis_files() -> list[tuple[str, bytes]]:
    """(file name, contents) of every OASIS example bundle, by name."""
    folder = _data("oasis")
    found = [(f.name, f.read_bytes()) for f in folder.iterdir() if f.name.endswith(".json")]
    return sorted(found)
