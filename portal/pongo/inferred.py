"""Every name and value the client uses that Pongo's API reference does not state: guesses.

The captured reference pages drop the names of body parameters, the allowed enum values,
the response examples and several URLs (PONGO-API.md, section 0). What the portal needs
from those gaps is guessed here and nowhere else, each with the page that should say it
and why we believe it. When Pongo confirms or corrects one, change it here; `portal
pongo-check` reports each of them against a real Pongo before going live.
"""

from __future__ import annotations

from portal.pongo.reference import Cited, guessed

GRANTS_PAGE = "reference/getaccesstoken-1"
ME_PAGE = "reference/getuserinformation-1"
ORDER_PAGE = "reference/createanorder-1"
REWARDS_PAGE = "reference/getrewards-1"
STORES_PAGE = "reference (sidebar): List all stores"
STATUS_PAGE = "reference (sidebar): Update order status"
LARAVEL = "Laravel/Passport convention; the page shows no example"

_NOT_CAPTURED = "not captured"


def _alike(values: str, *, what: str, page: str, reason: str) -> tuple[Cited, ...]:
    """Guesses of one kind, from one page and for one reason: one per space-separated value."""
    return tuple(guessed(value, what=what, page=page, reason=reason) for value in values.split())


# Paths

TOKEN_PATH = guessed(
    "/v1/oauth/token", what="token path", page=GRANTS_PAGE, reason="the page shows POST, no URL"
)
TEST_TOKEN_PATH = guessed(
    "/v1/oauth/test",
    what="test-the-token path",
    page="reference (sidebar): Test the token",
    reason="only the sidebar entry (GET) is known",
)
STORES_PATH = guessed(
    "/v1/stores", what="stores path", page=STORES_PAGE, reason="REST naming beside /v1/rewards"
)
ORDERS_PATH = guessed(
    "/v1/orders", what="create-order path", page=ORDER_PAGE, reason="REST naming; URL not captured"
)
ORDER_STATUS_PATH = guessed(
    "/v1/orders/{id}",
    what="update-order-status path",
    page=STATUS_PAGE,
    reason="REST naming, with the id Pongo gave the order (order_id repeats across stores)",
)

# The token answer (response not captured: Laravel Passport's shape)

TOKEN_ACCESS, TOKEN_TYPE, TOKEN_EXPIRES_IN = _alike(
    "access_token token_type expires_in",
    what="token answer field",
    page=GRANTS_PAGE,
    reason=LARAVEL,
)
TOKEN_REFRESH = guessed(
    "refresh_token",
    what="token answer field",
    page=GRANTS_PAGE,
    reason="no refresh grant is documented: used only when Pongo sends one",
)
TOKEN_SCOPE = guessed("scope", what="token answer field", page=GRANTS_PAGE, reason=LARAVEL)
PASSWORD_LOGIN = guessed(
    "username",
    what="password grant login field",
    page=GRANTS_PAGE,
    reason="the page names no field; OAuth's password grant says username",
)

PASSWORD_SCOPE = guessed(
    "scope",
    what="password grant scope field",
    page=GRANTS_PAGE,
    reason="the third password-grant field is unnamed; OAuth's is scope",
)

# /me (response not captured)

ME_ID, ME_NAME, ME_EMAIL = _alike(
    "id name email", what="account field", page=ME_PAGE, reason=LARAVEL
)

# Stores and rewards (no response captured; slug, public_id and external_id are documented)

STORE_NAME, STORE_ADDRESS, STORE_CITY, STORE_POSTAL_CODE = _alike(
    "name address city postal_code",
    what="store field",
    page=STORES_PAGE,
    reason=_NOT_CAPTURED,
)
REWARD_ID = guessed(
    "public_id",
    what="reward field",
    page=REWARDS_PAGE,
    reason="orders cite rewards by public_reward_id (quality-check)",
)
REWARD_NAME, REWARD_POINTS = _alike(
    "name points", what="reward field", page=REWARDS_PAGE, reason=_NOT_CAPTURED
)

