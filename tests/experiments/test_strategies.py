"""Strategy-only experiments need no server: they run with nothing listening, and a run's seed replays it."""
from __future__ import annotations

import asyncio
import json

from negotiator_app.experiments.report import experiment_report
from negotiator_app.experiments.runner import ExperimentRunner, create_experiment
from negotiator_app.experiments.spec import load_experiment
from negotiator_app.paths import resource_path
from negotiator_app.runtime import client_factory
from negotiator_app.storage import Store
from negotiator_app.storage.experiments import load_experiment as load_stored

NOBODY = "http://127.0.0.1:9/v1"  # nothing listens here: a request would fail


def write(tmp_path, repetitions=4):
    spec = {"name": "Boulware vs Conceder sellers", "scenario": str(resource_path("scenarios", "classic_negotiators.json")),
            "repetitions": repetitions, "seed": 3, "arms": [
                {"name": "boulware", "sellers": {"strategy": "boulware"}},
                {"name": "conceder", "sellers": {"strategy": "conceder"}, "max_rounds": 4}]}
    path = tmp_path / "strategies.json"
    path.write_text(json.dumps(spec))
    return load_experiment(path)


def run(store, experiment_id):
    async def go():
        return await ExperimentRunner(store, experiment_id, client_factory(NOBODY)).run()
    return asyncio.run(go())


def test_strategy_arms_run_without_a_server_and_the_seed_is_the_runs(tmp_path):
    spec = write(tmp_path)
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        result = run(store, experiment_id)
        assert (result.status, result.done) == ("finished", 8)
        stored = load_stored(store, experiment_id)
        for r in stored.runs:
            record = store.load_run(r.run_ids[0])
            assert record.seed == r.seed
            assert {a.agent.strategy.kind for a in record.config.sellers} == {r.arm}
            assert record.max_rounds == (4 if r.arm == "conceder" else 8)
        report = experiment_report(store, experiment_id)
        assert {(a.arm, a.sellers) for a in report.arms} == {("boulware", "boulware"), ("conceder", "conceder")}
        first = [(x.arm, x.seller, x.price_per_unit, x.rounds) for x in report.runs]
    # the same experiment again (same seeds, same seller orders) replays every run exactly
    with Store.open(tmp_path / "again.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        run(store, experiment_id)
        again = [(x.arm, x.seller, x.price_per_unit, x.rounds) for x in experiment_report(store, experiment_id).runs]
    assert again == first
