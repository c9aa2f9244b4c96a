"""Fraud commands: report, reports purge, victim export/delete, allowlist, disputes, and
the bulk check behind `kawan check --csv`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kawan.audit.trail import Who
from kawan.cli.output import err, guarded, open_node, out, print_json
from kawan.errors import InvalidInput
from kawan.fraud import allowlist, disputes
from kawan.fraud.bulk import Counts, run_bulk
from kawan.fraud.citing import gather
from kawan.fraud.details import Summary
from kawan.fraud.reporting import Filed, delete_victim, export_victim, file_report, purge
from kawan.fraud.reports import CATEGORIES, Victim, draft
from kawan.node import Node
from kawan.sharing.policy import Viewer
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store import allowlist as allowlist_table
from kawan.store.engine import reading

reports_app = typer.Typer(help="Fraud reports: the victims' data they keep.", no_args_is_help=True)
victim_app = typer.Typer(help="A victim's data, on their request.", no_args_is_help=True)
allowlist_app = typer.Typer(help="Official identifiers for the public check.",
                            no_args_is_help=True)  # fmt: skip
disputes_app = typer.Typer(help="Disputes filed on the public check.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(reports_app, name="reports")
    app.add_typer(victim_app, name="victim")
    app.add_typer(allowlist_app, name="allowlist")
    app.add_typer(disputes_app, name="disputes")


def _node() -> Node:
    return open_node()


def _date(text: str | None) -> date:
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not a date like 2026-11-30: {text!r}", field="date") from None


def report(
    category: str = typer.Option(..., help="One of: " + ", ".join(CATEGORIES) + "."),
    channel: str = typer.Option(..., help="How the scammer reached the victim, e.g. Telegram."),
    when: str = typer.Option(None, "--date", help="When it happened, e.g. 2026-11-30 (today)."),
    country: str = typer.Option(None, help="The victim's country, e.g. VN (the node's)."),
    loss: str = typer.Option(None, help="The amount lost, e.g. 15000000."),
    currency: str = typer.Option(None, help="ISO 4217 currency of the loss, e.g. VND."),
    contact: list[str] = typer.Option(
        [],
        "--contact",
        help="An identifier the scammer contacted from (repeat), e.g. "
        "--contact '0912 345 678' or --contact messenger:t.me/fakeshop",
    ),
    paid_to: list[str] = typer.Option(
        [],
        "--paid-to",
        help="Where the money went (repeat), e.g. "
        "--paid-to 'bank-account:Vietcombank 0011004123456'",
    ),
    text: str = typer.Option(
        None, "--text", help="A pasted message whose identifiers are cited too ('-': stdin)."
    ),
    marking: str = typer.Option(
        None, help="clear, green, amber, amber+strict, red (default KAWAN_DEFAULT_MARKING)."
    ),
    victim_name: str = typer.Option("", help="The victim's name (kept on this node only)."),
    victim_contact: str = typer.Option("", help="How to reach the victim (node only)."),
    victim_statement: str = typer.Option(
        "", help="The victim's account in their words (node only)."
    ),
    json: bool = typer.Option(False, "--json", help="Print what was stored as JSON."),
) -> None:
    """File a fraud report: a STIX report citing the identifiers, under your agency's
    marking; the victim's data stays on this node and is deleted after the retention period.

    Example: kawan report --category police-impersonation --channel "phone call"
    --date 2026-11-30 --loss 15000000 --currency VND --contact "0912 345 678"
    --paid-to "bank-account:Vietcombank 0011004123456" --victim-name "Nguyen Van A"
    """
    node = _node()
    home = guarded(node.require_home)
    where = country or home.country or ""
    message = sys.stdin.read() if text == "-" else text
    victim = Victim(victim_name.strip(), victim_contact.strip(), victim_statement.strip())

    def work() -> Filed:
        cited = gather(contact, paid_to, message, where)
        found = draft(category=category, channel=channel, occurred=_date(when), country=where,
                      cited=cited, loss=loss, currency=currency, victim=victim)  # fmt: skip
        tlp = Tlp.parse(marking or node.settings.default_marking)
        filed = file_report(node.engine, found, home=home.id, marking=tlp, who=Who.cli(),
                            now_us=now_us())  # fmt: skip
        return filed

    filed = guarded(work)
    if json:
        print_json(filed.as_dict())
        return
    out.print(f"stored {filed.report_id} ({filed.marking})", highlight=False)
    kept = "yes" if filed.victim_kept else "no"
    err.print(f"{len(filed.object_ids)} STIX objects; victim data kept: {kept}")


@reports_app.command("purge")
def reports_purge(json: bool = typer.Option(False, "--json", help="Print counts as JSON.")) -> None:
    """Delete victims' data (and disputes' contact details) older than
    KAWAN_VICTIM_RETENTION_DAYS; the reports stay. `kawan serve` runs this on start.

    Example: KAWAN_VICTIM_RETENTION_DAYS=180 kawan reports purge
    """
    node = _node()
    days = node.settings.victim_retention_days
    done = guarded(lambda: purge(node.engine, retention_days=days, now_us=now_us(),
                                 who=Who.cli()))  # fmt: skip
    if json:
        print_json(done.as_dict())
        return
    out.print(f"deleted {done.victims} victims' records and {done.dispute_contacts} dispute "
              f"contacts made before {done.cutoff} ({days} days)")  # fmt: skip


@victim_app.command("export")
def victim_export(report_id: str = typer.Argument(..., help="The report's STIX id.")) -> None:
    """Print the victim's data kept beside a report, as JSON (audited).

    Example: kawan victim export report--1f0c…  > victim.json
    """
    node = _node()
    print_json(guarded(lambda: export_victim(node.engine, report_id, Who.cli())))


@victim_app.command("delete")
def victim_delete(report_id: str = typer.Argument(..., help="The report's STIX id.")) -> None:
    """Delete the victim's data of a report on their request (audited); the report stays.

    Example: kawan victim delete report--1f0c…
    """
    node = _node()
    guarded(lambda: delete_victim(node.engine, report_id, Who.cli()))
    err.print(f"deleted the victim's data of {report_id}")


@allowlist_app.command("load")
def allowlist_load(
    file: Path = typer.Argument(None, help="CSV: kind,value,name,country,demo (with header)."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo data set's allowlist."),
) -> None:
    """Replace the allowlist with the entries of FILE; bad lines are reported (exit 1).

    Example: kawan allowlist load official.csv; kawan allowlist load --demo
    """
    node = _node()
    if file is None:
        from kawan.demo.fraud import allowlist_file  # the demo package: only for --demo

        file = allowlist_file() if demo else guarded(_no_file)
    parsed = guarded(lambda: allowlist.load(node.engine, file, loaded=now_us()))
    for problem in parsed.problems:
        err.print(f"[red]refused[/] {file}: {problem.describe()}", highlight=False)
    out.print(f"loaded {len(parsed.entries)} entries, refused {len(parsed.problems)}")
    if parsed.problems:
        raise typer.Exit(1)


def _no_file() -> Path:
    raise InvalidInput("give the allowlist FILE, or --demo", field="file")


@allowlist_app.command("list")
def allowlist_list(json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """The allowlist as loaded. Example: kawan allowlist list --json"""
    node = _node()
    with reading(node.engine) as conn:
        entries = allowlist_table.every(conn)
    if json:
        print_json([vars(e) for e in entries])
        return
    table = Table("kind", "value", "name", "country", "demo", "source")
    for e in entries:
        table.add_row(e.kind, e.value, e.name, e.country or "", "yes" if e.demo else "",
                      e.source)  # fmt: skip
    out.print(table)


@disputes_app.command("list")
def disputes_list(
    status: str = typer.Option("open", help="open, upheld, rejected or all."),
    limit: int = typer.Option(100, help="At most this many, oldest first."),
    json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Disputes filed on the public check, oldest first, for review.

    Example: kawan disputes list --status open
    """
    node = _node()
    wanted = None if status == "all" else status
    found = guarded(lambda: disputes.review_queue(node.engine, status=wanted, limit=limit))
    if json:
        print_json([d.as_dict() for d in found])
        return
    table = Table("dispute", "filed", "identifier", "reports", "status", "explanation", "contact")
    for d in found:
        table.add_row(d.dispute_id, d.filed[:16], d.value, str(d.reports), d.status,
                      d.explanation[:60], d.contact)  # fmt: skip
    out.print(table)


