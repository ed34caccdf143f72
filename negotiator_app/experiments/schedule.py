"""The experiment's plan: runs interleaved across arms, with a seed and a shuffled seller order per repetition."""
from __future__ import annotations

import random

from ..domain import SessionConfig
from ..storage.experiments import PlannedRun


def run_seed(experiment_seed: int, repetition: int) -> int:
    """Deterministic per repetition, and the same in every arm (paired design: arms differ only in the arm)."""
    return random.Random(f"{experiment_seed}:{repetition}").randrange(2**31)


def seller_order(names: list[str], seed: int) -> list[str]:
    """The order the buyer is shown the sellers in (the first offer seen weighs most, so it is shuffled)."""
    order = list(names)
    random.Random(seed).shuffle(order)
    return order


def plan_runs(arms: list[str], repetitions: int, seller_names: list[str], experiment_seed: int) -> list[PlannedRun]:
    """Arm A run 1, arm B run 1, arm A run 2, ...: a server slowing down over time weighs on every arm alike."""
    plan: list[PlannedRun] = []
    for repetition in range(1, repetitions + 1):
        seed = run_seed(experiment_seed, repetition)
        order = seller_order(seller_names, seed)
        for arm in arms:
            plan.append(PlannedRun(len(plan), arm, repetition, seed, order))
    return plan


def ordered_config(config: SessionConfig, order: list[str]) -> SessionConfig:
    """The arm's configuration with its sellers in `order` (names the configuration does not have are ignored)."""
    rank = {name: i for i, name in enumerate(order)}
    sellers = sorted(config.sellers, key=lambda s: rank.get(s.name, len(rank)))
    return config.model_copy(update={"sellers": sellers})
