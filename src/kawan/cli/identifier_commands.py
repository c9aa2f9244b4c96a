"""Identifier commands: check and extract."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from kawan.cli import fraud_commands
from kawan.cli.output import err, guarded, open_node, out, print_json, print_json_line
from kawan.errors import InvalidInput
from kawan.fraud.check import CheckResult, run_check
from kawan.fraud.kinds import KINDS
from kawan.ingest.extract import extract as extract_text

KIND_HELP = "Identifier kind: " + ", ".join(KINDS) + " (guessed when left out)."


def register(app: typer.Typer) -> None:
    app.command()(check)
    app.command()(extract)


def check(
    value: str = typer.Argument(
        None,
        help="A phone number, account, wallet, URL, domain, IP, e-mail, hash … written any way.",
    ),
    kind: str = typer.Option(None, "--type", help=KIND_HELP),
    country: str = typer.Option(
        None,
        "--country",
        help="Default dialling country for phone numbers written without +, e.g. VN.",
    ),
    json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    csv: Path = typer.Option(
        None, "--csv", help="Bulk: a CSV of identifiers (value[,type,country]), one per line."
    ),
    out_file: Path = typer.Option(None, "--out", help="With --csv: write the answers here."),
) -> None:
    """Has this node, or any partner, seen this identifier? Shows every object that
    mentions it, what the fraud reports citing it say, and the identifiers that share an
    object with it. With --csv, checks every line of a file into a CSV.

    Examples: kawan check "0912 345 678" --country VN; kawan check evil.example --type domain;
    kawan check --csv numbers.csv --out answers.csv
    """
    if csv is not None:
        fraud_commands.bulk_check(csv, out_file)
        return
    if value is None:
        guarded(lambda: _missing_value())
    node = open_node()
    result = guarded(lambda: run_check(node.engine, value, kind=kind, country=country))
    if json:
        print_json(result.as_dict())
    else:
        _print_check(result)


def _missing_value() -> None:
    raise InvalidInput("give a VALUE to check, or --csv FILE", field="value")


def _print_check(result: CheckResult) -> None:
    ident = result.identifier
    out.print(f"[bold]{ident.kind}[/] {ident.value}", highlight=False)
    if not result.mentions:
        out.print("not seen on this node")
        return
    out.print(
        f"seen in {len(result.mentions)} objects, countries: {', '.join(result.countries) or '-'}",
        highlight=False,
    )
    table = Table("object", "name", "creator", "country", "marking", "first seen", "last seen")
    for m in result.mentions:
        table.add_row(
            m.object_id,
            m.name[:40],
            m.creator_name,
            m.country or "",
            m.marking,
            m.first_seen[:10],
            m.last_seen[:10],
        )
    out.print(table)
    fraud_commands.print_reports(result.reports)
    if result.linked:
        linked = Table("linked identifier", "kind", "shared objects")
        for link in result.linked[:20]:
            linked.add_row(link.value, link.kind, str(link.shared_objects))
        out.print(linked)


def extract(
    text: str = typer.Argument(None, help="The message; read from standard input when left out."),
    country: str = typer.Option(None, "--country", help="Default dialling country, e.g. TH."),
    json: bool = typer.Option(False, "--json", help="JSON lines: one identifier per line."),
) -> None:
    """Find every identifier in an SMS, chat message or e-mail: typed, normalised, with
    its position. Example: echo 'โทร0812345678 bit.ly/3abc' | kawan extract --country TH
    """
    message = text if text is not None else sys.stdin.read()
    found = extract_text(message, country=country)
    if json:
        for f in found:
            ident = f.identifier
            print_json_line(
                {
                    "kind": ident.kind,
                    "type": ident.stix_type,
                    "value": ident.value,
                    "start": f.start,
                    "end": f.end,
                    "raw": f.raw,
                    "defanged": f.defanged,
                }
            )
        sys.stdout.flush()
        return
    table = Table("kind", "value", "as written", "at")
    for f in found:
        table.add_row(f.identifier.kind, f.identifier.value, f.raw, f"{f.start}-{f.end}")
    out.print(table)
    err.print(f"{len(found)} identifiers")
