"""NUL and control characters in a request are refused at the edge, never stored or crashed on."""

from __future__ import annotations

import httpx
import pytest

from tests.untrusted.conftest import Served, Visitor

LOCATIONS = {"locations": [{"ref": "L1", "name": "Lumière Oberkampf", "city": "Paris"}]}


@pytest.mark.parametrize(
    "path",
    [
        "/orders/%00",
        "/support/merchants/%00",
        "/rewards?q=%00",
        "/locations?q=a%00b",
        "/locations?focus=%00",
        "/orders?q=%1b[31m",
    ],
)
def test_control_characters_in_the_address_are_refused(visitor: Visitor, path: str) -> None:
    assert visitor.launch().status_code == 302
    answer = visitor.get(path)
    assert answer.status_code in (400, 404), (answer.status_code, answer.text[:300])


def test_control_characters_in_api_paths_and_bodies_answer_json(served: Served) -> None:
    api = Visitor(served.url)
    key = {"Authorization": f"Bearer {served.api_key}"}
    assert api.request("PUT", "/api/v1/merchants/M1", json={"name": "M1"}, headers=key).is_success
    answers = [
        api.get("/api/v1/merchants/M%00/products", headers=key),
        api.request("PUT", "/api/v1/merchants/M%00", json={"name": "x"}, headers=key),
        api.request(
            "PUT",
            "/api/v1/merchants/M1/locations",
            json={"locations": [{"ref": "L1", "name": "Lumi\x00ère"}]},
            headers=key,
        ),
        api.request("PUT", "/api/v1/merchants/M1", json={"name": "M\x001"}, headers=key),
    ]
    for answer in answers:
        assert answer.status_code in (400, 404, 422), (answer.status_code, answer.text[:300])
        assert answer.headers["Content-Type"].startswith("application/json")
        assert "error" in answer.json() or "errors" in answer.json()
    api.close()


def test_control_characters_in_forms_are_refused(visitor: Visitor, served: Served) -> None:
    api = httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {served.api_key}"})
    assert visitor.launch().status_code == 302
    assert api.put("/api/v1/merchants/M1/locations", json=LOCATIONS).status_code == 200
    token = visitor.csrf("/locations")
    saved = visitor.post(
        "/locations", data={"csrf_token": token, "ref": "L1\x00", "store": "", "page": "1"}
    )
    assert saved.status_code == 400, saved.text[:300]
    staff = Visitor(served.url)
    login = staff.post(
        "/support/login",
        data={
            "csrf_token": staff.csrf("/support/login"),
            "email": "ops\x00@example.com",
            "password": "x",
        },
    )
    assert login.status_code == 400, login.text[:300]
    staff.close()
    api.close()


@pytest.mark.parametrize("claim", ["merchant_ref", "merchant_name", "name", "email"])
def test_control_characters_in_launch_claims_are_refused(visitor: Visitor, claim: str) -> None:
    answer = visitor.launch(**{claim: "Boulangerie\x00Lumière"})
    assert answer.status_code == 400, answer.text[:300]
    assert visitor.get("/").status_code in (401, 302)
