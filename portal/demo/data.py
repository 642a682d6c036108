"""The demo data as the POS back-end would push it: Boulangerie Lumière and Pizzeria Nonna.

Lumière's locations resemble, without equalling, its six stores in the sandbox's demo
fixture (so suggestions have work to do), plus a central kitchen with no Pongo store.
Its catalogue makes the rewards review interesting: most reward SKUs match, two products
share a SKU, one product is archived by a second push, menus carry paid options and a
few products are only sold in some locations.
"""

from __future__ import annotations

from typing import Any

LUMIERE = {"ref": "LUMIERE", "name": "Boulangerie Lumière", "locale": "fr"}
NONNA = {"ref": "NONNA", "name": "Pizzeria Nonna", "locale": "en"}

LUMIERE_LOCATIONS: list[dict[str, Any]] = [
    {
        "ref": "L-OBK",
        "name": "Boulangerie Lumière Oberkampf",
        "address": "112 r. Oberkampf",
        "city": "Paris 11e",
        "postal_code": "75011",
        "country": "FR",
    },
    {
        "ref": "L-SGM",
        "name": "Lumière St-Germain-des-Prés",
        "address": "27 rue du Four",
        "city": "Paris",
        "postal_code": "75006",
        "country": "FR",
    },
    {
        "ref": "L-LYO",
        "name": "Boulangerie Lumière Lyon",
        "address": "14 r. de la Republique",
        "city": "Lyon",
        "postal_code": "69002",
        "country": "FR",
    },
    {
        "ref": "L-BDX",
        "name": "Lumière Chartrons",
        "address": "45 rue Notre Dame",
        "city": "Bordeaux",
        "postal_code": "33000",
        "country": "FR",
    },
    {
        "ref": "L-LIL",
        "name": "Lumière Vieux Lille",
        "address": "9 rue de la Monnaie",
        "city": "Lille",
        "postal_code": "59800",
        "country": "FR",
    },
    {
        "ref": "L-NTE",
        "name": "Lumiere Graslin",
        "address": "3 r. Crebillon",
        "city": "Nantes",
        "postal_code": "44000",
        "country": "FR",
    },
    {
        "ref": "L-LAB",
        "name": "Laboratoire central",
        "address": "8 avenue des Maraîchers",
        "city": "Rungis",
        "postal_code": "94150",
        "country": "FR",
    },
]

SHOPS = ["L-OBK", "L-SGM", "L-LYO", "L-BDX", "L-LIL", "L-NTE"]

BAKERY = [
    "Croissant",
    "Pain au chocolat",
    "Pain aux raisins",
    "Chausson aux pommes",
    "Tarte aux fraises (part)",
    "Baguette tradition",
    "Baguette",
    "Pain de campagne",
    "Pain complet",
    "Ficelle",
    "Brioche tressée",
    "Éclair au café",
    "Éclair au chocolat",
    "Religieuse",
    "Paris-Brest",
    "Mille-feuille",
    "Tarte au citron",
    "Tarte aux pommes",
    "Flan nature",
    "Financier",
    "Flan pâtissier (part)",
    "Madeleine",
    "Cookie",
    "Muffin myrtille",
    "Kouign-amann",
    "Canelé",
    "Palmier",
    "Chouquettes (x10)",
    "Sablé breton",
    "Brioche des étudiants",
]
DRINKS = [
    "Café",
    "Café allongé",
    "Café crème",
    "Cappuccino",
    "Latte",
    "Thé",
    "Chocolat chaud",
    "Jus d'orange pressé",
    "Limonade artisanale",
    "Eau minérale",
]
MENUS = [
    "Formule petit-déjeuner",
    "Formule déjeuner",
    "Formule sandwich",
    "Formule goûter",
    "Formule étudiant",
    "Formule brunch",
    "Formule enfant",
    "Formule salade",
]
# Products sold only in some shops: not at the central kitchen, or in two cities only.
ONLY_IN = {
    "BAK-030": ["L-LIL", "L-NTE"],
    "BAK-025": ["L-OBK", "L-SGM"],
    "CAF-007": SHOPS,
    "MENU-05": ["L-LIL", "L-NTE", "L-BDX"],
}


def _bakery() -> list[dict[str, Any]]:
    products = []
    for number in range(1, 141):
        base = BAKERY[(number - 1) % len(BAKERY)]
        batch = (number - 1) // len(BAKERY)
        sku = f"BAK-{number:03d}"
        products.append(
            {
                "ref": sku,
                "sku": sku,
                "name": base if batch == 0 else f"{base} — format {batch + 1}",
                "price_cents": 110 + 15 * (number % 23),
                "category": "Boulangerie",
                "location_refs": ONLY_IN.get(sku),
            }
        )
    # Two POS products share a SKU: the rewards review calls it ambiguous.
    products.append(
        {
            "ref": "BAK-012-XL",
            "sku": "BAK-012",
            "name": "Éclair au café géant",
            "price_cents": 520,
            "category": "Boulangerie",
        }
    )
    return products


