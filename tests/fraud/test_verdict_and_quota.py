"""The public verdict and the daily quota (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawan.config import Settings, parse_threshold
from kawan.errors import InvalidInput, RateLimited
from kawan.fraud.quota import DAY, DailyQuota, count, seconds_to_midnight
from kawan.fraud.verdict import Official, Verdict, grade


@given(st.integers(0, 50), st.integers(0, 10))
def test_one_report_alone_never_makes_a_scam(reports: int, threshold: int) -> None:
    verdict = grade(reports, threshold, None)
    assert (verdict is Verdict.SCAM) == (reports >= max(2, threshold))
    assert (verdict is Verdict.NONE) == (reports == 0)


@given(st.integers(0, 50))
def test_the_allowlist_beats_any_number_of_reports(reports: int) -> None:
    assert grade(reports, 3, Official("Bank hotline", demo=False)) is Verdict.OFFICIAL


def test_thresholds_per_country() -> None:
    assert parse_threshold("3,KR=3,MY=2") == (3, {"KR": 3, "MY": 2})
    settings = Settings.from_env({"KAWAN_PUBLIC_THRESHOLD": "4, vn=2"})
    assert (settings.threshold("VN"), settings.threshold("TH"), settings.threshold(None)) == (
        2, 4, 4,
    )  # fmt: skip
    for bad in ("1", "KR=1", "XYZ=3", "three"):
        with pytest.raises(InvalidInput, match=r"KAWAN_PUBLIC_THRESHOLD|threshold"):
            parse_threshold(bad)


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_daily_quota_refuses_until_midnight_utc_and_says_so() -> None:
    clock = FakeClock(20 * DAY + 22 * 3600)  # 22:00 UTC
    quota = DailyQuota(3, clock)
    for _ in range(3):
        quota.hit("addr:1")
    with pytest.raises(RateLimited, match="come back after 00:00 UTC, in 2 h 0 min") as refused:
        quota.hit("addr:1")
    assert refused.value.retry_after == 2 * 3600
    quota.hit("addr:2")  # another address has its own quota
    clock.now = 21 * DAY + 1
    quota.hit("addr:1")  # a new day


def test_quota_arithmetic() -> None:
    assert count(None, 5 * DAY + 10) == (5, 1)
    assert count((5, 7), 5 * DAY + 10) == (5, 8)
    assert count((4, 7), 5 * DAY + 10) == (5, 1)
    assert seconds_to_midnight(5 * DAY) == DAY
    assert seconds_to_midnight(6 * DAY - 0.5) == 1