# Paging and errors (nothing documented: Laravel's paginator and validation answers)

PAGE_ITEMS = guessed("data", what="list envelope field", page=REWARDS_PAGE, reason=LARAVEL)
PAGE_NEXT = guessed("links.next", what="paging link", page=REWARDS_PAGE, reason=LARAVEL)
PAGE_CURRENT, PAGE_LAST = _alike(
    "meta.current_page meta.last_page", what="paging counter", page=REWARDS_PAGE, reason=LARAVEL
)
ERROR_MESSAGE = guessed("message", what="error answer field", page=ORDER_PAGE, reason=LARAVEL)
ERROR_FIELDS = guessed("errors", what="422 answer field", page=ORDER_PAGE, reason=LARAVEL)

# Create-order body: the page gives types and descriptions; these names are read from them.


def _order(
    name: str, reason: str = "name dropped by the capture; read from the description"
) -> Cited:
    return guessed(name, what="order field", page=ORDER_PAGE, reason=reason)


ORDER_ANSWER_ID = guessed(
    "id",
    what="order answer field",
    page=ORDER_PAGE,
    reason="the page says a repeat answers with the order's id, without naming it",
)
ORDER_CHANNEL = _order("channel")
ORDER_DELIVERY_MODE = _order("delivery_mode")
ORDER_TABLET_ID = _order("tablet_id")
ORDER_AMOUNT = _order("amount")
ORDER_TAX_AMOUNT = _order("tax_amount")
ORDER_STATUS = _order("status")
ORDER_CREATED_AT = _order("created_at")
ORDER_DELIVERY_STATUS = _order("delivery_status")
ORDER_DEVICE_ID = _order("device_id")
ORDER_DEVICE_NAME = _order("device_name")

# Inside `customer` and `lines` the page gives no schema at all.

CUSTOMER_PHONE = guessed(
    "phone",
    what="customer field",
    page=ORDER_PAGE,
    reason="no customer schema; digits without + as create-customer wants",
)
CUSTOMER_PUBLIC_ID = guessed(
    "public_id",
    what="customer field",
    page=ORDER_PAGE,
    reason="no customer schema; the QA checklist speaks of customer_public_id",
)
LINE_SKU = guessed(
    "external_id", what="line field", page=ORDER_PAGE, reason="as rewards' external_id SKUs"
)
LINE_NAME, LINE_QUANTITY, LINE_UNIT_PRICE, LINE_AMOUNT = _alike(
    "name quantity unit_price amount",
    what="line field",
    page=ORDER_PAGE,
    reason="no line schema captured",
)

# Enum values: "Allowed:" came back empty. Operators may override them (PONGO_ORDER_*).

_ENUM = "allowed values not captured"
CHANNEL = guessed("pos", what="channel value", page=ORDER_PAGE, reason=_ENUM)
DELIVERY_MODE = guessed("on_site", what="delivery_mode value", page=ORDER_PAGE, reason=_ENUM)
STATUS = guessed("completed", what="status value", page=ORDER_PAGE, reason=_ENUM)
DELIVERY_STATUS = guessed("delivered", what="delivery_status value", page=ORDER_PAGE, reason=_ENUM)

# Update order status: only its sidebar entry (PATCH) is known.

STATUS_FIELD = guessed(
    "status", what="update-order-status field", page=STATUS_PAGE, reason="as create-order's"
)
STATUS_CANCELLED, STATUS_REFUNDED = _alike(
    "cancelled refunded", what="order status value", page=STATUS_PAGE, reason=_ENUM
)
STATUS_SCOPE = guessed(
    "order.update",
    what="update-order-status scope",
    page=STATUS_PAGE,
    reason="authentication-2's scope list has order.update beside order.create",
)


def every_guess() -> tuple[Cited, ...]:
    """Every guess of this module, in the order written."""
    return tuple(v for v in globals().values() if isinstance(v, Cited))
