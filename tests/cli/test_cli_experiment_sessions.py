"""`negotiator sessions` lists an experiment's arms (each stored as a session) marked with their experiment and arm."""
from __future__ import annotations

import json

from negotiator_app.cli import main
from negotiator_app.storage import Store
from tests.experiments.support import market

NOBODY = "http://127.0.0.1:9/v1"  # strategy-only arms never ask a server


def test_sessions_marks_each_experiment_arm_and_leaves_the_users_sessions_unmarked(tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    with Store.open(db) as store:
        own = store.create_session(market()).id
    spec = {"name": "Tactics", "session_id": own, "repetitions": 1, "seed": 3,
            "arms": [{"name": "Boulware sellers", "buyer": {"strategy": "conceder"}, "sellers": {"strategy": "boulware"}},
                     {"name": "Conceder sellers", "buyer": {"strategy": "conceder"}, "sellers": {"strategy": "conceder"}}]}
    path = tmp_path / "tactics.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert main(["experiment", "run", str(path), "--db", str(db), "--base-url", NOBODY]) == 0
    capsys.readouterr()

    assert main(["sessions", "--db", str(db)]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split()[-2:] == ["experiment", "name"]
    rows = {int(line.split()[0]): line for line in lines}
    assert len(rows) == 3
    with Store.open(db, read_only=True) as store:
        summaries = {s.id: s for s in store.list_sessions()}
    arms = {s.arm: s for s in summaries.values() if s.arm is not None}
    assert set(arms) == {"Boulware sellers", "Conceder sellers"}
    assert {s.experiment_id for s in arms.values()} == {1} and summaries[own].experiment_id is None
    for arm, summary in arms.items():
        assert summary.run_count == 1
        assert rows[summary.id].endswith(f"  experiment 1 · arm {arm}  Cable market")
    assert rows[own].split()[-3:] == ["-", "Cable", "market"]
