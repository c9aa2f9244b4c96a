"""The public check through the one policy: verdicts, the allowlist, and the property that
it never reveals what the policy keeps from the public, nor personal data."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawan.accounts import service
from kawan.audit.trail import Who
from kawan.config import Settings
from kawan.fraud.allowlist import load
from kawan.fraud.public_check import public_check
from kawan.fraud.reporting import file_report
from kawan.fraud.reports import Victim, build
from kawan.fraud.verdict import Verdict
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.sharing.policy import Facts, Viewer, visible
from kawan.sharing.reads import load_world
from kawan.stix.markings import Tlp
from kawan.store import objects as repo
from kawan.store.engine import reading, writing
from tests.fraud.conftest import NOW, Store, counter_ids, sample_draft

CHECKED = "0912 345 678"


@pytest.fixture
def partners(node: Node) -> dict[str, str]:
    """Two partner agencies: Thai CERT allows public counts, Korea's police do not."""
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    korea = service.add_partner(node.engine, "KNPA", "KR")
    service.set_public_counts(node.engine, thai, True)
    return {"TH": thai, "KR": korea}


def _check(node: Node, threshold: int = 3) -> dict[str, object]:
    answer = public_check(node.engine, CHECKED, country="VN", threshold=lambda _c: threshold)
    return answer.as_dict()


def test_no_reports(node: Node) -> None:
    assert _check(node)["verdict"] == Verdict.NONE


def test_only_what_the_public_may_count_is_counted(
    node: Node, partners: dict[str, str], store_report: Store
) -> None:
    store_report(sample_draft(), partners["TH"], Tlp.AMBER)  # consenting: counted
    store_report(sample_draft(), partners["KR"], Tlp.CLEAR)  # CLEAR: counted
    store_report(sample_draft(), partners["KR"], Tlp.GREEN)  # no consent: not counted
    store_report(sample_draft(), partners["TH"], Tlp.RED)  # RED: never
    answer = _check(node)
    assert (answer["reports"], answer["countries"]) == (2, 2)
    assert answer["verdict"] == Verdict.UNVERIFIED
    assert _check(node, threshold=2)["verdict"] == Verdict.SCAM


def test_the_allowlist_beats_reports(
    node: Node, partners: dict[str, str], store_report: Store, tmp_path: Path
) -> None:
    for _ in range(4):
        store_report(sample_draft(), partners["KR"], Tlp.CLEAR)
    official = tmp_path / "official.csv"
    official.write_text("kind,value,name,country,demo\nphone,0912345678,Demo hotline,VN,yes\n")
    load(node.engine, official, loaded=NOW)
    answer = _check(node)
    assert answer["verdict"] == Verdict.OFFICIAL
    assert answer["official"] == {"name": "Demo hotline", "demo": True}


# ---- the property -------------------------------------------------------------------

LEVELS = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]
AGENCIES = ["HOME", "TH", "KR"]
report_specs = st.lists(
    st.tuples(st.sampled_from(AGENCIES), st.sampled_from(LEVELS), st.booleans()),
    max_size=6,
)
consents = st.sets(st.sampled_from(AGENCIES))
SECRET = "Zyxw-secret-"


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _fresh_node(scratch: Path, n: int) -> Node:
    home = scratch / f"n{n}"
    node = Node(Settings(home=home, database_url=f"sqlite:///{home / 'kawan.db'}"))
    node.init("Test CERT", "VN")
    return node


Stored = list[tuple[str, Facts, bool]]  # who made it, its facts, revoked


def _store(node: Node, specs: list[tuple[str, Tlp, bool]], ids: dict[str, str]) -> Stored:
    """Store the reports (each with a victim's secret); who made each, its facts."""
    new_id = counter_ids()
    stored: Stored = []
    for n, (who, tlp, revoke) in enumerate(specs):
        victim = Victim(f"{SECRET}{n}", f"{SECRET}c{n}", f"{SECRET}s{n}")
        found = sample_draft(victim=victim)
        creator = ids[who]
        revoked = revoke and who != "HOME"
        if who == "HOME":
            file_report(node.engine, found, home=creator, marking=tlp, who=Who("t"),
                        now_us=NOW, new_id=new_id)  # fmt: skip
        else:
            objs = build(found, creator=creator, now_us=NOW, new_id=new_id)
            objs[-1] = {**objs[-1], "revoked": True} if revoked else objs[-1]
            items = [prepare(copy.deepcopy(o), Receipt(creator, tlp)) for o in objs]
            with writing(node.engine) as conn:
                repo.put_batch(conn, items)
        stored.append((who, Facts(tlp=tlp, origin=creator, creator=creator), revoked))
    return stored


COUNTRY = {"HOME": "VN", "TH": "TH", "KR": "KR"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=report_specs, consenting=consents)
def test_the_public_check_reveals_only_what_the_policy_lets_the_public_count(
    scratch: Path, specs: list[tuple[str, Tlp, bool]], consenting: set[str]
) -> None:
    node = _fresh_node(scratch, len(list(scratch.iterdir())))
    try:
        ids = {"HOME": node.require_home().id,
               "TH": service.add_partner(node.engine, "ThaiCERT", "TH"),
               "KR": service.add_partner(node.engine, "KNPA", "KR")}  # fmt: skip
        for who in consenting:
            service.set_public_counts(node.engine, ids[who], True)
        stored = _store(node, specs, ids)
        with reading(node.engine) as conn:
            world = load_world(conn)
        public = Viewer.public(counts_only=True)
        counted = [w for w, f, revoked in stored if visible(public, f, world) and not revoked]
        answer = public_check(node.engine, CHECKED, country="VN", threshold=lambda _c: 2)
        assert answer.reports == len(counted)
        assert answer.countries == len({COUNTRY[w] for w in counted})
        text = orjson.dumps(answer.as_dict()).decode()
        assert SECRET not in text and "report--" not in text and "Fraud report" not in text
        assert set(answer.as_dict()) <= {"identifier", "verdict", "reports", "countries",
                                         "threshold", "official"}  # fmt: skip
    finally:
        node.engine.dispose()
