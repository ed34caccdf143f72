"""A server that stalls: the CLI prints a waiting line while no chunk arrives, and the reply time limit ends
the attempt with a clear message (the read timeout alone would wait minutes between chunks)."""
from __future__ import annotations

from negotiator_app.cli import main
from negotiator_app.domain import RunState, save_scenario
from negotiator_app.engine import turns
from negotiator_app.storage import Store
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.fakes.fake_reply import FakeReply
from tests.storage.support import small_config


def test_a_stalled_server_shows_waiting_lines_then_hits_the_reply_time_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(turns, "WAIT_NOTICE_S", 0.25)
    config = small_config()
    config = config.model_copy(update={"llm": config.llm.model_copy(update={"reply_timeout_s": 1.5})})
    scenario, db = tmp_path / "scenario.json", tmp_path / "n.sqlite3"
    save_scenario(config, scenario)
    with FakeLMStudio() as fake:
        fake.responder = lambda body: FakeReply(fault="hang")
        code = main(["run", str(scenario), "--base-url", fake.base_url, "--db", str(db)])
    captured = capsys.readouterr()
    assert code == 1
    assert "[room-1] waiting for the server (1 s without a word from Pat)…" in captured.out
    assert "took longer than 1.5 s for one reply (the reply time limit)" in captured.out + captured.err
    assert "Traceback" not in captured.err
    with Store.open(db, read_only=True) as store:
        assert {r.state for r in store.list_runs(1)} == {RunState.ERROR}
