"""Command-line options: out-of-range values are refused in plain words, and a run that cannot reach its
server stores nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from negotiator_app.cli import main
from negotiator_app.domain import save_scenario
from negotiator_app.storage import Store
from tests.storage.support import small_config


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "scenario.json"
    save_scenario(small_config(), path)
    return path


@pytest.mark.parametrize(("option", "said"), [
    (["--rounds", "0"], "--rounds: must be from 1 to 50, not 0"),
    (["--rounds", "-1"], "--rounds: must be from 1 to 50, not -1"),
    (["--rounds", "51"], "--rounds: must be from 1 to 50, not 51"),
    (["--rounds", "ten"], "--rounds: must be a whole number from 1 to 50, not 'ten'"),
    (["--base-url", "ftp://host/v1"], "--base-url: must start with http:// or https://"),
])
def test_bad_option_values_are_refused_plainly(option, said, scenario, tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(scenario), "--db", str(db), *option])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert said in err
    assert "pydantic" not in err and "validation error" not in err
    assert not db.exists()


def test_debrief_and_resume_check_the_url_too(tmp_path, capsys):
    for command in (["debrief", "1"], ["resume", "abc"]):
        with pytest.raises(SystemExit):
            main([*command, "--base-url", "ftp://host/v1", "--db", str(tmp_path / "n.sqlite3")])
        assert "must start with http:// or https://" in capsys.readouterr().err


def test_unreachable_server_leaves_no_session(scenario, tmp_path, capsys):
    db = tmp_path / "n.sqlite3"
    for _ in range(2):
        code = main(["run", str(scenario), "--base-url", "http://127.0.0.1:9/v1", "--db", str(db)])
        assert code == 3
        assert "error:" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.list_sessions() == []
