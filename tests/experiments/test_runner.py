"""The runner against the fake LM Studio: interleaved schedule, shared seeds and seller orders, tagged runs."""
from __future__ import annotations

import asyncio
import re

import pytest

from negotiator_app.experiments.runner import ExperimentRunner, create_experiment
from negotiator_app.experiments.spec import load_experiment
from negotiator_app.runtime import client_factory
from negotiator_app.storage import Store
from negotiator_app.storage.experiments import load_experiment as load_stored
from tests.cli.scripted import responder
from tests.experiments.support import write_experiment
from tests.fakes.fake_lmstudio import FakeLMStudio


@pytest.fixture
def fake():
    with FakeLMStudio() as server:
        server.responder = responder
        yield server


def run_experiment(store: Store, experiment_id: int, base_url: str, hook=None, **kw):
    progress = []

    def tell(p):
        progress.append(p)
        if hook:
            hook(p)

    async def go():
        runner = ExperimentRunner(store, experiment_id, client_factory(base_url), on_progress=tell, **kw)
        return await runner.run()

    return asyncio.run(go()), progress


def test_runs_are_interleaved_tagged_and_stored(fake, tmp_path):
    spec = load_experiment(write_experiment(tmp_path, repetitions=3))
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        result, progress = run_experiment(store, experiment_id, fake.base_url)
        assert (result.status, result.done, result.total) == ("finished", 6, 6)
        stored = load_stored(store, experiment_id)
        # arm A run 1, arm B run 1, arm A run 2, ...
        assert [(r.arm, r.repetition) for r in stored.runs] == [("A", 1), ("B", 1), ("A", 2), ("B", 2), ("A", 3), ("B", 3)]
        # a repetition's seed and seller order are the same in both arms (paired), and vary between repetitions
        pairs = [(a, b) for a, b in zip(stored.runs[::2], stored.runs[1::2])]
        assert all(a.seed == b.seed and a.seller_order == b.seller_order for a, b in pairs)
        assert len({a.seed for a, _ in pairs}) == 3
        assert all(sorted(r.seller_order) == ["Acme", "Bolt", "Cleo"] for r in stored.runs)
        for r in stored.runs:
            assert r.done and r.attempts == 1 and len(r.run_ids) == 1
            record = store.load_run(r.run_ids[0])
            assert record.session_id == stored.arms[r.arm]
            assert [s.name for s in record.config.sellers] == r.seller_order  # the order the buyer was shown
        # the requests show the model of each arm, and the buyer saw the sellers in the recorded order
        models = {body["model"] for body in fake.requests}
        assert models == {"fake-model", "other-model"}
        shown = {re.search(r"Sellers in this negotiation: (.+?)\.", b["messages"][0]["content"]).group(1)
                 for b in fake.requests if "a buyer." in b["messages"][0]["content"]}
        assert shown == {", ".join(f"@{n}" for n in r.seller_order) for r in stored.runs}
    assert [p.done for p in progress][-1] == 6 and progress[0].done == 0
    assert progress[-1].eta_s == 0


def test_an_unreachable_server_pauses_with_a_clear_message_and_nothing_is_run(tmp_path):
    spec = load_experiment(write_experiment(tmp_path, repetitions=2))
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        result, _ = run_experiment(store, experiment_id, "http://127.0.0.1:9/v1")
        assert result.status == "paused"
        assert "does not answer" in result.message and "0 of 4 runs are done" in result.message
        assert load_stored(store, experiment_id).done == 0


def test_a_server_outage_mid_experiment_pauses_keeps_finished_runs_and_continue_completes(tmp_path):
    spec = load_experiment(write_experiment(tmp_path, repetitions=3))
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        fake = FakeLMStudio().start()
        fake.responder = responder

        def outage(progress):
            if progress.done == 2:
                fake.stop()  # the server goes away just as the third run starts

        result, _ = run_experiment(store, experiment_id, fake.base_url, hook=outage)
        assert result.status == "paused"
        assert "the model server does not answer" in result.message
        assert "2 of 6 runs are done and kept" in result.message
        kept = {r.position: r.run_ids for r in load_stored(store, experiment_id).runs if r.done}
        assert sorted(kept) == [0, 1]
        with FakeLMStudio() as back:
            back.responder = responder
            result, _ = run_experiment(store, experiment_id, back.base_url)
        assert (result.status, result.done) == ("finished", 6)
        after = load_stored(store, experiment_id).runs
        assert all(r.done for r in after)
        assert {r.position: r.run_ids for r in after if r.position in kept} == kept  # not run again
        assert after[2].attempts == 2  # the run the outage broke ran again


def test_stop_cancels_the_running_run_and_continue_runs_only_the_rest(fake, tmp_path):
    spec = load_experiment(write_experiment(tmp_path, repetitions=2))
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)

        async def go():
            loop = asyncio.get_running_loop()
            runner = ExperimentRunner(store, experiment_id, client_factory(fake.base_url))
            openings = []

            def stop_in_the_second_run(body):  # on the server's thread: the second run's buyer opens
                if "Start the negotiation" in body["messages"][-1]["content"]:
                    openings.append(body)
                    if len(openings) == 2:
                        loop.call_soon_threadsafe(runner.stop)
                return responder(body)

            fake.responder = stop_in_the_second_run
            return await runner.run()

        result = asyncio.run(go())
        assert (result.status, result.done) == ("stopped", 1)
        stopped = load_stored(store, experiment_id).runs[1]
        assert not stopped.done and stopped.attempts == 1
        assert store.load_run(stopped.run_ids[0]).state.value == "stopped"  # what was said is kept
        fake.responder = responder
        result, _ = run_experiment(store, experiment_id, fake.base_url)
        assert (result.status, result.done) == ("finished", 4)
        runs = load_stored(store, experiment_id).runs
        assert [r.attempts for r in runs] == [1, 2, 1, 1]


def test_a_model_that_fails_while_the_server_answers_is_a_result_not_a_pause(fake, tmp_path):
    fake.responder = lambda body: "I am not JSON and never will be."
    spec = load_experiment(write_experiment(tmp_path, repetitions=1))
    with Store.open(tmp_path / "db.sqlite3") as store:
        experiment_id = create_experiment(store, spec)
        result, _ = run_experiment(store, experiment_id, fake.base_url)
        assert (result.status, result.done) == ("finished", 2)
        runs = load_stored(store, experiment_id).runs
        assert [store.load_run(r.run_ids[0]).state.value for r in runs] == ["error", "error"]
