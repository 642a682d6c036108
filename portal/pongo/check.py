"""Check the client's assumptions against a real Pongo before going live (`portal pongo-check`).

With the vendor's credentials it gets a token, calls "Test the token", /me, the stores and
the rewards, and (with a store slug) posts one test order without a customer, repeats it
and sends it broken. Each assumption becomes one line: `confirmed`, `differs` (with what
came back) or `not checked`; every guess of `portal.pongo.inferred` gets a line. Only
field names and Pongo's own messages are printed: never a token, a secret or a value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from portal.pongo import endpoints, inferred, models
from portal.pongo.check_order import check_order
from portal.pongo.check_report import (
    CONFIRMED,
    DIFFERS,
    NOT_CHECKED,
    Report,
    clip,
    json_of,
    names,
    said,
)
from portal.pongo.errors import UnexpectedResponse
from portal.pongo.reference import Cited
from portal.pongo.settings import parse_scopes


@dataclass(frozen=True)
class Credentials:
    """The vendor's client, and a merchant's password or a code from the consent form."""

    client_id: str
    client_secret: str = field(repr=False)
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    code: str | None = field(default=None, repr=False)
    redirect_uri: str | None = None
    scopes: tuple[str, ...] = ()


class PongoCheck:
    """One run of the check against one Pongo."""

    def __init__(self, http: httpx.Client, credentials: Credentials, token_path: str) -> None:
        self.http = http
        self.credentials = credentials
        self.token_path = token_path
        self.report = Report()
        self.token: str | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """One request; a transport failure becomes None (the caller says what was not checked)."""
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            return self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self.report.add(DIFFERS, path, f"no answer: {type(error).__name__}")
            return None

    # Token

    def get_token(self) -> None:
        """Ask for a token with the documented grant the credentials allow."""
        c = self.credentials
        form = {"client_id": c.client_id, "client_secret": c.client_secret}
        if c.code:
            grant = endpoints.GRANT_CODE
            form |= {"grant_type": grant, "code": c.code}
            if c.redirect_uri:
                form["redirect_uri"] = c.redirect_uri
        else:
            grant = endpoints.GRANT_PASSWORD
            form |= {
                "grant_type": grant,
                inferred.PASSWORD_LOGIN: c.login or "",
                "password": c.password or "",
                inferred.PASSWORD_SCOPE: ",".join(c.scopes),
            }
        path = self.token_path
        subject = endpoints.TOKEN.path if path == endpoints.TOKEN.path else f"token path {path!r}"
        reply = self.call("POST", path, data=form)
        if reply is None:
            return
        body = json_of(reply)
        if reply.status_code in (404, 405):
            self.report.add(DIFFERS, subject, said(reply))
            return
        if reply.status_code != 200 or not isinstance(body, Mapping):
            self.report.add(DIFFERS, grant, said(reply))
            return
        self.report.add(CONFIRMED, subject)
        self.report.add(CONFIRMED, grant, "Pongo issued a token")
        if not c.code:
            self.report.add(CONFIRMED, inferred.PASSWORD_LOGIN, "the password grant worked")
            self.report.add(CONFIRMED, inferred.PASSWORD_SCOPE, "the password grant worked")
        self._token_fields(body)

    def _token_fields(self, body: Mapping[str, Any]) -> None:
        came = names(body)
        access = body.get(inferred.TOKEN_ACCESS)
        if isinstance(access, str) and access:
            self.token = access
        self.report.check(self.token is not None, inferred.TOKEN_ACCESS, came=came)
        token_type = body.get(inferred.TOKEN_TYPE)
        bearer = isinstance(token_type, str) and token_type.lower() == "bearer"
        self.report.check(bearer, inferred.TOKEN_TYPE, came=came)
        self.report.check(inferred.TOKEN_EXPIRES_IN in body, inferred.TOKEN_EXPIRES_IN, came=came)
        granted = body.get(inferred.TOKEN_SCOPE)
        if not isinstance(granted, str):
            self.report.add(DIFFERS, inferred.TOKEN_SCOPE, came)
        else:
            missing = [s for s in self.credentials.scopes if s not in parse_scopes(granted)]
            lacking = (
                f"asked {', '.join(self.credentials.scopes)}; not granted: {', '.join(missing)}"
            )
            self.report.check(not missing, inferred.TOKEN_SCOPE, came=lacking)
        refresh = body.get(inferred.TOKEN_REFRESH)
        if isinstance(refresh, str) and refresh:
            self._try_refresh(refresh)
        else:
            self.report.add(
                NOT_CHECKED,
                inferred.TOKEN_REFRESH,
                "none came back: merchants reconnect when their token expires",
            )

    def _try_refresh(self, refresh: str) -> None:
        c = self.credentials
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": c.client_id,
            "client_secret": c.client_secret,
        }
        reply = self.call("POST", self.token_path, data=form)
        body = json_of(reply) if reply is not None else None
        if reply is not None and reply.status_code == 200 and isinstance(body, Mapping):
            self.token = body.get(inferred.TOKEN_ACCESS) or self.token
            self.report.add(CONFIRMED, inferred.TOKEN_REFRESH, "the refresh grant works")
        elif reply is not None:
            detail = f"a refresh token came back but the refresh was refused, {said(reply)}"
            self.report.add(DIFFERS, inferred.TOKEN_REFRESH, detail)

    # Identity

    def test_token(self) -> None:
        """ "Test the token", and how Pongo refuses a token it does not know."""
        reply = self.call("GET", endpoints.TEST_TOKEN.path)
        if reply is not None:
            self.report.check(reply.is_success, endpoints.TEST_TOKEN.path, came=said(reply))
        unknown = {"Authorization": "Bearer not-a-token"}
        refused = self.call("GET", endpoints.ME.path, headers=unknown)
        if refused is None:
            return
        body = json_of(refused)
        shaped = refused.status_code == 401 and isinstance(body, Mapping)
        came = f"a refused token got HTTP {refused.status_code}, {names(body)}"
        ok = shaped and inferred.ERROR_MESSAGE in body
        self.report.check(ok, inferred.ERROR_MESSAGE, came=came, note="in a 401")

    def me(self) -> None:
        """/me, and the account fields the portal shows."""
        reply = self.call("GET", endpoints.ME.path)
        if reply is None:
            return
        body = json_of(reply)
        if reply.status_code != 200 or not isinstance(body, Mapping):
            self.report.add(DIFFERS, endpoints.ME.path, said(reply))
            return
        self.report.add(CONFIRMED, endpoints.ME.path)
        inner = body.get(inferred.PAGE_ITEMS)
        item = inner if isinstance(inner, Mapping) else body
        for name in endpoints.ACCOUNT_FIELDS:
            self.report.check(name in item, name, came=names(item))
        try:
            models.parse_account(body)
        except UnexpectedResponse as error:
            self.report.add(DIFFERS, "the account as the client reads it", clip(error))

    # Lists

    def listing(
        self,
        endpoint: endpoints.Endpoint,
        fields: Sequence[Cited],
        parse: Callable[[Any], object],
    ) -> None:
        """One page of a list: the path, the envelope, the paging and each item field."""
        reply = self.call("GET", endpoint.path)
        if reply is None:
            return
        body = json_of(reply)
        if reply.status_code != 200 or body is None:
            self.report.add(DIFFERS, endpoint.path, said(reply))
            for name in fields:
                self.report.add(NOT_CHECKED, name, f"the {endpoint.name} call failed")
            return
        self.report.add(CONFIRMED, endpoint.path)
        what = endpoint.name
        if isinstance(body, Mapping) and isinstance(body.get(inferred.PAGE_ITEMS), list):
            items: list[Any] = body[inferred.PAGE_ITEMS]
            self.report.add(CONFIRMED, inferred.PAGE_ITEMS, f"on {what}")
            self._paging(body, what)
        elif isinstance(body, list):
            items = body
            self.report.add(DIFFERS, inferred.PAGE_ITEMS, f"{what} came back as a bare list")
        else:
            self.report.add(DIFFERS, inferred.PAGE_ITEMS, f"{what}: {names(body)}")
            return
        objects = [item for item in items if isinstance(item, Mapping)]
        if not objects:
            for name in fields:
                self.report.add(NOT_CHECKED, name, f"no {what} to look at")
            return
        came = names({k: None for item in objects for k in item})
        for position, name in enumerate(fields):
            having = sum(1 for item in objects if name in item)
            required = position == 0
            ok = having == len(objects) if required else having > 0
            count = f"{having} of {len(objects)} {what}"
            self.report.check(ok, name, came=f"{count}; {came}", note=count)
        unreadable = []
        for item in items:
            try:
                parse(item)
            except UnexpectedResponse as error:
                unreadable.append(clip(error))
        if unreadable:
            detail = f"{len(unreadable)} of {len(items)} unreadable, first: {unreadable[0]}"
            self.report.add(DIFFERS, f"{what} as the client reads them", detail)

    def _paging(self, body: Mapping[str, Any], what: str) -> None:
        for dotted in (inferred.PAGE_NEXT, inferred.PAGE_CURRENT, inferred.PAGE_LAST):
            holder_name, leaf = dotted.split(".")
            holder = body.get(holder_name)
            ok = isinstance(holder, Mapping) and leaf in holder
            self.report.check(ok, dotted, came=f"{what}: {names(body)}", note=f"on {what}")


def check_pongo(
    http: httpx.Client,
    credentials: Credentials,
    *,
    order_body: dict[str, Any] | None,
    token_path: str = endpoints.TOKEN.path,
) -> Report:
    """Run every check against the Pongo `http` points at (its base_url set)."""
    run = PongoCheck(http, credentials, token_path)
    run.get_token()
    if run.token is None:
        _finish(run.report, "no token, so nothing else could be called")
        return run.report
    run.test_token()
    run.me()
    run.listing(endpoints.STORES, endpoints.STORE_FIELDS, models.parse_store)
    run.listing(endpoints.REWARDS, endpoints.REWARD_FIELDS, models.parse_reward)
    if order_body is not None:
        check_order(run.call, run.report, order_body)
        _finish(run.report, "no call of the check shows it: ask Pongo")
    else:
        _finish(run.report, "give --order STORE_SLUG to post one test order")
    return run.report


def _finish(report: Report, reason: str) -> None:
    """A line for every guess and every documented path no earlier line spoke of."""
    for endpoint in endpoints.ALL:
        if endpoint is not endpoints.OAUTH_FORM:
            report.unless_reported(endpoint.path, reason)
    for guess in inferred.every_guess():
        report.unless_reported(guess, reason)
