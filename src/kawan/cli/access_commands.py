"""Access commands: users, tokens, partners, the audit trail.

A command that creates a token prints the token alone on standard output (so that
`T=$(kawan token create --user alice)` works) and everything else on standard error.
The local operator acts as `cli:<login name>` in the audit trail.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.table import Table
from sqlalchemy import Engine

from kawan.accounts import service
from kawan.accounts.records import AgencyRow, TokenInfo, User
from kawan.audit import trail
from kawan.audit.chain import Entry
from kawan.audit.trail import Who
from kawan.cli.output import err, fail, guarded, open_node, out, print_json
from kawan.cli.sync_commands import node_key, sync_options
from kawan.config import Settings
from kawan.errors import InvalidInput
from kawan.node import Node
from kawan.sharing import sync_link
from kawan.sharing.sync_client import Peer
from kawan.sharing.sync_link import LinkRequest
from kawan.stix.timestamps import format_us, now_us

user_app = typer.Typer(help="Home users and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: create, revoke, list.", no_args_is_help=True)
partner_app = typer.Typer(help="Partner agencies.", no_args_is_help=True)
agency_app = typer.Typer(
    help="Every agency this node knows (home and partners) and its public-count consent.",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="The audit trail: list and verify.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(partner_app, name="partner")
    app.add_typer(agency_app, name="agency")
    app.add_typer(audit_app, name="audit")


@contextmanager
def _engine() -> Iterator[Engine]:
    """The node's engine for one command, closed afterwards."""
    node = guarded(lambda: Node(Settings.from_env()))
    try:
        guarded(node.ensure_schema)
        yield node.engine
    finally:
        node.engine.dispose()


def _time(micros: int | None) -> str:
    return "" if micros is None else format_us(micros)[:19].replace("T", " ")


def _print_secret(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# ---- users ------------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="The user's login name, e.g. analyst.nguyen"),
    role: str = typer.Option(
        ..., "--role", help="admin, analyst, investigator or viewer, e.g. --role analyst"
    ),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read a password (for the pages) from the first line of standard input, "
        "e.g. printf '%s\\n' \"$PW\" | kawan user add alice --role viewer --password-stdin",
    ),
) -> None:
    """Add a home user with a role. Example: kawan user add alice --role analyst"""
    password = _read_password() if password_stdin else None
    with _engine() as engine:
        user = guarded(lambda: service.add_user(engine, name, role, password, who=Who.cli()))
    err.print(f"added user {user.name} ({user.role}) {user.user_id}", highlight=False)


def _read_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        guarded(lambda: _raise(InvalidInput("no password on standard input", field="password")))
    return line


def _raise(exc: Exception) -> None:
    raise exc


@user_app.command("list")
def user_list(json: bool = typer.Option(False, "--json", help="Print JSON, e.g. --json")) -> None:
    """The node's home users. Example: kawan user list"""
    with _engine() as engine:
        users = guarded(lambda: service.list_users(engine))
    if json:
        print_json([_user_dict(u) for u in users])
        return
    table = Table("name", "role", "id", "created", "password", "disabled")
    for u in users:
        table.add_row(
            u.name, u.role, u.user_id, _time(u.created), _yes(u.has_password), _yes(u.disabled)
        )
    out.print(table)


def _user_dict(u: User) -> dict[str, object]:
    return {**u.__dict__, "created": format_us(u.created)}


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


@user_app.command("disable")
def user_disable(name: str = typer.Argument(..., help="The user's name, e.g. alice")) -> None:
    """Disable a user: their tokens stop working. Example: kawan user disable alice"""
    with _engine() as engine:
        guarded(lambda: service.set_user_disabled(engine, name, True, who=Who.cli()))
    err.print(f"user {name} disabled", highlight=False)


@user_app.command("enable")
def user_enable(name: str = typer.Argument(..., help="The user's name, e.g. alice")) -> None:
    """Enable a disabled user again. Example: kawan user enable alice"""
    with _engine() as engine:
        guarded(lambda: service.set_user_disabled(engine, name, False, who=Who.cli()))
    err.print(f"user {name} enabled", highlight=False)


