"""The fraud commands end to end: report, victim, purge, allowlist, disputes, bulk check."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import Kawan, initialised, kawan

__all__ = ["initialised", "kawan"]


def test_report_then_check_export_delete_and_purge(initialised: Kawan) -> None:
    filed = initialised(
        "report", "--category", "police", "--channel", "phone call", "--date", "2026-11-03",
        "--loss", "15000000", "--currency", "VND", "--contact", "0912 345 678",
        "--text", "chuyen tien vao STK 0011004123456 Vietcombank", "--marking", "green",
        "--victim-name", "Nguyen Van A", "--json",
    )  # fmt: skip
    assert filed.exit_code == 0, filed.output
    report_id = orjson.loads(filed.stdout)["report_id"]
    checked = orjson.loads(initialised("check", "0912345678", "--country", "VN", "--json").stdout)
    assert checked["reports"]["count"] == 1 and checked["reports"]["loss"] == {"VND": "15000000"}
    assert "bank-account" in {link["kind"] for link in checked["linked"]}
    exported = initialised("victim", "export", report_id)
    assert orjson.loads(exported.stdout)["name"] == "Nguyen Van A"
    assert initialised("reports", "purge", "--json").exit_code == 0
    assert initialised("victim", "delete", report_id).exit_code == 0
    assert initialised("victim", "export", report_id).exit_code == 1


def test_a_bad_report_is_a_usage_error(initialised: Kawan) -> None:
    refused = initialised("report", "--category", "lottery", "--channel", "x",
                          "--contact", "0912345678")  # fmt: skip
    assert refused.exit_code == 2 and "unknown category" in refused.stderr


def test_allowlist_and_disputes(initialised: Kawan, tmp_path: Path) -> None:
    loaded = initialised("allowlist", "load", "--demo")
    assert loaded.exit_code == 0 and "refused 0" in loaded.stdout
    listed = orjson.loads(initialised("allowlist", "list", "--json").stdout)
    assert all(e["demo"] for e in listed)
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,value,name\nphone,nope,X\nsender-id,VCB,Vietcombank\n", "utf-8")
    partly = initialised("allowlist", "load", bad)
    assert partly.exit_code == 1 and "line 2" in partly.stderr
    assert orjson.loads(initialised("disputes", "list", "--json").stdout) == []


def test_bulk_check_a_csv(initialised: Kawan, tmp_path: Path) -> None:
    initialised("report", "--category", "phishing", "--channel", "sms", "--contact",
                "0912 345 678", "--country", "VN")  # fmt: skip
    source = tmp_path / "in.csv"
    source.write_text("value,country\n0912345678,VN\nnot a thing,\n\n+66812345678,\n", "utf-8")
    answers = tmp_path / "out.csv"
    done = initialised("check", "--csv", source, "--out", answers)
    assert done.exit_code == 0, done.output
    lines = answers.read_text("utf-8").splitlines()
    assert [line.split(",")[4] for line in lines[1:]] == ["1", "", "0"]
    assert "3 lines: 1 reported, 1 not identifiers" in done.stderr
