from __future__ import annotations

import stix2
from hypothesis import given
from hypothesis import strategies as st

from kawan.stix.ids import is_valid_id, sco_id
from kawan.stix.timestamps import format_us, parse_us


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