# ---- tokens -----------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    user: str = typer.Option(None, "--user", help="For this home user, e.g. --user alice"),
    partner: str = typer.Option(
        None, "--partner", help="For this partner agency (name or id), e.g. --partner KrCERT/CC"
    ),
    label: str = typer.Option("", "--label", help="What it is for, e.g. --label 'ingest cron'"),
    expires_days: int = typer.Option(
        None, "--expires-days", help="Stop working after N days, e.g. --expires-days 90"
    ),
) -> None:
    """Create an API token and print it, alone, on standard output (shown once).

    Example: T=$(kawan token create --user alice --label laptop --expires-days 30)
    """
    with _engine() as engine:
        token_id, text = guarded(
            lambda: service.create_token(
                engine,
                user=user,
                agency=partner,
                label=label,
                expires_days=expires_days,
                who=Who.cli(),
            )
        )
    err.print(f"token {token_id} created for {user or partner}; it is shown once", highlight=False)
    _print_secret(text)


@token_app.command("revoke")
def token_revoke(
    token_id: str = typer.Argument(..., help="The token's id (16 hex), e.g. 3f9a0c1d2b4e5f60"),
) -> None:
    """Revoke a token: it stops working at once. Example: kawan token revoke 3f9a0c1d2b4e5f60"""
    with _engine() as engine:
        changed = guarded(lambda: service.revoke_token(engine, token_id, who=Who.cli()))
    err.print(f"token {token_id} {'revoked' if changed else 'was revoked already'}")


@token_app.command("list")
def token_list(json: bool = typer.Option(False, "--json", help="Print JSON, e.g. --json")) -> None:
    """Every token: id, owner, label, times and status; never a secret.

    Example: kawan token list --json
    """
    with _engine() as engine:
        tokens, now = guarded(lambda: service.list_tokens(engine)), now_us()
    if json:
        print_json([_token_dict(t, now) for t in tokens])
        return
    table = Table("id", "owner", "label", "status", "created", "expires", "last used")
    for t in tokens:
        table.add_row(
            t.token_id,
            _owner(t),
            t.label,
            t.status(now),
            _time(t.created),
            _time(t.expires),
            _time(t.last_used),
        )
    out.print(table)


def _owner(t: TokenInfo) -> str:
    return f"user {t.owner}" if t.user_id else f"partner {t.owner}"


def _token_dict(t: TokenInfo, now: int) -> dict[str, object]:
    times = {k: None if v is None else format_us(v) for k, v in _times(t).items()}
    return {**t.__dict__, **times, "status": t.status(now)}


def _times(t: TokenInfo) -> dict[str, int | None]:
    return {
        "created": t.created,
        "expires": t.expires,
        "revoked": t.revoked,
        "last_used": t.last_used,
    }


# ---- partners ---------------------------------------------------------------------------


