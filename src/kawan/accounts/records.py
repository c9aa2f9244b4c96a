"""What the accounts service hands out: users, tokens (never their secret), agencies,
and the `Principal` every API route receives."""

from __future__ import annotations

from dataclasses import dataclass

from kawan.sharing.policy import Viewer


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    role: str
    has_password: bool
    created: int
    disabled: bool


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    user_id: str | None
    agency_id: str | None
    owner: str  # the user's or agency's name
    label: str
    created: int
    expires: int | None
    revoked: int | None
    last_used: int | None

    def status(self, now: int) -> str:
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and self.expires <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class AgencyRow:
    agency_id: str
    name: str
    country: str | None
    is_home: bool
    is_partner: bool
    url: str | None
    public_counts: bool
    created: int


@dataclass(frozen=True)
class Principal:
    """Who is calling: a home user (with a role) or a partner agency (role None)."""

    actor: str  # "user:<id>" or "agency:<id>": what the audit trail records
    viewer: Viewer  # what the policy is asked with
    role: str | None
    token_id: str

    @property
    def is_partner(self) -> bool:
        return self.role is None
