"""CLI commands log to the same user log folder as the window."""
from __future__ import annotations

from negotiator_app import paths
from negotiator_app.cli import main
from negotiator_app.domain import save_scenario
from negotiator_app.logs import LOG_FILE_NAME
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import small_config


def test_a_cli_command_writes_to_the_log_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(paths.USER_DIR_ENV, str(tmp_path / "user"))  # the app's own user-folder override
    log_dir = paths.log_dir()
    assert log_dir == tmp_path / "user" / "log"
    scenario = tmp_path / "scenario.json"
    save_scenario(small_config(), scenario)
    with FakeLMStudio() as fake:
        fake.responder = responder
        base_url = fake.base_url
        assert main(["run", str(scenario), "--base-url", base_url, "--db", str(tmp_path / "n.sqlite3")]) == 0
    capsys.readouterr()
    logged = (log_dir / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert f"HTTP Request: POST {base_url}/chat/completions" in logged
