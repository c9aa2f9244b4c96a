"""Admin routes: /api/v1/users, /api/v1/tokens, /api/v1/partners, /api/v1/audit.

Each needs a token whose caller may do the matching action (kawan.accounts.roles); every
change is recorded in the audit trail with the caller and the client address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from kawan.accounts import service
from kawan.accounts.records import AgencyRow, Principal, TokenInfo, User
from kawan.accounts.roles import Action, Role
from kawan.api.auth import require, who
from kawan.audit import trail
from kawan.audit.chain import Entry
from kawan.errors import InvalidInput
from kawan.node import Node
from kawan.stix.timestamps import format_us, now_us

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "invalid input: {error: {code, message, field?}}"},
    401: {"description": "no valid token (WWW-Authenticate says how)"},
    403: {"description": "the caller's role may not do this"},
    404: {"description": "no such user, token or agency"},
    409: {"description": "the name is taken"},
}
router = APIRouter(tags=["access"], responses=_ERRORS)
MAX_AUDIT_PAGE = 500

Users = Annotated[Principal, Depends(require(Action.MANAGE_USERS))]
Partners = Annotated[Principal, Depends(require(Action.MANAGE_PARTNERS))]
PartnerReaders = Annotated[Principal, Depends(require(Action.LIST_PARTNERS))]
Auditors = Annotated[Principal, Depends(require(Action.READ_AUDIT))]


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def _time(micros: int | None) -> str | None:
    return None if micros is None else format_us(micros)


# ---- users ------------------------------------------------------------------------------


class UserOut(BaseModel):
    user_id: str
    name: str
    role: Role
    has_password: bool
    created: str
    disabled: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        created = format_us(user.created)
        return cls(**{**user.__dict__, "role": Role(user.role), "created": created})


class UserList(BaseModel):
    users: list[UserOut]


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["analyst.nguyen"])
    role: Role = Field(examples=["analyst"])
    password: str | None = Field(
        default=None, min_length=12, max_length=1024, description="for the pages (optional)"
    )


@router.get("/users")
def list_users(request: Request, _caller: Users) -> UserList:
    """The node's home users (admin)."""
    return UserList(users=[UserOut.of(u) for u in service.list_users(_node(request).engine)])


@router.post("/users", status_code=201)
def add_user(request: Request, caller: Users, body: NewUser) -> UserOut:
    """Add a home user with a role (admin)."""
    user = service.add_user(
        _node(request).engine, body.name, body.role, body.password, who=who(caller, request)
    )
    return UserOut.of(user)


# ---- tokens -----------------------------------------------------------------------------


class TokenOut(BaseModel):
    token_id: str
    user_id: str | None
    agency_id: str | None
    owner: str
    label: str
    created: str
    expires: str | None
    revoked: str | None
    last_used: str | None
    status: str = Field(description="active | revoked | expired")

    @classmethod
    def of(cls, token: TokenInfo, now: int) -> TokenOut:
        times = {
            key: _time(getattr(token, key))
            for key in ("created", "expires", "revoked", "last_used")
        }
        return cls(**{**token.__dict__, **times}, status=token.status(now))


class TokenList(BaseModel):
    tokens: list[TokenOut]


class NewToken(BaseModel):
    user: str | None = Field(default=None, description="a home user's name", examples=["admin"])
    partner: str | None = Field(
        default=None, description="a partner agency's id or name", examples=["KrCERT/CC"]
    )
    label: str = Field(default="", max_length=200, examples=["ingest script"])
    expires_days: int | None = Field(default=None, ge=1, le=3650, examples=[90])


class CreatedToken(BaseModel):
    token_id: str
    token: str = Field(description="kawan_<id>_<secret>: shown this once, never again")


@router.get("/tokens")
def list_tokens(request: Request, _caller: Users) -> TokenList:
    """Every token: ids, owners, times and status, never a secret (admin)."""
    now = now_us()
    found = service.list_tokens(_node(request).engine)
    return TokenList(tokens=[TokenOut.of(t, now) for t in found])


@router.post("/tokens", status_code=201)
def create_token(request: Request, caller: Users, body: NewToken) -> CreatedToken:
    """A token for a home user or a partner agency; the answer holds it once (admin)."""
    if body.partner is not None:
        _partners_too(request, caller)
    token_id, text = service.create_token(
        _node(request).engine,
        user=body.user,
        agency=body.partner,
        label=body.label,
        expires_days=body.expires_days,
        who=who(caller, request),
    )
    return CreatedToken(token_id=token_id, token=text)


def _partners_too(request: Request, caller: Principal) -> None:
    require(Action.MANAGE_PARTNERS)(request, caller)


