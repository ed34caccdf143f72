"""A one-item market with three sellers, and an experiment of two arms on it, for the experiment tests."""
from __future__ import annotations

import json
from pathlib import Path

from negotiator_app.domain import SessionConfig, save_scenario


def market() -> SessionConfig:
    """Pat wants 10 cables at most 8 each; Bolt (floor 5), Acme (floor 4) and Cleo (floor 6) stock them."""
    def seller(name, floor, ask):
        return {"name": name, "inventory": [{"name": "Cable", "cost_price": 1, "least_price": floor,
                                             "selling_price": ask, "quantity_available": 20}]}
    return SessionConfig.model_validate({
        "name": "Cable market",
        "buyer": {"name": "Pat", "items": [{"name": "Cable", "quantity": 10, "min_price": 3, "max_price": 8}]},
        "sellers": [seller("Bolt", 5, 10), seller("Acme", 4, 9), seller("Cleo", 6, 11)],
        "llm": {"model": "fake-model", "max_rounds": 3, "concurrency": 2},
    })


def write_experiment(folder: Path, *, repetitions: int = 3, **extra) -> Path:
    save_scenario(market(), folder / "market.json")
    spec = {"name": "Models compared", "scenario": "market.json", "repetitions": repetitions, "seed": 7,
            "arms": [{"name": "A", "model": "fake-model"}, {"name": "B", "model": "other-model", "temperature": 0.2}],
            **extra}
    path = folder / "experiment.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path
