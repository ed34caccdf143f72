"""The experiment runner's requests obey the scenario's LLM settings like any session's: the reply time limit."""
from __future__ import annotations

import asyncio

from negotiator_app.domain import load_scenario, save_scenario
from negotiator_app.experiments.runner import ExperimentRunner, create_experiment
from negotiator_app.experiments.spec import load_experiment
from negotiator_app.runtime import client_factory
from negotiator_app.storage import Store
from negotiator_app.storage.experiments import load_experiment as load_stored
from tests.experiments.support import write_experiment
from tests.fakes.fake_lmstudio import FakeLMStudio


def test_an_experiments_replies_are_cut_at_the_scenarios_reply_time_limit(tmp_path):
    path = write_experiment(tmp_path, repetitions=1)
    scenario = load_scenario(tmp_path / "market.json")
    scenario.llm.reply_timeout_s = 0.4  # each reply trickles for 10 s; the read timeout (300 s) never trips
    save_scenario(scenario, tmp_path / "market.json")
    with FakeLMStudio(per_token_delay_s=0.05) as fake, Store.open(tmp_path / "db.sqlite3") as store:
        fake.responder = lambda body: "slowly " * 200
        experiment_id = create_experiment(store, load_experiment(path))

        async def go():
            runner = ExperimentRunner(store, experiment_id, client_factory(fake.base_url))
            return await asyncio.wait_for(runner.run(), 60)

        result = asyncio.run(go())
        assert (result.status, result.done) == ("finished", 2)  # the server answered: a model failing counts
        runs = [store.load_run(r.run_ids[0]) for r in load_stored(store, experiment_id).runs]
        said = [e.text for run in runs for e in run.events if e.kind == "error"]
        assert said and all("took longer than 0.4 s for one reply" in text for text in said)
        assert fake.disconnects >= len(runs)  # the client hung up on each cut reply
