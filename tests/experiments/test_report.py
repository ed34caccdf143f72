"""The per-arm report and the differences between arms, on runs stored by the real recorder, checked against
values worked out by hand from the scripted transcripts."""
from __future__ import annotations

from datetime import timedelta

import pytest

from negotiator_app.domain import Outcome, OutcomeKind, RunState
from negotiator_app.engine.events import RunFinished
from negotiator_app.experiments.report import experiment_report, run_row
from negotiator_app.experiments.schedule import plan_runs
from negotiator_app.storage import Store
from negotiator_app.storage import experiments as rows
from tests.storage.support import T0, cable_events, record, small_config


def no_deal_events(run_id: str) -> list:
    """The cable run up to Acme's offer of 6 in round 2, then the buyer walks away (no 'Deal.' message)."""
    events = cable_events(run_id)[:-4]
    e = dict(room="room-1", run_id=run_id)
    return events + [RunFinished(**e, state=RunState.NO_DEAL, rounds=2, at=T0 + timedelta(seconds=80),
                                 outcome=Outcome(kind=OutcomeKind.NO_DEAL, reason="walked away"))]


@pytest.fixture
def report(stored):
    store, experiment_id = stored
    return experiment_report(store, experiment_id)


@pytest.fixture
def stored(tmp_path):
    """Arm A: two runs, both the scripted deal (Acme at 6). Arm B (model m2): the deal, and a run without one."""
    base = small_config()
    arms = {"A": base, "B": base.model_copy(update={"llm": base.llm.model_copy(update={"model": "m2"})})}
    plan = plan_runs(list(arms), 2, ["Bolt", "Acme"], 1)
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = rows.create_experiment(store, "hand", {"repetitions": 2}, base, arms, plan)
        stored = rows.load_experiment(store, experiment_id)
        for run in stored.runs:
            run_id = f"{run.arm.lower()}{run.repetition}".ljust(32, "0")
            events = no_deal_events(run_id) if (run.arm, run.repetition) == ("B", 2) else cable_events(run_id)
            record(store, run.session_id, events, arms[run.arm]).close()
            rows.start_attempt(store, run.id, [run_id])
            rows.finish(store, run.id)
        yield store, experiment_id


def test_per_arm_estimates_by_hand(report):
    a, b = report.arms
    assert (a.arm, a.buyer, a.sellers, a.runs, b.arm, b.buyer, b.runs) == ("A", "m1", "m1", 2, "B", "m2", 2)
    # deal rate: A 2/2 → Wilson [0.3424, 1]; B 1/2 → centre 0.5, half 0.671056 · sqrt(0.125 + 0.240091) = 0.405471
    assert (a.deal_rate.value, a.deal_rate.low, a.deal_rate.high) == (1.0, pytest.approx(0.34238, abs=1e-5), 1.0)
    assert (b.deal_rate.low, b.deal_rate.high) == (pytest.approx(0.094529, abs=1e-5), pytest.approx(0.905471, abs=1e-5))
    # every deal is Acme at 6; Cable: buyer max 8, floors Bolt 5, Acme 4 → position (6 − 4)/(8 − 4) = 0.5,
    # surplus share (8 − 6)/(8 − 4) = 0.5 (Acme, the winner, has the lowest floor too); 2 rounds to close
    assert (a.mean_price.value, a.mean_price.low, a.mean_price.high, a.median_price) == (6, 6, 6, 6)
    assert (a.deal_position.value, a.buyer_surplus_share.value, a.rounds_to_close.value) == (0.5, 0.5, 2)
    assert (b.mean_price.value, b.mean_price.n) == (6, 1)
    # seller messages per run: Bolt 1 + Acme 2 = 3, one violation (Acme's 3.50) → 1/3 = 33.33 per 100
    assert a.violations_per_100_seller_messages.value == pytest.approx(100 / 3)
    assert b.violations_per_100_seller_messages.value == pytest.approx(100 / 3)  # 2 / 6
    # unusable: one parse failure per run; requests = model messages + unusable: A (6 + 1) · 2 = 14 → 2/14;
    # B: 7 + (5 + 1) = 13 → 2/13
    assert a.unusable_per_100_requests.value == pytest.approx(200 / 14)
    assert b.unusable_per_100_requests.value == pytest.approx(200 / 13)
    # tokens/s: completion 20+10+10+20+10+10 = 80 in 2+1+1+2+1+1 = 8 s per deal run; the no-deal run 70 in 7 s
    assert a.tokens_per_s == 10.0 and b.tokens_per_s == 10.0


def test_differences_between_arms_by_hand(report):
    diffs = {d.metric: d for d in report.differences}
    d = diffs["deal_rate"]
    # A − B = 0.5; low = 0.5 − sqrt((1 − 0.342378)² + (0.905471 − 0.5)²) = 0.5 − sqrt(0.432467 + 0.164407) = 0.5 − 0.772576 = −0.272576
    # high = 0.5 + sqrt((1 − 1)² + (0.5 − 0.094529)²) = 0.905471 → holds 0: not clear
    assert (d.arm_a, d.arm_b, d.value) == ("A", "B", 0.5)
    assert d.low == pytest.approx(-0.272576, abs=1e-5) and d.high == pytest.approx(0.905471, abs=1e-5)
    assert not d.clear and d.method == "Newcombe hybrid score"
    assert diffs["mean_price"].value == 0 and not diffs["mean_price"].clear
    assert "disclosures_per_100_messages" not in diffs or diffs["disclosures_per_100_messages"].value is not None


def test_cross_play_and_run_rows(report):
    cells = {(c.buyer, c.sellers): (c.runs, c.deals, c.deal_rate.value, c.mean_price) for c in report.cross_play}
    assert cells == {("m1", "m1"): (2, 2, 1.0, 6.0), ("m2", "m2"): (2, 1, 0.5, 6.0)}
    assert [(r.arm, r.repetition, r.deal) for r in report.runs] == [("A", 1, True), ("B", 1, True), ("A", 2, True),
                                                                      ("B", 2, False)]
    assert report.scheduled == report.done == 4


def test_run_rows_read_in_aggregate_equal_those_of_each_loaded_run(stored):
    """Usage, a parse failure, a violation and a no-deal run: the report's own reading gives what run_row() makes of
    each fully loaded run."""
    store, experiment_id = stored
    experiment = rows.load_experiment(store, experiment_id)
    expected = [run_row(experiment, run, store.load_run(run_id)) for run in experiment.runs for run_id in run.run_ids]
    assert [r.generation_s for r in expected] == [8.0, 8.0, 8.0, 7.0] and expected[0].unusable_replies == 1
    assert experiment_report(store, experiment_id).runs == expected
