"""A run read with only its newest messages, and the pages before them, add up to the whole run in order."""
from __future__ import annotations

from negotiator_app.storage import Store
from tests.benchmarks.bench_ui_stalls import store_session


def test_the_newest_messages_then_pages_before_them_give_the_whole_run(tmp_path):
    store = Store.open(tmp_path / "runs.sqlite3")
    try:
        sid = store_session(store, 95)
        run_id = store.latest_runs(sid)["room-3"].run_id
        whole = store.load_run(run_id)
        assert len(whole.messages) == 95 and whole.earlier_messages == 0

        newest = store.load_run(run_id, last_messages=40)
        assert newest.messages == whole.messages[-40:] and newest.earlier_messages == 55
        assert newest.offers == whole.offers and newest.state == whole.state  # the rest of the run is whole

        read = list(newest.messages)
        while (page := store.load_messages(run_id, read[0].seq, 30)):
            assert len(page) <= 30
            read = page + read
        assert read == whole.messages, "recipients, usage and order come back as in the whole run"
        assert store.load_run(run_id, last_messages=500).earlier_messages == 0
    finally:
        store.close()
