"""SQL of accounts: users, tokens, agencies (home and partners)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, or_, select

from kawan.accounts.records import AgencyRow, TokenInfo, User
from kawan.accounts.tokens import TokenState
from kawan.store.engine import upsert
from kawan.store.schema import agencies, tokens, users

# ---- users ------------------------------------------------------------------------------


def insert_user(
    conn: Connection, user_id: str, name: str, role: str, password_hash: str | None, now: int
) -> None:
    conn.execute(
        users.insert().values(
            user_id=user_id,
            name=name,
            role=role,
            password_hash=password_hash,
            created=now,
            disabled=False,
        )
    )


def user_by_name(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return None if row is None else _user(row)


def user_by_id(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.user_id == user_id)).first()
    return None if row is None else _user(row)


def all_users(conn: Connection) -> list[User]:
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.name))]


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def set_disabled(conn: Connection, user_id: str, disabled: bool) -> None:
    conn.execute(users.update().where(users.c.user_id == user_id).values(disabled=disabled))


def _user(row: Row[Any]) -> User:
    return User(
        user_id=row.user_id,
        name=row.name,
        role=row.role,
        has_password=row.password_hash is not None,
        created=int(row.created),
        disabled=bool(row.disabled),
    )


# ---- tokens -----------------------------------------------------------------------------


def insert_token(
    conn: Connection,
    *,
    token_id: str,
    secret_hash: str,
    user_id: str | None,
    agency_id: str | None,
    label: str,
    now: int,
    expires: int | None,
) -> None:
    conn.execute(
        tokens.insert().values(
            token_id=token_id,
            secret_hash=secret_hash,
            user_id=user_id,
            agency_id=agency_id,
            label=label,
            created=now,
            expires=expires,
        )
    )


def token_owner(conn: Connection, token_id: str) -> tuple[str | None, str | None] | None:
    """(user_id, agency_id) of a token; None when there is no such token."""
    query = select(tokens.c.user_id, tokens.c.agency_id).where(tokens.c.token_id == token_id)
    row = conn.execute(query).first()
    return None if row is None else (row.user_id, row.agency_id)


def token_state(conn: Connection, token_id: str) -> TokenState | None:
    """What decides whether the token may be used, its owner's state included."""
    query = (
        select(
            tokens.c.secret_hash,
            tokens.c.expires,
            tokens.c.revoked,
            users.c.disabled,
            agencies.c.is_partner,
        )
        .select_from(
            tokens.outerjoin(users, users.c.user_id == tokens.c.user_id).outerjoin(
                agencies, agencies.c.agency_id == tokens.c.agency_id
            )
        )
        .where(tokens.c.token_id == token_id)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    active = row.disabled is False or row.is_partner is True
    return TokenState(row.secret_hash, row.expires, row.revoked, bool(active))


def last_used(conn: Connection, token_id: str) -> int | None:
    query = select(tokens.c.last_used).where(tokens.c.token_id == token_id)
    value = conn.execute(query).scalar_one_or_none()
    return None if value is None else int(value)


def touch(conn: Connection, token_id: str, now: int) -> None:
    conn.execute(tokens.update().where(tokens.c.token_id == token_id).values(last_used=now))


def revoke(conn: Connection, token_id: str, now: int) -> bool:
    """Revoke a token; False when it was revoked already."""
    query = tokens.update().where(tokens.c.token_id == token_id, tokens.c.revoked.is_(None))
    return conn.execute(query.values(revoked=now)).rowcount > 0


def token_info(conn: Connection, token_id: str) -> TokenInfo | None:
    row = conn.execute(_token_query().where(tokens.c.token_id == token_id)).first()
    return None if row is None else _token(row)


def all_tokens(conn: Connection) -> list[TokenInfo]:
    return [_token(row) for row in conn.execute(_token_query().order_by(tokens.c.created))]


def _token_query() -> Any:
    owner = func.coalesce(users.c.name, agencies.c.name, "").label("owner")
    return select(tokens, owner).select_from(
        tokens.outerjoin(users, users.c.user_id == tokens.c.user_id).outerjoin(
            agencies, agencies.c.agency_id == tokens.c.agency_id
        )
    )


def _token(row: Row[Any]) -> TokenInfo:
    return TokenInfo(
        token_id=row.token_id,
        user_id=row.user_id,
        agency_id=row.agency_id,
        owner=row.owner,
        label=row.label,
        created=int(row.created),
        expires=row.expires,
        revoked=row.revoked,
        last_used=row.last_used,
    )


# ---- agencies ---------------------------------------------------------------------------


def put_agency(conn: Connection, agency: AgencyRow) -> None:
    """Insert an agency's row, or update it when the agency is known already."""
    values = {
        "name": agency.name,
        "country": agency.country,
        "is_home": agency.is_home,
        "is_partner": agency.is_partner,
        "url": agency.url,
        "public_counts": agency.public_counts,
    }
    upsert(conn, agencies, {"agency_id": agency.agency_id}, values, {"created": agency.created})


def put_home(conn: Connection, agency_id: str, name: str, country: str | None, now: int) -> None:
    """The home agency's row (`kawan init`)."""
    home = AgencyRow(agency_id, name, country, True, False, None, False, now)
    put_agency(conn, home)


def find_agency(conn: Connection, name_or_id: str) -> list[AgencyRow]:
    """Agencies whose id or name (case-insensitive) is `name_or_id`."""
    query = select(agencies).where(
        or_(
            agencies.c.agency_id == name_or_id,
            func.lower(agencies.c.name) == name_or_id.strip().lower(),
        )
    )
    return [_agency(row) for row in conn.execute(query)]


def all_agencies(conn: Connection, *, partners_only: bool = False) -> list[AgencyRow]:
    query = select(agencies).order_by(agencies.c.name)
    if partners_only:
        query = query.where(agencies.c.is_partner.is_(True))
    return [_agency(row) for row in conn.execute(query)]


def set_public_counts(conn: Connection, agency_id: str, allowed: bool) -> bool:
    query = agencies.update().where(agencies.c.agency_id == agency_id)
    return conn.execute(query.values(public_counts=allowed)).rowcount > 0


def public_count_agencies(conn: Connection) -> frozenset[str]:
    """Agencies that allowed their objects to count in public checks (the policy's input)."""
    query = select(agencies.c.agency_id).where(agencies.c.public_counts.is_(True))
    return frozenset(str(row[0]) for row in conn.execute(query))


def _agency(row: Row[Any]) -> AgencyRow:
    return AgencyRow(
        agency_id=row.agency_id,
        name=row.name,
        country=row.country,
        is_home=bool(row.is_home),
        is_partner=bool(row.is_partner),
        url=row.url,
        public_counts=bool(row.public_counts),
        created=int(row.created),
    )
