"""Valid scenario dicts for domain tests; each test changes one thing and checks the rule that catches it."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
EXAMPLE_SCENARIOS = sorted(SCENARIO_DIR.glob("*.json"))


def inventory_item(name: str = "USB-C cable", **overrides: Any) -> dict[str, Any]:
    item = {"name": name, "cost_price": 2, "least_price": 5, "selling_price": 10, "quantity_available": 20}
    item.update(overrides)
    return item


def shopping_item(name: str = "USB-C cable", **overrides: Any) -> dict[str, Any]:
    item = {"name": name, "quantity": 10, "min_price": 3, "max_price": 8}
    item.update(overrides)
    return item


def seller(name: str, *inventory: dict[str, Any], **profile: str) -> dict[str, Any]:
    data: dict[str, Any] = {"name": name, "inventory": list(inventory) or [inventory_item()]}
    if profile:
        data["profile"] = profile
    return data


def scenario(**overrides: Any) -> dict[str, Any]:
    """Buyer 'Pat' wants 10 USB-C cables; sellers 'Bolt' and 'Acme' stock them."""
    data: dict[str, Any] = {
        "name": "Test session",
        "buyer": {"name": "Pat", "items": [shopping_item()]},
        "sellers": [seller("Bolt"), seller("Acme")],
    }
    data.update(copy.deepcopy(overrides))
    return data
