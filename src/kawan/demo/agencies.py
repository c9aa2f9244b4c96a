"""The 14 demo agencies of ASEAN+3: one national CERT or cybercrime unit per country (pure).

The names are those the agencies use publicly; where unsure the name says "(demo)".
"""

from __future__ import annotations

from typing import Any

from kawan.agencies import REGION, Agency, identity
from kawan.demo.seeding import BASE_US, DAY_US, SPAN_DAYS, demo_id

DEMO_HOME = ("VNCERT/CC", "VN")  # the home agency the demo creates on a node without one
NAMES: dict[str, str] = {
    "BN": "BruCERT",
    "KH": "CamCERT",
    "ID": "BSSN (ID-SIRTII/CC)",
    "LA": "LaoCERT",
    "MY": "MyCERT",
    "MM": "mmCERT",
    "PH": "CICC (PH-CERT)",
    "SG": "SingCERT",
    "TH": "ThaiCERT",
    "TL": "Timor-Leste CERT (demo)",
    "VN": "VNCERT/CC",
    "CN": "CNCERT/CC",
    "JP": "JPCERT/CC",
    "KR": "KrCERT/CC",
}
CREATED_US = BASE_US - (SPAN_DAYS + 30) * DAY_US  # before anything they report


def regional(home: Agency) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(country -> agency id for all 14 countries, the identities to store).

    The home agency stands for its own country; the others get deterministic ids.
    """
    ids: dict[str, str] = {}
    made: list[dict[str, Any]] = []
    for country in REGION:
        if country == home.country:
            ids[country] = home.id
            continue
        obj = identity(NAMES[country], country, CREATED_US, demo_id("identity", 0, country))
        ids[country] = obj["id"]
        made.append(obj)
    return ids, made
