"""TAXII fixtures: a node with users, partners, a sharing group and tokens; a test client;
a real server on a free loopback port (helpers in tests/taxii/sites.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kawan.app import create_app
from kawan.node import Node
from tests.taxii.sites import Running, Site, make_site, start_server, stop_server


@pytest.fixture
def site(node: Node) -> Site:
    return make_site(node)


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site.node.settings, site.node)) as the_client:
        yield the_client


@pytest.fixture
def server(site: Site) -> Iterator[Running]:
    running = start_server(site.node)
    yield running
    stop_server(running)
