"""The node: one agency's database and its home agency. The CLI and the app start here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import orjson
from sqlalchemy import Engine

from kawan.agencies import Agency, identity
from kawan.config import Settings
from kawan.errors import CannotRun, Conflict
from kawan.ingest.prepare import Receipt, prepare
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store import accounts as accounts_repo
from kawan.store import groups as group_table
from kawan.store import migrate
from kawan.store import node as node_table
from kawan.store import objects as repo
from kawan.store import versions as stored_versions
from kawan.store.engine import make_engine, reading, writing

HOME_KEY = "home_agency"


@dataclass
class Node:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings)

    def upgrade(self) -> None:
        """Run the database migrations (idempotent)."""
        migrate.upgrade(self.engine)

    def ensure_schema(self) -> None:
        if not migrate.is_current(self.engine):
            self.upgrade()

    def home(self) -> Agency | None:
        with reading(self.engine) as conn:
            home_id = node_table.get(conn, HOME_KEY)
            if home_id is None:
                return None
            found = stored_versions.latest_of(conn, [home_id]).get(home_id)
        if found is None:
            return Agency(home_id, home_id, None)
        return Agency.from_identity(orjson.loads(found.json))

    def require_home(self) -> Agency:
        home = self.home()
        if home is None:
            raise CannotRun(
                "this node has no home agency yet: run "
                "`kawan init --agency NAME --country CC` first"
            )
        return home

    def init(self, name: str, country: str) -> Agency:
        """Create the home agency's identity and its `agencies` row. A node serves exactly
        one agency. (Its first admin: `kawan.accounts.service.bootstrap_admin`.)"""
        self.ensure_schema()
        existing = self.home()
        if existing is not None:
            raise Conflict(f"this node already serves {existing.name} ({existing.id})")
        obj = identity(name, country, now_us())
        item = prepare(obj, Receipt(origin=obj["id"], recorded=Tlp.GREEN))
        with writing(self.engine) as conn:
            repo.put_batch(conn, [item])
            node_table.put(conn, HOME_KEY, obj["id"])
            home = Agency.from_identity(obj)
            accounts_repo.put_home(conn, home.id, home.name, home.country, now_us())
        return home

    def receipt(
        self,
        origin: str,
        recorded: Tlp | None,
        *,
        brought_by: str | None = None,
        readers: tuple[str, ...] = (),
    ) -> Receipt:
        """How objects arriving now are recorded: with the node's group markings and
        statement markings known, so they are not mistaken for unknown (RED) ones."""
        with reading(self.engine) as conn:
            groups = group_table.group_markings(conn)
            statements = group_table.statement_markings(conn)
        return Receipt(
            origin=origin,
            recorded=recorded,
            group_markings=groups,
            statements=statements,
            brought_by=brought_by,
            readers=readers,
        )
