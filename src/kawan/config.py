"""Settings, read from the environment (``KAWAN_*``); nothing is read at import time.

``KAWAN_HOME``          the node's data directory (default ``./var``)
``KAWAN_DATABASE_URL``  SQLAlchemy URL (default: SQLite file ``$KAWAN_HOME/kawan.db``);
                        PostgreSQL as ``postgresql+psycopg://user@host:5432/db``
``KAWAN_HOST``, ``KAWAN_PORT``  where ``kawan serve`` listens (127.0.0.1:8000)
``KAWAN_DEFAULT_MARKING``  marking recorded for unmarked objects ingested without
                        ``--marking`` (default ``amber``: home agency only)
``KAWAN_RATE_CHECK``, ``KAWAN_RATE_SEARCH``, ``KAWAN_RATE_EXTRACT``  how many requests to
                        /check, /search and /extract one token and one client address may
                        make, as ``COUNT/UNIT`` with UNIT second, minute, hour or day
                        (defaults ``60/minute``, ``60/minute``, ``20/minute``)
``KAWAN_TRUSTED_PROXIES``  comma-separated addresses or networks of reverse proxies whose
                        ``X-Forwarded-For`` names the real client, e.g. ``127.0.0.1,10.0.0.0/8``
                        (default: none; the peer address is the client)
``KAWAN_VICTIM_RETENTION_DAYS``  days a victim's personal data is kept beside a fraud report
                        before `kawan reports purge` (also run when `kawan serve` starts)
                        deletes it (default ``365``)
``KAWAN_PUBLIC_THRESHOLD``  reports that make an identifier *reported as scam* on the public
                        check, at least 2: a default and per-country values, e.g. ``3,KR=3,MY=2``
                        (the identifier's country decides; default ``3``)
``KAWAN_PUBLIC_RATE``   public checks one client address may make, as ``COUNT/UNIT``
                        (default ``10/minute``)
``KAWAN_PUBLIC_DAILY_QUOTA``  public checks one client address may make per UTC day
                        (default ``200``)
``KAWAN_SYNC_INTERVAL``  seconds between the sync rounds ``kawan serve`` runs (``0`` = off;
                        default ``300``)
``KAWAN_SYNC_TIMEOUT``  seconds each request to a partner node may take (default ``30``)
``KAWAN_SYNC_CA``       a CA bundle (PEM file) to verify partners' certificates with
                        (default: the system's CAs)
``KAWAN_SYNC_KEY``      the Fernet key sealing partner tokens (default: the file
                        ``$KAWAN_HOME/sync.key``, made on first use)
``KAWAN_SYNC_PARALLEL``  partners synced at the same time, each on its own connection
                        (default ``4``)
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.fernet import Fernet

from kawan.errors import InvalidInput

TLP_NAMES = ("clear", "green", "amber", "amber+strict", "red")
RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_KINDS = ("check", "search", "extract")


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    default_marking: str = "amber"
    rate_check: str = "60/minute"
    rate_search: str = "60/minute"
    rate_extract: str = "20/minute"
    trusted_proxies: tuple[str, ...] = ()
    victim_retention_days: int = 365
    public_threshold: str = "3"
    public_rate: str = "10/minute"
    public_daily_quota: int = 200
    sync_interval: float = 300.0
    sync_timeout: float = 30.0
    sync_ca: str | None = None
    sync_key: str | None = field(default=None, repr=False)
    sync_parallel: int = 4

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("KAWAN_HOME", "var")).resolve()
        url = env.get("KAWAN_DATABASE_URL") or f"sqlite:///{home / 'kawan.db'}"
        marking = env.get("KAWAN_DEFAULT_MARKING", "amber").lower()
        if marking not in TLP_NAMES:
            raise InvalidInput(
                f"must be one of {', '.join(TLP_NAMES)}, not {marking!r}",
                field="KAWAN_DEFAULT_MARKING",
            )
        return cls(
            home=home,
            database_url=url,
            host=env.get("KAWAN_HOST", "127.0.0.1"),
            port=_port(env.get("KAWAN_PORT", "8000")),
            default_marking=marking,
            rate_check=_rate_setting(env, "KAWAN_RATE_CHECK", "60/minute"),
            rate_search=_rate_setting(env, "KAWAN_RATE_SEARCH", "60/minute"),
            rate_extract=_rate_setting(env, "KAWAN_RATE_EXTRACT", "20/minute"),
            trusted_proxies=_proxies(env.get("KAWAN_TRUSTED_PROXIES", "")),
            victim_retention_days=_positive(env, "KAWAN_VICTIM_RETENTION_DAYS", 365),
            public_threshold=_threshold_setting(env.get("KAWAN_PUBLIC_THRESHOLD", "3")),
            public_rate=_rate_setting(env, "KAWAN_PUBLIC_RATE", "10/minute"),
            public_daily_quota=_positive(env, "KAWAN_PUBLIC_DAILY_QUOTA", 200),
            sync_interval=_seconds(env, "KAWAN_SYNC_INTERVAL", 300.0, zero=True),
            sync_timeout=_seconds(env, "KAWAN_SYNC_TIMEOUT", 30.0, zero=False),
            sync_ca=_pem_file(env.get("KAWAN_SYNC_CA", "")),
            sync_key=_fernet_key(env.get("KAWAN_SYNC_KEY", "")),
            sync_parallel=_positive(env, "KAWAN_SYNC_PARALLEL", 4),
        )

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def rate(self, kind: str) -> tuple[int, int]:
        """The limit for `kind` (check, search, extract) as (requests, seconds)."""
        if kind not in RATE_KINDS:
            raise InvalidInput(f"no rate limit named {kind!r}", field="kind")
        text: str = getattr(self, f"rate_{kind}")
        return parse_rate(text, field=f"KAWAN_RATE_{kind.upper()}")

    def threshold(self, country: str | None) -> int:
        """Reports that make an identifier of `country` *reported as scam* (at least 2)."""
        default, per_country = parse_threshold(self.public_threshold)
        return per_country.get(country or "", default)


def parse_threshold(text: str) -> tuple[int, dict[str, int]]:
    """`3,KR=3,MY=2` -> (3, {"KR": 3, "MY": 2}); every value at least 2 (one report alone
    never makes an identifier *reported as scam*)."""
    default, per_country = 3, {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        country, _, count = part.rpartition("=")
        value = _at_least_two(count.strip(), text)
        if not country:
            default = value
        elif len(country.strip()) == 2 and country.strip().isalpha():
            per_country[country.strip().upper()] = value
        else:
            raise InvalidInput(
                f"not a country code in {text!r}: {country!r}", field="KAWAN_PUBLIC_THRESHOLD"
            )
    return default, per_country


def _at_least_two(count: str, text: str) -> int:
    if not count.isdigit() or int(count) < 2:
        raise InvalidInput(
            f"thresholds are whole numbers of at least 2, as in 3,KR=3,MY=2: {text!r}",
            field="KAWAN_PUBLIC_THRESHOLD",
        )
    return int(count)


def _threshold_setting(text: str) -> str:
    parse_threshold(text)
    return text.strip()


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default)).strip()
    if not text.isdigit() or int(text) < 1:
        raise InvalidInput(f"must be a whole number of at least 1, not {text!r}", field=name)
    return int(text)


def parse_rate(text: str, *, field: str = "rate") -> tuple[int, int]:
    """`60/minute` -> (60, 60): so many requests per so many seconds."""
    count, _, unit = text.strip().lower().partition("/")
    seconds = RATE_UNITS.get(unit.strip().removesuffix("s"))  # minute or minutes
    if not count.strip().isdigit() or int(count) < 1 or seconds is None:
        raise InvalidInput(
            f"not a rate like 60/minute (units: {', '.join(RATE_UNITS)}): {text!r}", field=field
        )
    return int(count), seconds


def _rate_setting(env: Mapping[str, str], name: str, default: str) -> str:
    text = env.get(name, default)
    parse_rate(text, field=name)
    return text.strip()


def _proxies(text: str) -> tuple[str, ...]:
    found = tuple(part.strip() for part in text.split(",") if part.strip())
    for part in found:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise InvalidInput(
                f"not an IP address or network: {part!r}", field="KAWAN_TRUSTED_PROXIES"
            ) from None
    return found


def _seconds(env: Mapping[str, str], name: str, default: float, *, zero: bool) -> float:
    """A number of seconds (`2.5` allowed); 0 only where `zero` means "off"."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"not a number of seconds: {text!r}", field=name) from None
    if not value >= 0 or value == float("inf") or (value == 0 and not zero):
        least = "0 (off) or more" if zero else "more than 0"
        raise InvalidInput(f"must be {least} seconds, not {text!r}", field=name)
    return value


def _pem_file(text: str) -> str | None:
    if not text.strip():
        return None
    if not Path(text).is_file():
        raise InvalidInput(f"no such CA bundle (PEM file): {text!r}", field="KAWAN_SYNC_CA")
    return text


def _fernet_key(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        Fernet(text.strip().encode())
    except ValueError:
        raise InvalidInput(
            "not a Fernet key (32 url-safe base64-encoded bytes; make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
            ".decode())'`)",
            field="KAWAN_SYNC_KEY",
        ) from None
    return text.strip()


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidInput(f"not a TCP port: {text!r}", field="KAWAN_PORT")
    return int(text)
