"""The Pongo API client: identity, stores, rewards and orders, over one retrying transport."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import httpx

from portal.closing import ClosedOnExit
from portal.pongo import endpoints, inferred, models
from portal.pongo.endpoints import Endpoint
from portal.pongo.errors import UnexpectedResponse
from portal.pongo.settings import PongoSettings
from portal.pongo.transport import Transport, raise_for_status

T = TypeVar("T")

log = logging.getLogger("portal.pongo")

# A merchant with more pages than this is a loop, not a catalogue.
MAX_PAGES = 200


class PongoClient(ClosedOnExit):
    """Calls Pongo on behalf of one merchant, whose access token comes from a callable."""

    def __init__(
        self,
        settings: PongoSettings,
        access_token: Callable[[], str],
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._access_token = access_token
        self._transport = Transport(settings, http=http, sleep=sleep, clock=clock)
        # Why each item of a list that could not be read was skipped, for the page to tell.
        self.unreadable: list[str] = []

    def close(self) -> None:
        """Release the HTTP connections this client opened."""
        self._transport.close()

    def me(self) -> models.PongoAccount:
        """The Pongo account the token belongs to."""
        return models.parse_account(self._get(endpoints.ME, self._url(endpoints.ME.path)))

    def stores(self) -> list[models.FetchedStore]:
        """Every store of the merchant, across all pages."""
        return list(self._paginate(endpoints.STORES, {}, models.parse_store))

    def rewards(
        self, *, customer: str | None = None, store_slug: str | None = None
    ) -> list[models.FetchedReward]:
        """Every reward of the merchant, or those a customer can buy in a store."""
        params = {"customer": customer, "store_slug": store_slug}
        return list(
            self._paginate(
                endpoints.REWARDS,
                {k: v for k, v in params.items() if v is not None},
                models.parse_reward,
            )
        )

    def create_order(
        self, payload: Mapping[str, object], *, idempotency_key: str
    ) -> models.OrderReceipt:
        """Send an order; a repeat of an order Pongo already has is a success too."""
        if not idempotency_key:
            raise ValueError("an order needs an idempotency key so it can be retried safely")
        order_id = payload.get("order_id")
        endpoint = endpoints.CREATE_ORDER
        reply = self._transport.send(
            endpoint.method,
            self._url(endpoint.path),
            what=endpoint.name,
            # The Idempotency-Key header is what makes repeating this POST safe.
            idempotent=True,
            headers=lambda: {**self._headers(), "Idempotency-Key": idempotency_key},
            json_body=dict(payload),
        )
        raise_for_status(reply, endpoint.name)
        return models.parse_receipt(
            reply.json(endpoint.name),
            order_id="" if order_id is None else str(order_id),
            status_code=reply.status_code,
        )

    def update_order_status(self, pongo_id: str, status: str) -> None:
        """Tell Pongo an order it has changed status (cancelled, refunded); a repeat is harmless."""
        if not pongo_id:
            raise ValueError("a status update needs the id Pongo gave the order")
        endpoint = endpoints.UPDATE_ORDER_STATUS
        path = endpoint.path.replace("{id}", quote(pongo_id, safe=""))
        reply = self._transport.send(
            endpoint.method,
            self._url(path),
            what=endpoint.name,
            # Setting the same status again changes nothing, so a retry is safe.
            idempotent=True,
            headers=self._headers,
            json_body={endpoints.STATUS_FIELD: status},
        )
        raise_for_status(reply, endpoint.name)

    # Plumbing

    def _url(self, path: str) -> str:
        return self.settings.url(path)

    def _headers(self) -> dict[str, str]:
        # Asked for on every attempt, so a token refreshed meanwhile is picked up.
        return {
            "Authorization": f"Bearer {self._access_token()}",
            "Accept": "application/json",
        }

    def _get(self, endpoint: Endpoint, url: str, params: Mapping[str, str] | None = None) -> Any:
        reply = self._transport.send(
            endpoint.method,
            url,
            what=endpoint.name,
            idempotent=True,
            headers=self._headers,
            params=params,
        )
        raise_for_status(reply, endpoint.name)
        return reply.json(endpoint.name)

    def _paginate(
        self, endpoint: Endpoint, params: dict[str, str], parse: Callable[[Any], T]
    ) -> Iterator[T]:
        """Yield the items of every page, following links.next or meta.last_page."""
        url: str | None = self._url(endpoint.path)
        page_params: dict[str, str] | None = params
        seen: set[tuple[str, str]] = set()
        for _ in range(MAX_PAGES):
            assert url is not None
            key = (url, repr(sorted((page_params or {}).items())))
            if key in seen:
                raise UnexpectedResponse(f"{endpoint.name}: pagination loops back on itself")
            seen.add(key)
            body = self._get(endpoint, url, page_params)
            for item in models.unwrap_list(body, endpoint.name):
                try:
                    parsed = parse(item)
                except UnexpectedResponse as error:
                    # One odd item must not hide the others: skip it and say why.
                    log.warning("pongo %s: skipped an item: %s", endpoint.name, error)
                    self.unreadable.append(str(error))
                    continue
                yield parsed
            url, page_params = self._next_page(endpoint, body, url, page_params)
            if url is None:
                return
        raise UnexpectedResponse(f"{endpoint.name}: more than {MAX_PAGES} pages")

    def _next_page(
        self,
        endpoint: Endpoint,
        body: Any,
        url: str,
        params: dict[str, str] | None,
    ) -> tuple[str | None, dict[str, str] | None]:
        if not isinstance(body, Mapping):
            return None, None
        links = _at(body, inferred.PAGE_NEXT)
        next_link = links.get(_leaf(inferred.PAGE_NEXT)) if isinstance(links, Mapping) else None
        if isinstance(next_link, str) and next_link:
            try:
                absolute = urljoin(url, next_link)
                elsewhere = _origin(absolute) != _origin(self.settings.base_url)
            except ValueError:  # e.g. an unclosed IPv6 bracket
                raise UnexpectedResponse(f"{endpoint.name}: next page is not a URL") from None
            # The bearer token must only ever go to Pongo's own host.
            if elsewhere:
                raise UnexpectedResponse(f"{endpoint.name}: next page points to another host")
            return absolute, None
        meta = _at(body, inferred.PAGE_LAST)
        if isinstance(meta, Mapping):
            current = meta.get(_leaf(inferred.PAGE_CURRENT))
            last = meta.get(_leaf(inferred.PAGE_LAST))
            if isinstance(current, int) and isinstance(last, int) and current < last:
                return url, {**(params or {}), "page": str(current + 1)}
        return None, None


def _at(body: Mapping[str, Any], dotted: str) -> Any:
    """The object holding the last part of a dotted name ("links" for "links.next")."""
    return body.get(dotted.split(".")[0])


def _leaf(dotted: str) -> str:
    return dotted.split(".")[-1]


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
