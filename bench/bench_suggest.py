"""Time store suggestions for 1,000 POS locations against 1,000 Pongo stores."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import median_ms, yardstick
from portal.locations.suggest import PosLocation, StoreChoice, suggest_links

SIZE = 1_000
RUNS = 5
KINDS = ("Boulangerie", "Restaurant", "Café", "Pizzeria", "")
SURNAMES = [
    "Dupont",
    "Martin",
    "Bernard",
    "Durand",
    "Petit",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
]
STREETS = (
    "rue de la Paix",
    "avenue Foch",
    "boulevard Voltaire",
    "place du Marché",
    "rue Oberkampf",
)
CITIES = (
    ("Paris", "750"),
    ("Lyon", "6900"),
    ("Marseille", "130"),
    ("Lille", "5900"),
    ("Nantes", "4400"),
    ("Bordeaux", "3300"),
)
ABBREVIATIONS = {"rue": "r.", "avenue": "av.", "boulevard": "bd", "place": "pl."}


def make_sites(rng: random.Random) -> tuple[list[PosLocation], list[StoreChoice]]:
    """Make locations and, for each, a store typed slightly differently, then shuffle them."""
    locations, stores = [], []
    for n in range(SIZE):
        city, postal_prefix = rng.choice(CITIES)
        postal_code = f"{postal_prefix}{rng.randrange(1, 20):02d}"[:5]
        name = f"{rng.choice(KINDS)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}".strip()
        street = rng.choice(STREETS)
        number = rng.randrange(1, 200)
        locations.append(PosLocation(f"L{n}", name, f"{number} {street}", city, postal_code))
        store_street = street
        for word, short in ABBREVIATIONS.items():
            if rng.random() < 0.5:
                store_street = store_street.replace(word, short)
        store_name = name.upper() if rng.random() < 0.3 else name.replace("Café", "Cafe")
        stores.append(
            StoreChoice(f"store-{n}", store_name, f"{number}, {store_street}", city, postal_code)
        )
    rng.shuffle(stores)
    return locations, stores


def main() -> None:
    """Print the median time to suggest links, and how many suggestions were right."""
    rng = random.Random(20240601)  # noqa: S311 -- fixed seed for repeatable test data
    locations, stores = make_sites(rng)
    linked = {f"L{n}": f"store-{n}" for n in range(0, SIZE, 10)}
    # Each run starts clean, as a request would, not paying for the last one's garbage.
    timing = median_ms(lambda: suggest_links(locations, stores, linked), RUNS)
    suggestions = suggest_links(locations, stores, linked)
    right = sum(1 for ref, s in suggestions.items() if s.slug == f"store-{ref[1:]}")
    print(f"locations: {SIZE:,}; stores: {SIZE:,}; already linked: {len(linked)}")
    print(f"machine yardstick, sum(range(10**6)): {yardstick() * 1e3:.1f} ms")
    print(f"suggest_links, median of {RUNS} runs: {timing:.0f} ms")
    print(f"suggestions: {len(suggestions)}, pointing at the store made for it: {right}")


if __name__ == "__main__":
    main()
