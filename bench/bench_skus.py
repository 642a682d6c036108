"""Time reward SKU classification: 500 rewards of 6 tokens against 50,000 products."""

from __future__ import annotations

import gc
import random
import statistics
import time

from portal.rewards.skus import CatalogueIndex, CatalogueProduct, RewardInput, review_rewards

PRODUCTS = 50_000
REWARDS = 500
TOKENS_PER_REWARD = 6
RUNS = 7
PREFIXES = ("BAK", "DRK", "SAN", "PIZ", "DES", "MEN", "SAL", "CAF")


def make_catalogue(rng: random.Random) -> list[CatalogueProduct]:
    """Build a catalogue with some archived products, shared SKUs and local products."""
    products = []
    for n in range(PRODUCTS):
        sku = f"{PREFIXES[n % len(PREFIXES)]}-{n:05d}"
        products.append(
            CatalogueProduct(
                ref=f"P{n}",
                sku=sku,
                name=f"Product {n}",
                active=rng.random() > 0.03,
                has_paid_options=rng.random() < 0.1,
                location_refs=frozenset({f"L{rng.randrange(20)}"}) if rng.random() < 0.3 else None,
            )
        )
    for n in range(0, PRODUCTS, 500):
        products.append(CatalogueProduct(f"X{n}", products[n].sku, "Twin", True, False, None))
    return products


def make_rewards(rng: random.Random, products: list[CatalogueProduct]) -> list[RewardInput]:
    """Mix matched SKUs, typos, other partners' codes and blank items in each reward."""
    rewards = []
    for r in range(REWARDS):
        tokens = []
        for _ in range(TOKENS_PER_REWARD):
            sku = rng.choice(products).sku
            roll = rng.random()
            if roll < 0.5:
                tokens.append(sku)
            elif roll < 0.6:
                tokens.append(sku.lower().replace("-", " "))
            elif roll < 0.7:
                tokens.append("Q" + sku[1:])
            else:
                tokens.append(f"ZLT-{rng.randrange(100_000):05d}")
        rewards.append(RewardInput(f"R{r}", f"Reward {r}", " , ".join(tokens) + ",\xa0,"))
    return rewards


def yardstick() -> float:
    """Time a fixed loop so figures from different machines can be compared."""
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        sum(range(10**6))
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    """Print the median build and classification times."""
    rng = random.Random(20240601)  # noqa: S311 -- fixed seed for repeatable test data
    products = make_catalogue(rng)
    rewards = make_rewards(rng, products)
    builds, edit_builds, classifies = [], [], []
    for _ in range(RUNS):
        # Each run starts clean, as a request would, not paying for the last one's garbage.
        gc.collect()
        start = time.perf_counter()
        index = CatalogueIndex.build(products)
        built = time.perf_counter()
        index.build_edit_index()
        edit_built = time.perf_counter()
        reviews = review_rewards(rewards, index)
        done = time.perf_counter()
        builds.append(built - start)
        edit_builds.append(edit_built - built)
        classifies.append(done - edit_built)
    tokens = sum(len(review.tokens) for review in reviews)
    print(f"catalogue: {len(products):,} products; rewards: {len(rewards)} ({tokens:,} tokens)")
    print(f"machine yardstick, sum(range(10**6)): {yardstick() * 1e3:.1f} ms")
    print(f"median of {RUNS} runs:")
    print(f"  index build (exact + normalised): {statistics.median(builds) * 1e3:.1f} ms")
    print(f"  one-edit table build:             {statistics.median(edit_builds) * 1e3:.1f} ms")
    print(f"  classification of all rewards:   {statistics.median(classifies) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
