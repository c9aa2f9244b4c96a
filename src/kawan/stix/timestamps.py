"""RFC 3339 UTC timestamps as STIX writes them, and kawan's microsecond clock values."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from kawan.errors import InvalidInput

TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_us(text: object, *, field: str = "timestamp", object_id: str | None = None) -> int:
    """Microseconds since the epoch of a STIX timestamp (`2016-05-12T08:17:27.000Z`).

    Digits past the microsecond are kept in the object's JSON but not in the value.
    """
    if not isinstance(text, str):
        raise InvalidInput("must be an RFC 3339 timestamp string", object_id=object_id, field=field)
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
