"""The cross-play matrix (buyer × sellers, pooled over arms) on runs stored by the real recorder, checked against
values worked out by hand, and how the Markdown and JSON reports carry it."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from negotiator_app.domain import AgentConfig
from negotiator_app.engine.events import OfferMade, RunFinished
from negotiator_app.experiments.exports import to_json, to_markdown
from negotiator_app.experiments.report import cross_play_axes, experiment_report
from negotiator_app.experiments.schedule import plan_runs
from negotiator_app.storage import Store
from negotiator_app.storage import experiments as rows
from tests.experiments.test_report import no_deal_events
from tests.storage.support import cable_events, record, small_config


def deal_at(run_id: str, price: float) -> list:
    """The scripted cable run, with Acme's last offer (and so the deal) at `price` instead of 6."""
    out = []
    for event in cable_events(run_id):
        if isinstance(event, OfferMade) and event.offer.message_seq == 5:
            event = replace(event, offer=event.offer.model_copy(update={"price_per_unit": price}))
        if isinstance(event, RunFinished) and event.outcome is not None:
            event = replace(event, outcome=event.outcome.model_copy(update={"price_per_unit": price}))
        out.append(event)
    return out


# Cable: buyer max 8, lowest floor 4 (Acme) → position = (price − 4) / 4
PRICES = {("A", 1): 6.0, ("A", 2): 7.0, ("B", 1): 5.0, ("B", 2): None, ("C", 1): 4.8, ("C", 2): 6.0}


@pytest.fixture
def report(tmp_path):
    """A and C: the m1 buyer against m1 sellers (C only changes the temperature, so both fill one cell);
    B: an m2 buyer against the same m1 sellers."""
    base = small_config()
    arms = {"A": base,
            "B": base.model_copy(update={"buyer": base.buyer.model_copy(update={"agent": AgentConfig(model="m2")})}),
            "C": base.model_copy(update={"llm": base.llm.model_copy(update={"temperature": 0.3})})}
    plan = plan_runs(list(arms), 2, ["Bolt", "Acme"], 1)
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = rows.create_experiment(store, "cross", {"repetitions": 2}, base, arms, plan)
        for run in rows.load_experiment(store, experiment_id).runs:
            run_id = f"{run.arm.lower()}{run.repetition}".ljust(32, "0")
            price = PRICES[(run.arm, run.repetition)]
            events = no_deal_events(run_id) if price is None else deal_at(run_id, price)
            record(store, run.session_id, events, arms[run.arm]).close()
            rows.start_attempt(store, run.id, [run_id])
            rows.finish(store, run.id)
        yield experiment_report(store, experiment_id)


def test_cells_pool_the_arms_that_pair_the_same_players(report):
    cells = {(c.buyer, c.sellers): c for c in report.cross_play}
    assert sorted(cells) == [("m1", "m1"), ("m2", "m1")]
    same = cells[("m1", "m1")]
    # A and C: four deals in four runs at 6, 7, 4.8, 6 → mean price 23.8 / 4 = 5.95;
    # positions 0.5, 0.75, 0.2, 0.5 → mean 1.95 / 4 = 0.4875
    assert (same.runs, same.deals, same.mean_price) == (4, 4, pytest.approx(5.95))
    assert same.deal_position.value == pytest.approx(0.4875) and same.deal_position.n == 4
    assert 0.2 <= same.deal_position.low <= 0.4875 <= same.deal_position.high <= 0.75
    # Wilson 4/4, z = 1.959964: z² = 3.841459; denominator 1 + z²/4 = 1.960365;
    # centre (1 + z²/8) / 1.960365 = 1.480182 / 1.960365 = 0.755055; half = z / 1.960365 · sqrt(z²/64) = 0.244945
    # → [0.510109, 1]
    assert (same.deal_rate.value, same.deal_rate.high, same.deal_rate.n) == (1.0, 1.0, 4)
    assert same.deal_rate.low == pytest.approx(0.510109, abs=1e-5)
    other = cells[("m2", "m1")]
    # B: one deal (at 5 → position 0.25) in two runs; Wilson 1/2 → [0.094529, 0.905471]
    assert (other.runs, other.deals, other.mean_price) == (2, 1, 5.0)
    assert (other.deal_rate.value, other.deal_rate.low, other.deal_rate.high) == (
        0.5, pytest.approx(0.094529, abs=1e-5), pytest.approx(0.905471, abs=1e-5))
    assert (other.deal_position.value, other.deal_position.low, other.deal_position.high) == (0.25, 0.25, 0.25)
    assert cross_play_axes(report.cross_play) == (["m1", "m2"], ["m1"])


def test_markdown_shows_the_matrix_and_json_carries_the_cells(report):
    text = to_markdown(report)
    section = text[text.index("## Cross-play"):]
    assert "| buyer ↓ · sellers → | m1 |" in section
    assert "| m1 | 100% [51, 100] · position 0.49 · n = 4 |" in section
    assert "| m2 | 50% [9, 91] · position 0.25 · n = 2 |" in section
    cells = json.loads(to_json(report))["cross_play"]
    assert cells[1]["deals"] == 1 and cells[1]["deal_rate"]["low"] == pytest.approx(0.094529, abs=1e-5)
    assert cells[0]["deal_position"]["value"] == pytest.approx(0.4875)
