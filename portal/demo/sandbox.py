"""The demo's Pongo account for Lumière: the sandbox fixture plus a partner-only reward.

The reward lists only the SKUs of a partner's till (a coffee roaster's kiosk), none of this
POS: the Rewards page flags it, and the merchant reviews it as "only for another partner".
The test fixture stays as it is; only the demo's sandbox gets the extra reward.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from portal.sandbox import DEMO_FIXTURE

LUMIERE_LOGIN = "demo@boulangerie-lumiere.fr"
PARTNER_REWARD: dict[str, Any] = {
    "public_id": "rew_0a1b2c3d4e",
    "name": "Café de spécialité (kiosque partenaire)",
    "points": 60,
    "external_id": "ZLT-77120,LS_5120",
}


def add_partner_reward(sandbox_url: str) -> None:
    """Give Lumière's sandbox account the fixture's rewards plus the partner-only one."""
    fixture: dict[str, Any] = json.loads(Path(DEMO_FIXTURE).read_text(encoding="utf-8"))
    account = next(a for a in fixture["accounts"] if a["login"] == LUMIERE_LOGIN)
    rewards = [*account["rewards"], PARTNER_REWARD]
    answer = httpx.put(
        f"{sandbox_url}/_sandbox/accounts/{LUMIERE_LOGIN}/rewards",
        json={"rewards": rewards},
        timeout=10,
    )
    answer.raise_for_status()