@partner_app.command("add")
def partner_add(
    name: str = typer.Argument(..., help="The partner agency's name, e.g. 'KrCERT/CC'"),
    country: str = typer.Option(
        None, "--country", help="Its ISO 3166 country, e.g. KR (read from its node if linked)"
    ),
    url: str = typer.Option(
        None, "--url", help="Its node's TAXII URL, e.g. https://kawan.krcert.or.kr/taxii2/"
    ),
    token: str = typer.Option(
        None,
        "--token",
        help="The token its node gave us, to sync with it (checked, stored encrypted), "
        'e.g. --token "$T"',
    ),
    user: str = typer.Option(
        None, "--user", help="Send the token with HTTP Basic as this user, e.g. --user admin"
    ),
    agency_id: str = typer.Option(
        None, "--id", help="Its identity id, as its own node names it, e.g. --id identity--…"
    ),
    push_to: str = typer.Option(
        None,
        "--push-to",
        help="A non-kawan server: the one collection id to push into, e.g. --push-to 365fed99-…",
    ),
    token_stdout: bool = typer.Option(
        False,
        "--token-stdout",
        help="Also create a token for it and print the token alone on standard output, "
        "e.g. T=$(kawan partner add KrCERT/CC --country KR --token-stdout)",
    ),
) -> None:
    """Add a partner agency (its STIX identity and its row), or link its node for sync.

    Without --token: prints its identity id, or with --token-stdout its new token.
    With --url and --token: checks its node (TAXII discovery, collections, its home
    agency's identity), records the link and says what each side will share.

    Examples: kawan partner add "KrCERT/CC" --country KR --id identity--… --token-stdout ·
    kawan partner add "KrCERT/CC" --url https://kawan.example.kr/taxii2/ --token "$T"
    """
    if token is not None:
        if url is None:
            fail(InvalidInput("--token needs --url: the partner node's TAXII URL", field="url"))
        _link(LinkRequest(name, url, token, user, country, agency_id, push_to))
        return
    if country is None:
        fail(InvalidInput("give --country (or --url and --token to link)", field="country"))
    with _engine() as engine:
        agency = guarded(
            lambda: service.add_partner(
                engine, name, country, url, agency_id=agency_id, who=Who.cli()
            )
        )
        if not token_stdout:
            err.print(f"partner {name} ({country.upper()}) added", highlight=False)
            _print_secret(agency)
            return
        token_id, text = guarded(
            lambda: service.create_token(engine, agency=agency, label="partner", who=Who.cli())
        )
    err.print(f"partner {name} added: {agency}; token {token_id} (shown once)", highlight=False)
    _print_secret(text)


def _link(request: LinkRequest) -> None:
    node = open_node()
    options = sync_options(node.settings)
    key = guarded(lambda: node_key(node))
    peer = Peer(
        request.url, request.token, request.user, timeout=options.timeout, verify=options.verify
    )
    try:
        linked = guarded(lambda: sync_link.link_partner(node.engine, key, peer, request, Who.cli()))
    finally:
        peer.close()
    _say_linked(linked)


def _say_linked(linked: sync_link.Linked) -> None:
    agency, checked = linked.agency, linked.checked
    who = "its home agency's identity" if checked.identity else "no kawan home identity"
    err.print(
        f"linked {agency.name} ({agency.agency_id}): {checked.title!r}, API root "
        f"{checked.api_root}, {len(checked.collections)} collections, {who}",
        highlight=False,
    )
    for target, count in linked.we_send:
        where = target.remote or "nowhere: the partner has no writable collection for it"
        err.print(
            f"  we send: {target.title} ({count} entries; what the policy lets "
            f"{agency.name} see) -> {where}",
            highlight=False,
        )
    for remote in linked.we_receive:
        err.print(f"  we receive: {remote.title} ({remote.id})", highlight=False)
    _print_secret(agency.agency_id)


@partner_app.command("list")
def partner_list(
    json: bool = typer.Option(False, "--json", help="Print JSON, e.g. --json"),
) -> None:
    """The partner agencies this node knows and their link state (never a token).

    Example: kawan partner list
    """
    node = open_node()
    found = guarded(lambda: sync_link.status(node.engine))
    if json:
        print_json([{**_agency_dict(s.agency), **_link_dict(s)} for s in found])
        return
    table = Table("name", "country", "id", "url", "link", "last sync", "public counts")
    for s in found:
        a = s.agency
        table.add_row(
            a.name,
            a.country or "",
            a.agency_id,
            a.url or "",
            s.link_state,
            _time(s.state.last_success),
            _yes(a.public_counts),
        )
    out.print(table)


def _link_dict(s: sync_link.Status) -> dict[str, object]:
    return {
        "link": s.link_state,
        "last_sync": None if s.state.last_success is None else format_us(s.state.last_success),
        "last_error": s.state.last_error,
    }


