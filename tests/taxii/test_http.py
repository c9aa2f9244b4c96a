"""Raw HTTP: media types, headers, the error resource and each status code (both databases)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient

from kawan.app import create_app
from kawan.store.collections import COMMUNITY, group_collection_id
from kawan.taxii.routes import Config, taxii_app
from tests.taxii.sites import (
    AMBER,
    BASE,
    MT,
    RED,
    Site,
    bearer,
    group_marking,
    indicator,
    store,
)

COMMUNITY_URL = f"{BASE}collections/{COMMUNITY}/"


def basic(user: str, token: str) -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{token}".encode()).decode()
    return {"Authorization": f"Basic {pair}", "Accept": MT}


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MT
    body: dict[str, Any] = response.json()
    assert body["http_status"] == str(status)
    assert isinstance(body["title"], str) and body["title"]
    return body


def post(client: TestClient, url: str, token: str, body: Any, **headers: str) -> httpx.Response:
    sent = {**bearer(token), "Content-Type": MT, **headers}
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(url + "objects/", content=content, headers=sent)


# ---- media types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        MT,
        "application/taxii+json",
        "application/taxii+json; version=2.1",
        "application/taxii+json ;  version=2.1",
        "*/*",
        "text/html, application/taxii+json;version=2.1;q=0.5",
    ],
)
def test_acceptable_media_types(client: TestClient, site: Site, accept: str) -> None:
    response = client.get(BASE, headers={**bearer(site.admin), "Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == MT


@pytest.mark.parametrize(
    "accept",
    [
        "application/taxii+json;version=2.0",
        "application/json",
        "application/stix+json;version=2.1",
        "application/taxii+json;version=2.1;q=0",
    ],
)
def test_406(client: TestClient, site: Site, accept: str) -> None:
    response = client.get(BASE, headers={**bearer(site.admin), "Accept": accept})
    assert_error(response, 406)


def test_every_answer_has_the_taxii_media_type(client: TestClient, site: Site) -> None:
    store(site.node, [indicator(1)])
    oid = indicator(1)["id"]
    urls = [
        "/taxii2/",
        BASE,
        f"{BASE}collections/",
        COMMUNITY_URL,
        f"{COMMUNITY_URL}objects/",
        f"{COMMUNITY_URL}manifest/",
        f"{COMMUNITY_URL}objects/{oid}/",
        f"{COMMUNITY_URL}objects/{oid}/versions/",
    ]
    for url in urls:
        response = client.get(url, headers=bearer(site.partner_token))
        assert response.status_code == 200, url
        assert response.headers["content-type"] == MT, url


# ---- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": MT},
        {"Accept": MT, "Authorization": "Bearer kawan_nope_nope"},
        {"Accept": MT, "Authorization": "Digest x"},
        {"Accept": MT, "Authorization": "Basic !!!"},
    ],
)
def test_401_has_a_challenge_and_a_taxii_body(
    client: TestClient, site: Site, headers: dict[str, str]
) -> None:
    response = client.get(f"{BASE}collections/", headers=headers)
    assert_error(response, 401)
    challenge = response.headers["www-authenticate"]
    assert "Basic" in challenge and "Bearer" in challenge


def test_basic_needs_the_name_that_owns_the_token(client: TestClient, site: Site) -> None:
    ok = client.get(f"{BASE}collections/", headers=basic("Thai CERT", site.partner_token))
    assert ok.status_code == 200
    by_id = client.get(f"{BASE}collections/", headers=basic(site.partner, site.partner_token))
    assert by_id.status_code == 200
    user = client.get(f"{BASE}collections/", headers=basic("ana", site.admin))
    assert user.status_code == 200
    wrong = client.get(f"{BASE}collections/", headers=basic("Korea CERT", site.partner_token))
    assert_error(wrong, 401)


def test_bearer_works(client: TestClient, site: Site) -> None:
    assert client.get(f"{BASE}collections/", headers=bearer(site.viewer)).status_code == 200


# ---- 403, 404 -------------------------------------------------------------------------------


def test_403_when_the_role_may_not_write(client: TestClient, site: Site) -> None:
    listed = client.get(f"{BASE}collections/", headers=bearer(site.viewer)).json()
    assert all(c["can_read"] and not c["can_write"] for c in listed["collections"])
    response = post(client, COMMUNITY_URL, site.viewer, {"objects": [indicator(1)]})
    body = assert_error(response, 403)
    assert "viewer" not in body.get("details", {})


def test_403_when_a_partner_deletes_what_it_did_not_send(client: TestClient, site: Site) -> None:
    store(site.node, [indicator(1)])
    url = f"{COMMUNITY_URL}objects/{indicator(1)['id']}/"
    assert_error(client.delete(url, headers=bearer(site.partner_token)), 403)


@pytest.mark.parametrize(
    "path",
    [
        "nope/",
        "nope/collections/",
        "api/collections/00000000-0000-4000-8000-000000000000/",
        "api/collections/00000000-0000-4000-8000-000000000000/objects/",
        f"api/collections/{COMMUNITY}/objects/indicator--00000000-0000-4000-8000-000000000009/",
        f"api/collections/{COMMUNITY}/objects/indicator--00000000-0000-4000-8000-000000000009"
        "/versions/",
        "api/status/00000000-0000-4000-8000-000000000000/",
    ],
)
def test_404(client: TestClient, site: Site, path: str) -> None:
    assert_error(client.get(f"/taxii2/{path}", headers=bearer(site.admin)), 404)


def test_a_group_collection_is_unknown_to_outsiders(client: TestClient, site: Site) -> None:
    url = f"{BASE}collections/{group_collection_id(site.group.group_id)}/"
    assert client.get(url, headers=bearer(site.partner_token)).status_code == 200
    assert_error(client.get(url, headers=bearer(site.outsider_token)), 404)
    listed = client.get(f"{BASE}collections/", headers=bearer(site.outsider_token)).json()
    assert [c["id"] for c in listed["collections"]] == [COMMUNITY]


def test_red_and_other_groups_are_404_not_403(client: TestClient, site: Site) -> None:
    store(site.node, [indicator(1, RED)])
    url = f"{COMMUNITY_URL}objects/{indicator(1)['id']}/"
    assert_error(client.get(url, headers=bearer(site.admin)), 404)


# ---- POST: 202, 413, 415, 422 ---------------------------------------------------------------


def test_post_answers_202_with_a_status(client: TestClient, site: Site) -> None:
    bad = {"type": "indicator", "id": "indicator--nope", "spec_version": "2.1"}
    objs = [indicator(1), indicator(2, group_marking(site)), bad]
    response = post(client, COMMUNITY_URL, site.partner_token, {"objects": objs})
    assert response.status_code == 202
    assert response.headers["content-type"] == MT
    status = response.json()
    assert status["status"] == "complete"
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (3, 2, 1)
    assert status["total_count"] == (
        status["success_count"] + status["failure_count"] + status["pending_count"]
    )
    assert {s["id"] for s in status["successes"]} == {indicator(1)["id"], indicator(2)["id"]}
    assert all(s["version"] == "2026-01-01T00:00:00.000Z" for s in status["successes"])
    assert status["failures"][0]["id"] == "indicator--nope"
    assert status["failures"][0]["message"]
    again = client.get(f"{BASE}status/{status['id']}/", headers=bearer(site.partner_token))
    assert again.json() == status
    assert_error(client.get(f"{BASE}status/{status['id']}/", headers=bearer(site.viewer)), 404)


def test_posted_objects_keep_the_partner_as_origin(client: TestClient, site: Site) -> None:
    from kawan.store import versions as stored_versions
    from kawan.store.engine import reading

    objs = [indicator(1, None), indicator(2, AMBER)]
    assert post(client, COMMUNITY_URL, site.partner_token, {"objects": objs}).status_code == 202
    with reading(site.node.engine) as conn:
        found = stored_versions.latest_of(conn, [o["id"] for o in objs])
    unmarked, amber = found[objs[0]["id"]], found[objs[1]["id"]]
    assert unmarked.origin == amber.origin == site.partner
    assert unmarked.marking.tlp.label == "green" and not unmarked.marking.from_object
    assert amber.marking.tlp.label == "amber" and amber.marking.from_object


def test_415(client: TestClient, site: Site) -> None:
    body = {"objects": [indicator(1)]}
    for kind in ("application/json", "application/taxii+json;version=2.0", "text/plain"):
        response = post(client, COMMUNITY_URL, site.admin, body, **{"Content-Type": kind})
        assert_error(response, 415)
    spaced = "application/taxii+json; version=2.1"
    assert post(client, COMMUNITY_URL, site.admin, body, **{"Content-Type": spaced}).is_success


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"objects": {}}', b'{"objects": [1]}', b'"x"'],
)
def test_422(client: TestClient, site: Site, body: bytes) -> None:
    assert_error(post(client, COMMUNITY_URL, site.admin, body), 422)


def test_413(site: Site) -> None:
    app = create_app(site.node.settings, site.node)
    small = taxii_app(site.node, Config(max_content_length=1000))
    app.mount("/small", small)
    with TestClient(app) as client:
        root = client.get("/small/api/", headers=bearer(site.admin)).json()
        assert root["max_content_length"] == 1000
        body = {"objects": [indicator(n) for n in range(20)]}
        url = f"/small/api/collections/{COMMUNITY}/"
        assert_error(post(client, url, site.admin, body), 413)
        assert post(client, url, site.admin, {"objects": [indicator(1)]}).status_code == 202


# ---- paging and headers ---------------------------------------------------------------------


def test_date_added_headers_and_next(client: TestClient, site: Site) -> None:
    store(site.node, [indicator(n) for n in range(5)])
    url = f"{COMMUNITY_URL}manifest/?match[type]=indicator&limit=2"
    first = client.get(url, headers=bearer(site.partner_token))
    body = first.json()
    assert body["more"] is True and len(body["objects"]) == 2
    assert first.headers["x-taxii-date-added-first"] == body["objects"][0]["date_added"]
    assert first.headers["x-taxii-date-added-last"] == body["objects"][1]["date_added"]
    seen = [o["id"] for o in body["objects"]]
    while body.get("more"):
        page = client.get(f"{url}&next={body['next']}", headers=bearer(site.partner_token))
        body = page.json()
        seen += [o["id"] for o in body["objects"]]
    assert seen == [indicator(n)["id"] for n in range(5)]
    assert "next" not in body


def test_next_is_refused_when_the_filters_change(client: TestClient, site: Site) -> None:
    store(site.node, [indicator(n) for n in range(3)])
    url = f"{COMMUNITY_URL}objects/?match[type]=indicator&limit=1"
    token = client.get(url, headers=bearer(site.admin)).json()["next"]
    changed = f"{COMMUNITY_URL}objects/?match[type]=malware&limit=1&next={token}"
    assert_error(client.get(changed, headers=bearer(site.admin)), 400)
    forged = f"{COMMUNITY_URL}objects/?next=abc"
    assert_error(client.get(forged, headers=bearer(site.admin)), 400)
    more = client.get(
        f"{COMMUNITY_URL}objects/?match[type]=indicator&limit=5&next={token}",
        headers=bearer(site.admin),
    )
    assert more.status_code == 200  # limit is not a filter


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=-1", "limit=x", "added_after=yesterday", "match[version]=soon"]
)
def test_400_for_bad_parameters(client: TestClient, site: Site, query: str) -> None:
    assert_error(client.get(f"{COMMUNITY_URL}objects/?{query}", headers=bearer(site.admin)), 400)


def test_unknown_match_fields_are_ignored(client: TestClient, site: Site) -> None:
    store(site.node, [indicator(1)])
    url = f"{COMMUNITY_URL}objects/?match[colour]=blue&match[type]=indicator"
    assert len(client.get(url, headers=bearer(site.admin)).json()["objects"]) == 1


def test_405_is_a_taxii_error(client: TestClient, site: Site) -> None:
    assert_error(client.put(f"{BASE}collections/", headers=bearer(site.admin)), 405)


def test_reads_of_amber_strict_are_audited(client: TestClient, site: Site) -> None:
    from kawan.audit import trail

    strict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    obj = indicator(7, strict)
    obj["object_marking_refs"].append(group_marking(site))
    store(site.node, [obj])
    url = f"{BASE}collections/{group_collection_id(site.group.group_id)}/objects/"
    only = {"match[type]": "indicator"}  # (the group's own version is there too)
    got = client.get(url, params=only, headers=bearer(site.partner_token))
    assert [o["id"] for o in got.json()["objects"]] == [obj["id"]]
    entry = trail.newest(site.node.engine, limit=1)[0]
    assert (entry.action, entry.actor) == ("taxii.read", f"agency:{site.partner}")
    assert entry.detail["objects"] == [obj["id"]]
