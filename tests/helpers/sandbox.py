"""Test controls of the Pongo sandbox: scripted faults and the requests it received."""

from __future__ import annotations

from typing import Any

import httpx

from portal.pongo.endpoints import CREATE_ORDER, Endpoint

# The demo fixture's merchant account at Pongo.
DEMO_LOGIN = "demo@boulangerie-lumiere.fr"
DEMO_PASSWORD = "pongo-demo"


def fault(http: httpx.Client, endpoint: Endpoint | None = None, **spec: Any) -> None:
    """Make the sandbox misbehave on one endpoint (order sending unless told), as `spec` says."""
    where = (
        {"path": endpoint.path}
        if endpoint
        else {"path": CREATE_ORDER.path, "method": CREATE_ORDER.method}
    )
    answer = http.post("/_sandbox/faults", json={**where, **spec})
    assert answer.status_code == 201, answer.text


def requests_to(http: httpx.Client, endpoint: Endpoint) -> list[dict[str, Any]]:
    """The API requests the sandbox received for one endpoint."""
    log = http.get("/_sandbox/requests").json()
    return [r for r in log if r["method"] == endpoint.method and r["path"] == endpoint.path]


def revoke_token(pongo: httpx.Client) -> None:
    """Pongo revokes the demo account's token: its next call with it is refused (401)."""
    answer = pongo.post("/_sandbox/tokens/revoke", json={"login": DEMO_LOGIN})
    assert answer.status_code == 200, answer.text
