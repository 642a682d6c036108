"""Every Pongo call the portal makes and every name it sends or reads, each citing its page.

Paths, scopes and field names are `Cited` strings: documented ones are written here with
the page that states them; the rest come from `portal.pongo.inferred`, the one place for
guesses. PONGO_TOKEN_PATH overrides the token path at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.config.schema import TOKEN_GRANT_TYPE
from portal.pongo import inferred
from portal.pongo.reference import Cited, documented

AUTH_PAGE = "reference/authentication-2"
ORDER_PAGE = inferred.ORDER_PAGE
SETUP_PAGE = "reference/merchant-authentication-and-setup"


@dataclass(frozen=True)
class Endpoint:
    """One Pongo API call: its verb, its path and the scope it needs, each cited."""

    name: str
    method: str
    path: Cited
    scope: Cited | None


def _scope(value: str) -> Cited:
    return documented(value, what="scope", page=AUTH_PAGE)


# Documented path; no scope needed.
ME = Endpoint("me", "GET", documented("/v1/oauth/me", what="me path", page=inferred.ME_PAGE), None)
# Guessed path, as is the "Test the token" call pongo-check makes.
TEST_TOKEN = Endpoint("test_token", "GET", inferred.TEST_TOKEN_PATH, None)
# Guessed path; the reference's scope list has no store.* scope, so none is asked for.
STORES = Endpoint("stores", "GET", inferred.STORES_PATH, None)
# Documented path and scope.
REWARDS = Endpoint(
    "rewards",
    "GET",
    documented("/v1/rewards", what="rewards path", page=inferred.REWARDS_PAGE),
    _scope("reward.read"),
)
# Guessed path; documented scope.
CREATE_ORDER = Endpoint("create_order", "POST", inferred.ORDERS_PATH, _scope("order.create"))
# Guessed path, body and scope: only the sidebar's PATCH entry is known.
UPDATE_ORDER_STATUS = Endpoint(
    "update_order_status", "PATCH", inferred.ORDER_STATUS_PATH, inferred.STATUS_SCOPE
)
# Documented path of the hosted consent form the merchant's browser is sent to.
OAUTH_FORM = Endpoint(
    "oauth_form",
    "GET",
    documented("/v1/oauth/form", what="consent form path", page=AUTH_PAGE),
    None,
)
# Guessed path of the token endpoint (code exchange, password grant, refresh if offered).
TOKEN = Endpoint("token", "POST", inferred.TOKEN_PATH, None)

ALL = (ME, TEST_TOKEN, STORES, REWARDS, CREATE_ORDER, UPDATE_ORDER_STATUS, OAUTH_FORM, TOKEN)

# Token grants: the page documents exactly these two.
GRANT_CODE = documented(TOKEN_GRANT_TYPE, what="code exchange grant", page=inferred.GRANTS_PAGE)
GRANT_PASSWORD = documented("password", what="password grant", page=inferred.GRANTS_PAGE)

# Create-order's answer to an order it already has for that store.
ALREADY_PROCESSED_STATUS = 202
ALREADY_PROCESSED = documented(
    "This order has already been processed.", what="repeat order message", page=ORDER_PAGE
)


def _store(name: str, page: str) -> Cited:
    return documented(name, what="store field", page=page)


STORE_SLUG = _store("slug", SETUP_PAGE)
STORE_PUBLIC_ID = _store("public_id", "reference/createacustomer-1")
REWARD_EXTERNAL_ID = documented("external_id", what="reward field", page=SETUP_PAGE)

# What the client reads in a store and in a reward, the one it cannot do without first.
STORE_FIELDS = (
    STORE_SLUG,
    inferred.STORE_NAME,
    inferred.STORE_ADDRESS,
    inferred.STORE_CITY,
    inferred.STORE_POSTAL_CODE,
    STORE_PUBLIC_ID,
)
REWARD_FIELDS = (
    inferred.REWARD_ID,
    inferred.REWARD_NAME,
    inferred.REWARD_POINTS,
    REWARD_EXTERNAL_ID,
)
ACCOUNT_FIELDS = (inferred.ME_ID, inferred.ME_NAME, inferred.ME_EMAIL)


# The body of "Update order status" and the statuses the portal sends.
STATUS_FIELD = inferred.STATUS_FIELD
STATUS_VALUES = (inferred.STATUS_CANCELLED, inferred.STATUS_REFUNDED)


class Order:
    """The names of create-order's body, in the reference's order (those the portal sends)."""

    ORDER_ID = documented("order_id", what="order field", page=ORDER_PAGE)
    CHANNEL = inferred.ORDER_CHANNEL
    DELIVERY_MODE = inferred.ORDER_DELIVERY_MODE
    STORE_SLUG = documented("loyalty_store_slug", what="order field", page=SETUP_PAGE)
    TABLET_ID = inferred.ORDER_TABLET_ID
    AMOUNT = inferred.ORDER_AMOUNT
    TAX_AMOUNT = inferred.ORDER_TAX_AMOUNT
    REWARD_IDS = documented("reward_ids", what="order field", page=ORDER_PAGE)
    STATUS = inferred.ORDER_STATUS
    CREATED_AT = inferred.ORDER_CREATED_AT
    DELIVERY_STATUS = inferred.ORDER_DELIVERY_STATUS
    LINES = documented("lines", what="order field", page=ORDER_PAGE)
    CUSTOMER = documented("customer", what="order field", page=ORDER_PAGE)
    DEVICE_ID = inferred.ORDER_DEVICE_ID
    DEVICE_NAME = inferred.ORDER_DEVICE_NAME


class Customer:
    """The names inside an order's `customer`."""

    PHONE = inferred.CUSTOMER_PHONE
    PUBLIC_ID = inferred.CUSTOMER_PUBLIC_ID
    HAS_OPTIN = documented(
        "has_optin", what="customer field", page="reference/build-point-of-sale-integration"
    )


class Line:
    """The names inside an order line."""

    SKU = inferred.LINE_SKU
    NAME = inferred.LINE_NAME
    QUANTITY = inferred.LINE_QUANTITY
    UNIT_PRICE = inferred.LINE_UNIT_PRICE
    AMOUNT = inferred.LINE_AMOUNT
    REWARD_ID = documented("public_reward_id", what="line field", page="reference/quality-check")