def _agency_dict(a: AgencyRow) -> dict[str, object]:
    return {**a.__dict__, "created": format_us(a.created)}


# ---- agencies -----------------------------------------------------------------------------


@agency_app.command("list")
def agency_list(
    json: bool = typer.Option(False, "--json", help="Print JSON, e.g. --json"),
) -> None:
    """Every agency this node knows: the home agency and the partners.

    Example: kawan agency list
    """
    with _engine() as engine:
        found = guarded(lambda: service.list_agencies(engine))
    if json:
        print_json([_agency_dict(a) for a in found])
        return
    table = Table("name", "country", "id", "home", "partner", "public counts")
    for a in found:
        table.add_row(
            a.name,
            a.country or "",
            a.agency_id,
            _yes(a.is_home),
            _yes(a.is_partner),
            _yes(a.public_counts),
        )
    out.print(table)


@agency_app.command("public-counts")
def agency_public_counts(
    agency: str = typer.Argument(..., help="The agency's name or identity id, e.g. 'KrCERT/CC'"),
    allow: bool = typer.Option(
        ...,
        "--allow/--deny",
        help="--allow: its objects count in the public check's verdicts; --deny: only "
        "its CLEAR objects do",
    ),
) -> None:
    """Record whether an agency lets its objects count in the public check (admin).

    The agency's own decision, recorded by this node's admin: with --allow, the public
    check counts its non-RED reports (never their text or personal data); with --deny,
    only its CLEAR objects. Running servers apply it within five seconds. Audited.

    Examples: kawan agency public-counts "KrCERT/CC" --allow ·
    kawan agency public-counts identity--… --deny
    """
    with _engine() as engine:
        guarded(lambda: service.set_public_counts(engine, agency, allow, who=Who.cli()))
    word = "counts" if allow else "no longer counts"
    err.print(f"{agency}: its objects {word} in the public check", highlight=False)


# ---- audit ------------------------------------------------------------------------------


@audit_app.command("list")
def audit_list(
    limit: int = typer.Option(
        50, "--limit", min=1, help="How many of the newest, e.g. --limit 200"
    ),
    json: bool = typer.Option(False, "--json", help="Print JSON, e.g. --json"),
) -> None:
    """The newest audit entries, oldest of them first. Example: kawan audit list --limit 20"""
    with _engine() as engine:
        entries = list(reversed(guarded(lambda: trail.newest(engine, limit=limit))))
    if json:
        print_json([_entry_dict(e) for e in entries])
        return
    table = Table("seq", "at", "actor", "action", "target", "from", "outcome", "detail")
    for e in entries:
        table.add_row(
            str(e.seq), _time(e.at), e.actor, e.action, e.target, e.source, e.outcome, _detail(e)
        )
    out.print(table)


def _entry_dict(e: Entry) -> dict[str, object]:
    return {**e.__dict__, "at": format_us(e.at)}


def _detail(e: Entry) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()) if v is not None)


@audit_app.command("verify")
def audit_verify(
    json: bool = typer.Option(False, "--json", help="Print the verdict as JSON, e.g. --json"),
) -> None:
    """Check the hash chain of the whole trail; exit 1 naming the first broken entry.

    Example: kawan audit verify
    """
    with _engine() as engine:
        verdict = guarded(lambda: trail.verify_stored(engine))
    broken = verdict.broken
    if json:
        print_json(
            {
                "intact": broken is None,
                "checked": verdict.checked,
                "last_seq": verdict.last_seq,
                "last_hash": verdict.last_hash,
                "broken": None if broken is None else {"seq": broken.seq, "reason": broken.reason},
            }
        )
    elif broken is None:
        out.print(
            f"audit trail intact: {verdict.checked} entries, last seq {verdict.last_seq}, "
            f"hash {verdict.last_hash}",
            highlight=False,
        )
    else:
        out.print(f"audit trail broken: {broken.describe()}", highlight=False)
    if broken is not None:
        raise typer.Exit(1)
