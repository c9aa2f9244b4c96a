from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawan.accounts import tokens as tk
from kawan.accounts.passwords import hash_password, password_matches
from kawan.errors import InvalidInput, Unauthenticated

NOW = 1_800_000_000_000_000


def test_a_new_token_has_the_documented_shape_and_parses_back() -> None:
    token = tk.new_token()
    text = str(token)
    assert text.startswith("kawan_") and len(token.token_id) == 16 and len(token.secret) == 43
    assert tk.parse(text) == token
    assert tk.new_token() != token


@pytest.mark.parametrize(
    "text",
    [None, "", "kawan_", "kawan_XYZ_abc", "Bearer kawan_0123456789abcdef_" + "a" * 43,
     "kawan_0123456789ABCDEF_" + "a" * 43, "kawan_0123456789abcdef_" + "a" * 42,
     "kawan_0123456789abcdef_" + "a" * 42 + "!"],
)  # fmt: skip
def test_malformed_tokens_are_refused(text: str | None) -> None:
    with pytest.raises(Unauthenticated):
        tk.parse(text)


_TOKENISH = st.builds(
    lambda i, s, noise: f"kawan_{i}_{s}{noise}",
    st.text("0123456789abcdef", min_size=15, max_size=17),
    st.text(string.ascii_letters + string.digits + "-_", min_size=40, max_size=45),
    st.sampled_from(["", " ", "\n", "\x00", "é"]),
)


@given(st.one_of(st.none(), st.text(max_size=120), _TOKENISH))
def test_the_parser_raises_only_unauthenticated(text: str | None) -> None:
    try:
        token = tk.parse(text)
    except (Unauthenticated, InvalidInput):
        return
    assert tk.parse(str(token)) == token


def _state(**changes: object) -> tk.TokenState:
    base: dict[str, object] = {
        "secret_hash": tk.hash_secret("s" * 43), "expires": None, "revoked": None,
        "owner_active": True,
    }  # fmt: skip
    return tk.TokenState(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "secret", "why"),
    [
        (None, "s" * 43, tk.Refusal.UNKNOWN),
        (_state(), "t" * 43, tk.Refusal.WRONG_SECRET),
        (_state(revoked=NOW - 1), "s" * 43, tk.Refusal.REVOKED),
        (_state(expires=NOW), "s" * 43, tk.Refusal.EXPIRED),
        (_state(owner_active=False), "s" * 43, tk.Refusal.DISABLED),
        (_state(expires=NOW + 1), "s" * 43, None),
        (_state(revoked=NOW, expires=NOW), "t" * 43, tk.Refusal.WRONG_SECRET),
    ],
)
def test_refusals(state: tk.TokenState | None, secret: str, why: tk.Refusal | None) -> None:
    assert tk.refusal(state, secret, NOW) == why


def test_unknown_and_wrong_secret_read_the_same_to_the_caller() -> None:
    assert tk.Refusal.UNKNOWN.public == tk.Refusal.WRONG_SECRET.public == "unknown token"


def test_last_used_is_written_at_most_once_a_minute() -> None:
    assert tk.needs_touch(None, NOW)
    assert not tk.needs_touch(NOW - 59_000_000, NOW)
    assert tk.needs_touch(NOW - 60_000_000, NOW)


def test_passwords_are_argon2_and_checked() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert password_matches(stored, "correct horse battery")
    assert not password_matches(stored, "wrong horse battery")
    assert not password_matches(None, "anything at all")
    with pytest.raises(InvalidInput, match="at least 12"):
        hash_password("short")
