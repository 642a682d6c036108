"""SEC-15: a link issued more than five minutes ago is refused, even while its exp is ahead."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from tests.helpers.launch import claims, launch_token, open_link, signed


@pytest.mark.parametrize("exp_after_now", [30, 1, -1, -59])
def test_issued_301_seconds_ago_is_refused(client: FlaskClient, exp_after_now: int) -> None:
    """SEC-15: iat 301 s in the past → refused, whether exp is still ahead or within the skew."""
    now = int(time.time())
    token = signed(claims(iat=now - 301, exp=now + exp_after_now))
    answer = open_link(client, token)
    assert answer.status_code == 401, answer.status_code
    assert client.get("/").status_code != 200


def test_issued_299_seconds_ago_is_accepted(client: FlaskClient) -> None:
    now = int(time.time())
    assert open_link(client, signed(claims(iat=now - 290, exp=now + 5))).status_code == 302


def test_issued_301_seconds_ahead_is_refused(client: FlaskClient) -> None:
    """SEC-15: +301 s → refused."""
    now = int(time.time())
    assert open_link(client, signed(claims(iat=now + 301, exp=now + 400))).status_code == 401


def test_a_fresh_link_is_accepted(client: FlaskClient) -> None:
    assert client.get("/launch", query_string={"token": launch_token()}).status_code == 302
