"""API tokens (pure): `kawan_<id>_<secret>`, stored as the sha256 of the secret.

The id (16 hex characters) is public: it names the token in lists, logs and the audit
trail. The secret (`secrets.token_urlsafe(32)`, 43 characters) is shown once and never
stored; comparisons use `hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import Enum

from kawan.errors import Unauthenticated

PREFIX = "kawan_"
ID_HEX = 16
SECRET_LEN = 43
_FORMAT = re.compile(rf"kawan_([0-9a-f]{{{ID_HEX}}})_([A-Za-z0-9_-]{{{SECRET_LEN}}})")
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class TokenText:
    token_id: str
    secret: str

    def __str__(self) -> str:
        return f"{PREFIX}{self.token_id}_{self.secret}"


def new_token() -> TokenText:
    return TokenText(secrets.token_hex(ID_HEX // 2), secrets.token_urlsafe(32))


def parse(text: str | None) -> TokenText:
    """The two halves of a token; `Unauthenticated` when it is missing or malformed."""
    if not text:
        raise Unauthenticated("no credentials: send 'Authorization: Bearer <token>'")
    found = _FORMAT.fullmatch(text.strip())
    if found is None:
        raise Unauthenticated("malformed token: expected kawan_<id>_<secret>")
    return TokenText(found[1], found[2])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time; an unknown token costs the same as a wrong secret."""
    expected = stored_hash if stored_hash is not None else _DUMMY_HASH
    return hmac.compare_digest(hash_secret(secret), expected) and stored_hash is not None


class Refusal(Enum):
    """Why a token was refused: `public` is what the caller is told, the value what the
    audit trail records. Only a caller holding the right secret learns more than
    `unknown`, so the answer never reveals whether a token id exists."""

    MISSING = "missing"
    MALFORMED = "malformed"
    UNKNOWN = "unknown token id"
    WRONG_SECRET = "wrong secret"  # noqa: S105 - a reason, not a secret
    REVOKED = "revoked"
    EXPIRED = "expired"
    DISABLED = "owner disabled"

    @property
    def public(self) -> str:
        return {
            Refusal.MISSING: "no credentials: send 'Authorization: Bearer <token>'",
            Refusal.MALFORMED: "malformed token: expected kawan_<id>_<secret>",
            Refusal.UNKNOWN: "unknown token",
            Refusal.WRONG_SECRET: "unknown token",
            Refusal.REVOKED: "this token has been revoked",
            Refusal.EXPIRED: "this token has expired",
            Refusal.DISABLED: "this token's owner is disabled",
        }[self]


@dataclass(frozen=True)
class TokenState:
    """What the store knows about a token that decides whether it may be used."""

    secret_hash: str
    expires: int | None  # microseconds since the epoch
    revoked: int | None
    owner_active: bool  # user not disabled / agency still a partner


def refusal(state: TokenState | None, secret: str, now: int) -> Refusal | None:
    """None when the token may be used at `now`; else why not (the secret is checked
    first, so `revoked` or `expired` is only said to the token's holder)."""
    if state is None:
        secret_matches(secret, None)  # the same work as for a wrong secret
        return Refusal.UNKNOWN
    if not secret_matches(secret, state.secret_hash):
        return Refusal.WRONG_SECRET
    if state.revoked is not None:
        return Refusal.REVOKED
    if state.expires is not None and state.expires <= now:
        return Refusal.EXPIRED
    if not state.owner_active:
        return Refusal.DISABLED
    return None


TOUCH_EVERY_US = 60 * 1_000_000


def needs_touch(last_used: int | None, now: int) -> bool:
    """`last_used` is written at most once a minute per token, not on every request."""
    return last_used is None or now - last_used >= TOUCH_EVERY_US
