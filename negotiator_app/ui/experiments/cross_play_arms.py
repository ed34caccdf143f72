"""Arms for a cross-play experiment: one per (buyer model, seller model) pair of a list of models (Qt-free)."""
from __future__ import annotations

from typing import Any

MAX_NAME = 60


def cross_play_arms(models: list[str], max_arms: int) -> tuple[list[dict[str, Any]], str]:
    """(arms as an experiment file writes them, '') or ([], what is wrong). Every model plays the buyer against
    every model playing all the sellers, itself included."""
    models = list(dict.fromkeys(models))  # typed twice is meant once
    if not models:
        return [], "Type the models to cross, separated by commas (at least one)."
    if len(models) ** 2 > max_arms:
        return [], (f"{len(models)} models make {len(models) ** 2} arms; an experiment has at most {max_arms}: "
                    f"cross at most {int(max_arms ** 0.5)} models.")
    arms: list[dict[str, Any]] = []
    for buyer in models:
        for sellers in models:
            name = f"{buyer} × {sellers}"
            if len(name) > MAX_NAME:
                name = f"{len(arms) + 1}: {buyer[:27]} × {sellers[:27]}"
            arms.append({"name": name, "buyer": {"model": buyer}, "sellers": {"model": sellers}})
    return arms, ""
