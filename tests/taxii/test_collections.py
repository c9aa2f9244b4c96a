"""The collection entries in the store (both databases): enter, re-enter, migration."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from kawan.node import Node
from kawan.sharing.groups import change_members, group_object_id
from kawan.store import collections, migrate
from kawan.store.collections import COMMUNITY, Scan, group_collection_id
from kawan.store.engine import reading, writing
from kawan.store.schema import collection_entries
from tests.taxii.sites import GREEN, Site, group_marking, indicator, store


def _scan(site: Site, cid: str, after: int | None = None) -> list[collections.Entry]:
    with reading(site.node.engine) as conn:
        return collections.scan(conn, Scan(cid, types=("indicator",), after=after))


def test_versions_enter_by_marking_with_their_date_added(site: Site) -> None:
    store(site.node, [indicator(1), indicator(2, group_marking(site)), indicator(3, None)])
    community = _scan(site, COMMUNITY)
    assert [e.version.id for e in community] == [indicator(1)["id"], indicator(3)["id"]]
    assert all(e.entered == e.version.date_added for e in community)
    group = _scan(site, group_collection_id(site.group.group_id))
    assert [e.version.id for e in group] == [indicator(2)["id"]]


def test_a_new_member_makes_the_group_entries_enter_again(site: Site) -> None:
    store(site.node, [indicator(1, group_marking(site)), indicator(2, group_marking(site))])
    store(site.node, [indicator(3)])
    cid = group_collection_id(site.group.group_id)
    before = _scan(site, cid)
    cursor = _scan(site, COMMUNITY)[-1].entered  # a partner's cursor, after everything
    change_members(site.node.engine, site.group.group_id, [site.outsider], [])
    with writing(site.node.engine) as conn:  # 2 objects, and the group's 2 versions
        assert collections.reenter_group(conn, site.group.group_id) == 4
    after = _scan(site, cid, cursor)
    assert [e.version.id for e in after] == [e.version.id for e in before]
    assert all(e.entered > cursor for e in after)
    with reading(site.node.engine) as conn:
        versions = collections.scan(conn, Scan(cid, types=("kawan-group",), after=cursor))
    assert [e.version.id for e in versions] == [group_object_id(site.group.group_id)] * 2


def test_remove_takes_versions_out_of_one_collection(site: Site) -> None:
    store(site.node, [indicator(1, GREEN)])
    stamp = _scan(site, COMMUNITY)[0].version.date_added
    with writing(site.node.engine) as conn:
        assert collections.remove(conn, COMMUNITY, [stamp]) == 1
    assert _scan(site, COMMUNITY) == []


def _downgrade(node: Node, revision: str) -> None:
    cfg = migrate._config()
    with writing(node.engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_the_migration_enters_versions_stored_before_it(node: Node) -> None:
    store(node, [indicator(1), indicator(2, None)])
    with reading(node.engine) as conn:
        entries = conn.execute(select(collection_entries).order_by("entered")).all()
    _downgrade(node, "0002")
    with reading(node.engine) as conn:
        assert "collection_entries" not in inspect(conn).get_table_names()
    migrate.upgrade(node.engine)
    with reading(node.engine) as conn:
        again = conn.execute(select(collection_entries).order_by("entered")).all()
    assert entries and again == entries
