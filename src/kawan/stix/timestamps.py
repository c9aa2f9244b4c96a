"""RFC 3339 UTC timestamps as STIX writes them, and kawan's microsecond clock values."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime

from kawan.errors import InvalidInput

TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")
# TS_RE in three parts: the minute, the second, the end (`$` also matches before a "\n").
_MINUTE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_SECONDS = {f":{n:02d}": min(n, 59) for n in range(100)}  # 60 to 99: a leap second, as 59
_TAIL = re.compile(r"(?:\.(\d+))?Z\n?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
# Timestamps in a feed cluster on a few days: the calendar part is looked up, not computed.
DAYS_CACHE = 4096  # distinct dates remembered
MINUTES_CACHE = 1 << 15  # distinct minutes remembered
FRACTIONS_CACHE = 4096  # distinct ends (`.123Z`) remembered


def parse_us(text: object, *, field: str = "timestamp", object_id: str | None = None) -> int:
    """Microseconds since the epoch of a STIX timestamp (`2016-05-12T08:17:27.000Z`).

    Digits past the microsecond are kept in the object's JSON but not in the value. A
    second of 60 to 99 counts as 59 (a leap second, as `datetime` cannot hold one).

    Ingest parses several timestamps per object, so this is arithmetic on cached parts
    (the minute, the fraction of a second); any text those parts do not cover exactly goes
    to `parse_us_by_datetime`, which decides it and words the error.
    """
    if not isinstance(text, str):
        raise InvalidInput("must be an RFC 3339 timestamp string", object_id=object_id, field=field)
    minutes = _epoch_minutes(text[:16])
    second = _SECONDS.get(text[16:19])
    micros = _micros(text[19:])
    if minutes is None or second is None or micros is None:
        return parse_us_by_datetime(text, field=field, object_id=object_id)
    return (minutes * 60 + second) * 1_000_000 + micros


@functools.lru_cache(maxsize=MINUTES_CACHE)
def _epoch_minutes(stamp: str) -> int | None:
    """Minutes from the epoch to `YYYY-MM-DDTHH:MM`; None when it is not such a time."""
    if _MINUTE.fullmatch(stamp) is None:
        return None
    days = _epoch_days(stamp[:10])
    hours, minutes = int(stamp[11:13]), int(stamp[14:16])
    if days is None or hours > 23 or minutes > 59:
        return None
    return (days * 24 + hours) * 60 + minutes


@functools.lru_cache(maxsize=DAYS_CACHE)
def _epoch_days(day: str) -> int | None:
    """Days from 1970-01-01 to the date `YYYY-MM-DD`; None when there is no such date."""
    try:
        return date(int(day[:4]), int(day[5:7]), int(day[8:10])).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        return None


@functools.lru_cache(maxsize=FRACTIONS_CACHE)
def _micros(tail: str) -> int | None:
    """The microseconds of a timestamp's end (`.123Z`, `Z`); None when it is not one."""
    m = _TAIL.fullmatch(tail)
    if m is None:
        return None
    frac = m.group(1)
    return int(frac[:6].ljust(6, "0")) if frac else 0


def parse_us_by_datetime(text: str, *, field: str, object_id: str | None) -> int:
    """`parse_us` through `datetime`: the reference the calendar arithmetic must agree
    with, and the source of the error message for an impossible date or time."""
    m = TS_RE.match(text)
    if m is None:
        raise InvalidInput(
            f"not an RFC 3339 UTC timestamp ending in Z: {text!r}", object_id=object_id, field=field
        )
    year, month, day, hour, minute, second, frac = m.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            min(int(second), 59),
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise InvalidInput(
            f"impossible date or time {text!r}: {exc}", object_id=object_id, field=field
        ) from None
    micros = int((frac or "0")[:6].ljust(6, "0"))
    return int((moment - _EPOCH).total_seconds()) * 1_000_000 + micros


def format_us(micros: int) -> str:
    """`2026-12-01T10:38:11.123456Z`: kawan's fixed precision for `date_added`."""
    seconds, rest = divmod(micros, 1_000_000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{rest:06d}Z"


def format_ms(micros: int) -> str:
    """`2026-12-01T10:38:11.123Z`: the precision STIX producers usually write."""
    return format_us(micros)[:-4] + "Z"


def now_us() -> int:
    delta = datetime.now(tz=UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def parse_datetime_arg(text: str, *, field: str) -> int:
    """A user's date: `2024-05-01`, `2024-05-01T10:00:00Z` or any ISO form with a zone."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"not a date or timestamp: {text!r}", field=field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