def _drinks() -> list[dict[str, Any]]:
    products = []
    for number in range(1, 41):
        base = DRINKS[(number - 1) % len(DRINKS)]
        size = ("", " (grand)", " (à emporter)", " (sans lactose)")[(number - 1) // len(DRINKS)]
        sku = f"CAF-{number:03d}"
        products.append(
            {
                "sku": sku,
                "name": base + size,
                "price_cents": 180 + 20 * (number % 9),
                "category": "Boissons",
                # Syrups and oat milk are charged extra on milky coffees.
                "has_paid_options": base in {"Cappuccino", "Latte", "Café crème"},
                "location_refs": ONLY_IN.get(sku),
            }
        )
    return products


def _menus() -> list[dict[str, Any]]:
    return [
        {
            "sku": f"MENU-{number:02d}",
            "name": name,
            "price_cents": 650 + 150 * number,
            "category": "Formules",
            "has_paid_options": True,
            "location_refs": ONLY_IN.get(f"MENU-{number:02d}"),
        }
        for number, name in enumerate(MENUS, start=1)
    ]


def _others() -> list[dict[str, Any]]:
    return [
        {"sku": f"EPI-{number:02d}", "name": name, "price_cents": price, "category": "Épicerie"}
        for number, (name, price) in enumerate(
            [
                ("Confiture abricot", 690),
                ("Miel de lavande", 890),
                ("Pâte à tartiner", 750),
                ("Granola maison", 820),
                ("Sac cabas Lumière", 300),
                ("Farine T65 (1 kg)", 290),
                ("Sablés en boîte", 980),
                ("Thé en vrac (100 g)", 1150),
                ("Café en grains (250 g)", 1290),
                ("Carte cadeau", 2000),
            ],
            start=1,
        )
    ]


def lumiere_catalogue(*, final: bool = True) -> list[dict[str, Any]]:
    """About 200 products; the final push drops BAK-060, which the first one had."""
    products = _bakery() + _drinks() + _menus() + _others()
    if final:
        products = [p for p in products if p.get("ref", p["sku"]) != "BAK-060"]
    return products


NONNA_LOCATIONS: list[dict[str, Any]] = [
    {
        "ref": "N1",
        "name": "Pizzeria Nonna Vieux-Port",
        "address": "18 quai Rive-Neuve",
        "city": "Marseille",
        "postal_code": "13007",
        "country": "FR",
    },
    {
        "ref": "N2",
        "name": "Nonna Nice",
        "address": "6 rue Pairoliere",
        "city": "Nice",
        "postal_code": "06300",
        "country": "FR",
    },
]

NONNA_PRODUCTS: list[dict[str, Any]] = [
    {"sku": "PIZ-001", "name": "Pizza Margherita", "price_cents": 1050, "has_paid_options": True},
    {"sku": "PIZ-002", "name": "Pizza Margherita (grande)", "price_cents": 1350},
    {"sku": "PIZ-003", "name": "Pizza Regina", "price_cents": 1250},
    {"sku": "PIZ-004", "name": "Pizza Quattro formaggi", "price_cents": 1390},
    {"sku": "PIZ-005", "name": "Calzone", "price_cents": 1290, "location_refs": ["N1"]},
    {"sku": "PIZ-DOLCE-01", "name": "Tiramisu", "price_cents": 650},
    {"sku": "PIZ-DOLCE-02", "name": "Panna cotta", "price_cents": 590},
    {"sku": "PIZ-BEV-01", "name": "Limonata", "price_cents": 350},
]


def requests() -> list[tuple[str, str, dict[str, Any]]]:
    """The API calls that load the demo, in order: (method, path, body)."""
    lumiere = f"/api/v1/merchants/{LUMIERE['ref']}"
    nonna = f"/api/v1/merchants/{NONNA['ref']}"
    return [
        ("PUT", lumiere, {"name": LUMIERE["name"], "locale": LUMIERE["locale"]}),
        ("PUT", f"{lumiere}/locations", {"locations": LUMIERE_LOCATIONS}),
        ("PUT", f"{lumiere}/products", {"products": lumiere_catalogue(final=False)}),
        ("PUT", f"{lumiere}/products", {"products": lumiere_catalogue()}),
        ("PUT", nonna, {"name": NONNA["name"], "locale": NONNA["locale"]}),
        ("PUT", f"{nonna}/locations", {"locations": NONNA_LOCATIONS}),
        ("PUT", f"{nonna}/products", {"products": NONNA_PRODUCTS}),
    ]