@disputes_app.command("close")
def disputes_close(
    dispute_id: str = typer.Argument(..., help="The dispute's opinion id."),
    status: str = typer.Option(..., help="upheld or rejected."),
) -> None:
    """Close a dispute after review. Example: kawan disputes close opinion--… --status upheld"""
    node = _node()
    guarded(lambda: disputes.close(node.engine, dispute_id, status))
    err.print(f"{dispute_id}: {status}")


def bulk_check(source: Path, output: Path | None) -> None:
    """`kawan check --csv FILE [--out FILE]`: answer every line; a progress bar on a terminal."""
    node = _node()
    total = _lines(source)
    with _open_in(source) as stream, _open_out(output) as sink, _progress(total) as tick:
        counts = guarded(lambda: run_bulk(node.engine, stream, sink, Viewer.operator(), tick))
    _report_counts(counts)


def _lines(path: Path) -> int:
    def count() -> int:
        try:
            with path.open("rb") as f:
                return sum(1 for _ in f)
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="csv") from None

    return guarded(count)


def _open_in(path: Path) -> TextIO:
    return path.open("r", encoding="utf-8-sig", newline="")


def _open_out(path: Path | None) -> TextIO:
    if path is None:
        return open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)
    return path.open("w", encoding="utf-8", newline="")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A line progress bar on a terminal; silent when standard error is piped."""
    if not err.is_terminal:
        yield lambda _done: None
        return
    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("check", total=total)
        yield lambda done: bar.update(task, completed=done)


def _report_counts(counts: Counts) -> None:
    err.print(f"{counts.lines} lines: {counts.found} reported, {counts.refused} not identifiers")


def print_reports(summary: Summary) -> None:
    """The officer check's report summary, under the mentions table."""
    if not summary.count:
        return
    out.print(f"[bold]{summary.count} fraud reports[/], {summary.first_seen} to "
              f"{summary.last_seen}", highlight=False)  # fmt: skip
    table = Table("by country", "by month", "categories", "loss")
    rows = max(len(summary.by_country), len(summary.by_month), len(summary.categories),
               len(summary.loss))  # fmt: skip
    columns = [
        [f"{k} {v}" for k, v in summary.by_country.items()],
        [f"{k} {v}" for k, v in summary.by_month.items()],
        [f"{k} {v}" for k, v in summary.categories.items()],
        [f"{v} {k}" for k, v in summary.loss.items()],
    ]
    for i in range(rows):
        table.add_row(*(c[i] if i < len(c) else "" for c in columns))
    out.print(table)