@router.delete("/tokens/{token_id}")
def revoke_token(request: Request, caller: Users, token_id: str) -> TokenOut:
    """Revoke a token (admin); revoking it again changes nothing."""
    engine = _node(request).engine
    service.revoke_token(engine, token_id, who=who(caller, request))
    return TokenOut.of(service.token_info(engine, token_id), now_us())


# ---- partners ---------------------------------------------------------------------------


class AgencyOut(BaseModel):
    agency_id: str
    name: str
    country: str | None
    url: str | None
    is_home: bool = Field(description="this node's own agency")
    is_partner: bool
    public_counts: bool = Field(description="its objects count in the public check")
    created: str

    @classmethod
    def of(cls, agency: AgencyRow) -> AgencyOut:
        return cls(
            agency_id=agency.agency_id,
            name=agency.name,
            country=agency.country,
            url=agency.url,
            is_home=agency.is_home,
            is_partner=agency.is_partner,
            public_counts=agency.public_counts,
            created=format_us(agency.created),
        )


class PartnerList(BaseModel):
    partners: list[AgencyOut]


class NewPartner(BaseModel):
    name: str = Field(min_length=1, max_length=300, examples=["KrCERT/CC"])
    country: str = Field(min_length=2, max_length=2, examples=["KR"])
    url: str | None = Field(
        default=None, description="its node's TAXII discovery URL", examples=["https://x/taxii2/"]
    )
    token: bool = Field(default=False, description="also create a token for it")


class AgencyList(BaseModel):
    agencies: list[AgencyOut]


class PublicCounts(BaseModel):
    allowed: bool = Field(
        description="true: the agency's non-RED objects count in the public check; "
        "false: only its CLEAR objects do",
        examples=[True],
    )


class CreatedPartner(BaseModel):
    partner: AgencyOut
    token_id: str | None = None
    token: str | None = Field(default=None, description="shown this once, never again")


@router.get("/partners")
def list_partners(request: Request, _caller: PartnerReaders) -> PartnerList:
    """The partner agencies this node knows (home users)."""
    found = service.list_partners(_node(request).engine)
    return PartnerList(partners=[AgencyOut.of(a) for a in found])


@router.post("/partners", status_code=201)
def add_partner(request: Request, caller: Partners, body: NewPartner) -> CreatedPartner:
    """Add a partner agency (its STIX identity too), with a token if asked (admin)."""
    engine, by = _node(request).engine, who(caller, request)
    agency_id = service.add_partner(engine, body.name, body.country, body.url, who=by)
    token_id, text = None, None
    if body.token:
        token_id, text = service.create_token(engine, agency=agency_id, label="partner", who=by)
    row = next(a for a in service.list_partners(engine) if a.agency_id == agency_id)
    return CreatedPartner(partner=AgencyOut.of(row), token_id=token_id, token=text)


@router.get("/agencies")
def list_agencies(request: Request, _caller: PartnerReaders) -> AgencyList:
    """Every agency this node knows: the home agency and the partners (home users)."""
    found = service.list_agencies(_node(request).engine)
    return AgencyList(agencies=[AgencyOut.of(a) for a in found])


@router.put("/agencies/{agency_id}/public-counts")
def set_public_counts(
    request: Request, caller: Partners, agency_id: str, body: PublicCounts
) -> AgencyOut:
    """Record whether an agency lets its objects count in the public check (admin).

    Running servers apply it within five seconds (the policy's world is cached that long).
    """
    engine = _node(request).engine
    if not agency_id.startswith("identity--"):
        raise InvalidInput("not an identity id", field="agency_id")
    service.set_public_counts(engine, agency_id, body.allowed, who=who(caller, request))
    return AgencyOut.of(next(a for a in service.list_agencies(engine) if a.agency_id == agency_id))


# ---- audit ------------------------------------------------------------------------------


class AuditEntry(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    target: str
    source: str
    outcome: str = Field(description="ok | denied | failed")
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: Entry) -> AuditEntry:
        return cls(**{**entry.__dict__, "at": format_us(entry.at)})


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next: str | None = Field(description="`before` for the next (older) page; null at the end")


@router.get("/audit")
def list_audit(
    request: Request,
    _caller: Auditors,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 100,
    before: Annotated[str | None, Query(description="a previous page's next")] = None,
) -> AuditPage:
    """The audit trail, newest first, in pages (admin)."""
    cursor = _cursor(before)
    found = trail.newest(_node(request).engine, limit=limit + 1, before=cursor)
    page = found[:limit]
    more = len(found) > limit and bool(page)
    return AuditPage(
        entries=[AuditEntry.of(e) for e in page], next=str(page[-1].seq) if more else None
    )


def _cursor(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput("not a cursor from a previous page's 'next'", field="before")
    return int(text)
