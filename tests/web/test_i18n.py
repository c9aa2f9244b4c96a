"""The public check's languages: every key in every language, and choosing one."""

from __future__ import annotations

import pytest

from kawan.fraud.verdict import Verdict
from kawan.web.i18n import DEFAULT, EN, LANGUAGES, TEXTS, choose, wait_text


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_every_language_says_everything(lang: str) -> None:
    assert set(TEXTS[lang]) == set(EN)
    assert all(TEXTS[lang][key].strip() for key in EN)
    for verdict in Verdict:
        assert TEXTS[lang][verdict.value] and TEXTS[lang][f"advice_{verdict.value}"]


def test_the_required_languages_are_there() -> None:
    assert {"en", "vi", "th", "id"} <= set(LANGUAGES) == set(TEXTS)


@pytest.mark.parametrize(
    ("asked", "header", "expected"),
    [
        ("vi", "th-TH", "vi"),
        ("xx", "th-TH,th;q=0.9,en;q=0.5", "th"),
        (None, "fr-FR,fr;q=0.9,id;q=0.8,en;q=0.7", "id"),
        (None, "en;q=0.1, vi;q=0.9", "vi"),
        (None, "in-ID", "id"),
        (None, "ms-MY", "ms"),
        (None, "de, fr;q=0", DEFAULT),
        (None, "vi;q=0", DEFAULT),
        (None, "th;q=abc", DEFAULT),
        (None, None, DEFAULT),
    ],
)
def test_choose(asked: str | None, header: str | None, expected: str) -> None:
    assert choose(asked, header) == expected


def test_waits_in_words() -> None:
    assert wait_text("en", 30) == "30 seconds"
    assert wait_text("vi", 600) == "10 phút"
    assert wait_text("th", 7300) == "3 ชั่วโมง"
