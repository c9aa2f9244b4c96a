from __future__ import annotations

from datetime import datetime

import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.stix.ids import is_valid_id, sco_id
from kawan.stix.timestamps import format_us, parse_us, parse_us_by_datetime


@given(st.text(min_size=1, max_size=40))
def test_sco_ids_agree_with_the_stix2_library(value: str) -> None:
    ours = sco_id("domain-name", {"value": value})
    theirs = stix2.v21.DomainName(value=value).id
    assert ours == theirs


def test_file_ids_choose_one_hash_as_the_spec_says() -> None:
    hashes = {"SHA-256": "ab" * 32, "MD5": "cd" * 16}
    assert sco_id("file", {"hashes": hashes}) == stix2.v21.File(hashes=hashes).id


def test_id_form() -> None:
    assert is_valid_id("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator")
    assert not is_valid_id("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "malware")
    assert not is_valid_id("indicator--8e2e2d2b")


@given(st.integers(min_value=0, max_value=253_402_300_799_999_999))
def test_microsecond_timestamps_round_trip(micros: int) -> None:
    assert parse_us(format_us(micros)) == micros


def test_digits_past_the_microsecond_are_cut_not_rounded() -> None:
    assert parse_us("2026-01-01T00:00:00.1234567Z") % 1_000_000 == 123456


def _parsed(function: object, text: str) -> tuple[str, object]:
    try:
        return ("ok", function(text, field="t", object_id=None))  # type: ignore[operator]
    except InvalidInput as exc:
        return ("refused", exc.message)


DIGITS = st.text("0123456789", min_size=2, max_size=2)
STAMPS = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S") + f".{d.microsecond:06d}"[: 1 + d.microsecond % 8]
        + "Z"
    ),
    st.builds(
        "{}-{}-{}T{}:{}:{}{}Z{}".format,
        st.text("0123456789", min_size=4, max_size=4), DIGITS, DIGITS, DIGITS, DIGITS, DIGITS,
        st.sampled_from(["", ".", ".1", ".000", ".1234567", ".١٢"]),
        st.sampled_from(["", "\n", " "]),
    ),
    st.text("0123456789-T:.Z\n", max_size=26),
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(text=STAMPS)
def test_calendar_arithmetic_agrees_with_datetime(text: str) -> None:
    assert _parsed(parse_us, text) == _parsed(parse_us_by_datetime, text)


def test_a_leap_second_counts_as_59() -> None:
    assert parse_us("2016-12-31T23:59:60Z") == parse_us("2016-12-31T23:59:59Z")


def test_an_impossible_date_is_refused_with_datetime_words() -> None:
    assert _parsed(parse_us, "2026-02-30T00:00:00Z")[1] == (
        "impossible date or time '2026-02-30T00:00:00Z': day is out of range for month"
    )
