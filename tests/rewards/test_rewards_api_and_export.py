"""The POS reads rewards through the API; merchants export every token to a spreadsheet."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient

from portal.spreadsheet import safe_cell
from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.rewards import Fetch, reward


def test_pos_reads_each_reward_with_the_skus_of_this_pos(fetch: Fetch, api: Api) -> None:
    fetch(
        reward("rew_list", "Viennoiserie", "ZLT-1, BAK-002 ,bak 003,BAK-001"),
        reward("rew_none", "Autre", "ZLT-1"),
        reward("rew_empty", "Sac", None),
    )
    answer = api.get("/merchants/M1/rewards")
    assert answer.status_code == 200
    body = answer.json
    assert body["synced_at"] is not None
    assert body["rewards"] == [
        {
            "public_reward_id": "rew_list",
            "name": "Viennoiserie",
            "status": "check",
            "skus": ["BAK-002", "BAK-001"],
            "shape": "list",
        },
        {
            "public_reward_id": "rew_none",
            "name": "Autre",
            "status": "not_redeemable",
            "skus": [],
            "shape": "none",
        },
        {
            "public_reward_id": "rew_empty",
            "name": "Sac",
            "status": "no_sku",
            "skus": [],
            "shape": "none",
        },
    ]


def test_rewards_api_needs_a_key_and_a_known_merchant(app: Flask, api: Api) -> None:
    anonymous = app.test_client().get("/api/v1/merchants/M1/rewards")
    assert anonymous.status_code == 401
    wrong = Api(app.test_client(), "pk_wrong.key").get("/merchants/M1/rewards")
    assert wrong.status_code == 401
    assert api.get("/merchants/NOPE/rewards").status_code == 404


def test_merchant_never_synced_reads_an_empty_list(api: Api) -> None:
    assert api.put("/merchants/M1", {"name": "Lumière"}).status_code == 201
    assert api.get("/merchants/M1/rewards").json == {"rewards": [], "synced_at": None}


def test_rewards_api_is_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/merchants/{ref}/rewards"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RewardsOut"}
    reward_out = document["components"]["schemas"]["RewardOut"]
    assert set(reward_out["properties"]) == {"public_reward_id", "name", "status", "skus", "shape"}


def read_export(client: FlaskClient) -> tuple[bytes, list[list[str]]]:
    """The raw CSV download and its rows as a spreadsheet reads them."""
    answer = client.get("/rewards/export.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    raw = answer.get_data()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_lists_every_token_with_bom_accents_and_quoting(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    fetch(
        reward("rew_a", 'Éclair "géant", au café', "BAK-012,bak 001,ZLT-1"),
        reward("rew_b", "Sac cabas Lumière", None),
    )
    raw, rows = read_export(merchant_client)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Lumière".encode() in raw
    header = raw.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header == (
        "reward id,reward name,status,token,classification,suggestion,"
        "product refs,product names,shape,paid options"
    )
    # A SKU shared by two active products is one the tills honour: "check", a single product.
    assert rows[1:] == [
        [
            "rew_a",
            'Éclair "géant", au café',
            "check",
            "BAK-012",
            "ambiguous",
            "",
            "BAK-012 | BAK-012-XL",
            "Éclair au café | Éclair au café géant",
            "single",
            "no",
        ],
        [
            "rew_a",
            'Éclair "géant", au café',
            "check",
            "bak 001",
            "near_miss",
            "BAK-001",
            "BAK-001",
            "Croissant",
            "single",
            "no",
        ],
        ["rew_a", 'Éclair "géant", au café', "check", "ZLT-1", "other_system"]
        + [""] * 3
        + ["single", "no"],
        ["rew_b", "Sac cabas Lumière", "no_sku"] + [""] * 5 + ["none", "no"],
    ]


def test_export_says_the_shape_and_the_paid_options_of_each_reward(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    fetch(
        reward("rew_list", "Viennoiserie", "BAK-001,BAK-002"),
        reward("rew_cap", "Cappuccino", "CAF-004,ZLT-1"),
    )
    _, rows = read_export(merchant_client)
    tails = {(row[0], row[3]): row[-2:] for row in rows[1:]}
    assert tails == {
        ("rew_list", "BAK-001"): ["list", "no"],
        ("rew_list", "BAK-002"): ["list", "no"],
        ("rew_cap", "CAF-004"): ["single", "yes"],
        ("rew_cap", "ZLT-1"): ["single", "yes"],
    }


def test_export_neutralises_spreadsheet_formulas(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    fetch(
        reward("rew_f", '=HYPERLINK("http://evil.example","clic")', "+SUM(A1:A9),-2+3,@cmd"),
        reward("rew_g", "Croissant sans formule", "BAK-001"),
    )
    _, rows = read_export(merchant_client)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","clic")' in cells
    assert {"'+SUM(A1:A9)", "'-2+3", "'@cmd"} <= set(cells)
    plain = [
        "rew_g",
        "Croissant sans formule",
        "ready",
        "BAK-001",
        "matched",
        "",
        "BAK-001",
        "Croissant",
    ]
    assert [*plain, "single", "no"] in rows


def test_formula_guard_leaves_ordinary_text_alone() -> None:
    assert safe_cell("BAK-001") == "BAK-001"
    assert safe_cell("") == ""
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("\t=1") == "\t'=1"  # the piece after the tab is what a reader runs
    assert safe_cell("-") == "'-"


def test_export_is_for_signed_in_merchants_only(client: FlaskClient) -> None:
    assert client.get("/rewards/export.csv").status_code == 401
    launch(client)
    _, rows = read_export(client)
    assert len(rows) == 1


def test_export_neutralises_full_width_formula_signs(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    """Spreadsheets run ＝ ＋ － ＠ (and the small ﹦) like the ASCII signs: all neutralised."""
    fetch(reward("rew_w", '＝HYPERLINK("http://evil.example")', "＋SUM(A1),－2,＠cmd,﹦1+1"))
    _, rows = read_export(merchant_client)
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert {
        '\'＝HYPERLINK("http://evil.example")',
        "'＋SUM(A1)",
        "'－2",
        "'＠cmd",
        "'﹦1+1",
    } <= set(cells)
    assert not any(cell.startswith(("＝", "＋", "－", "＠", "﹦")) for cell in cells)


def test_formula_guard_knows_the_full_width_forms() -> None:
    for sign in "＝＋－＠﹦﹢﹣":
        assert safe_cell(f"{sign}1") == f"'{sign}1"
    assert safe_cell("Ｂ＝1") == "Ｂ＝1"
