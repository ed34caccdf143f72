"""`negotiator debrief SESSION_ID`: writes the AI debrief with the fake LM Studio, stores it, prints it."""
from __future__ import annotations

from negotiator_app.cli import main
from negotiator_app.storage import Store
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import RUN_CABLES, scripted_session
from tests.ui.window_support import closed_port_url


def test_debrief_command_writes_stores_and_prints(tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        sid = scripted_session(store)
    with FakeLMStudio() as fake:
        fake.responder = lambda body: ("Acme came down to 6.00 at #5 (see #77)." if "ITEM: Cable," in
                                       body["messages"][0]["content"] else "Overall: one deal.")
        code = main(["debrief", str(sid), "--db", str(db), "--base-url", fake.base_url, "--model", "other-model"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert {b["model"] for b in fake.requests if "messages" in b} == {"other-model"}
    out = captured.out.splitlines()
    assert out[0] == f"AI debrief of session {sid}: Small shop (model other-model; stored)"
    assert out[1:4] == ["", "Session", "Overall: one deal."]
    assert f"Cable (room-1, run {RUN_CABLES})" in out
    assert "Acme came down to 6.00 at #5 (see #77)." in out
    assert "(cites messages that do not exist in that run: #77)" in out
    assert "Writing the debrief for “Cable” (1 of 2)…" in captured.err  # progress goes to stderr
    with Store.open(db) as store:
        assert [d.room_key for d in store.load_debriefs(sid)] == [None, "room-1", "room-2"]


def test_debrief_command_errors(tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        sid = scripted_session(store)
    assert main(["debrief", "99", "--db", str(db)]) == 2
    assert "no session 99" in capsys.readouterr().err
    assert main(["debrief", str(sid), "--db", str(db), "--base-url", closed_port_url()]) == 3
    assert "LM Studio is not running at" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.load_debriefs(sid) == []
