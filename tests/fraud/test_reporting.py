"""Filing reports, the victim's data beside them, retention (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from sqlalchemy import select

from kawan.audit.trail import Who, newest
from kawan.errors import NotFound
from kawan.fraud.check import run_check
from kawan.fraud.reporting import delete_victim, export_victim, file_report, purge
from kawan.fraud.reports import Cited, IdMaker
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.store.engine import reading
from kawan.store.schema import objects, victims
from tests.fraud.conftest import ACCOUNT, DAY, NOW, PHONE, WALLET, sample_draft

WHO = Who("user:test", "127.0.0.1")


def _file(node: Node, new_id: IdMaker, now: int = NOW, **kw: object) -> str:
    found = sample_draft(**kw)  # type: ignore[arg-type]
    home = node.require_home().id
    filed = file_report(node.engine, found, home=home, marking=Tlp.GREEN, who=WHO,
                        now_us=now, new_id=new_id)  # fmt: skip
    return filed.report_id


def _everything_stored(node: Node) -> str:
    with reading(node.engine) as conn:
        return "\n".join(r.json for r in conn.execute(select(objects.c.json)))


def test_a_report_is_stored_as_stix_and_the_victim_apart(node: Node, new_id: IdMaker) -> None:
    report_id = _file(node, new_id)
    stored = _everything_stored(node)
    assert report_id in stored and '"relationship_type":"related-to"' in stored
    assert "Nguyen Van A" not in stored and "under arrest" not in stored
    assert export_victim(node.engine, report_id, WHO)["name"] == "Nguyen Van A"
    actions = [e.action for e in newest(node.engine, limit=5)]
    assert actions[:2] == ["victim_export", "report_file"]


def test_a_victims_data_is_deleted_on_request_and_the_report_stays(
    node: Node, new_id: IdMaker
) -> None:
    report_id = _file(node, new_id)
    delete_victim(node.engine, report_id, WHO)
    with pytest.raises(NotFound):
        export_victim(node.engine, report_id, WHO)
    with pytest.raises(NotFound):
        delete_victim(node.engine, report_id, WHO)
    assert report_id in _everything_stored(node)


def test_retention_purges_old_victims_data_and_keeps_the_reports(
    node: Node, new_id: IdMaker
) -> None:
    old = _file(node, new_id, now=NOW - 400 * DAY)
    recent = _file(node, new_id, now=NOW - 10 * DAY)
    done = purge(node.engine, retention_days=365, now_us=NOW, who=WHO)
    assert done.victims == 1
    with reading(node.engine) as conn:
        kept = {r.report_id: r for r in conn.execute(select(victims))}
    assert set(kept) == {recent}
    stored = _everything_stored(node)
    assert old in stored and recent in stored
    assert run_check(node.engine, "0912345678", country="VN").reports.count == 2


def test_the_officer_check_sums_up_the_reports(node: Node, new_id: IdMaker) -> None:
    _file(node, new_id)
    _file(node, new_id, cited=[Cited(PHONE, "contact"), Cited(WALLET, "payment")], country="KH",
          occurred=date(2026, 11, 20), loss="300", currency="USD", category="crypto")  # fmt: skip
    result = run_check(node.engine, "+84 912 345 678").as_dict()
    reports = result["reports"]
    assert reports["count"] == 2
    assert reports["by_country"] == {"VN": 1, "KH": 1}
    assert reports["by_month"] == {"2026-10": 1, "2026-11": 1}
    assert reports["categories"] == {"police-impersonation": 1, "crypto-scam": 1}
    assert (reports["first_seen"], reports["last_seen"]) == ("2026-10-03", "2026-11-20")
    assert reports["loss"] == {"USD": "300", "VND": "15000000"}
    linked = {link["value"] for link in result["linked"]}
    assert {ACCOUNT.value, WALLET.value} <= linked
    assert "Nguyen" not in orjson.dumps(result).decode()
