"""A user name and password in the server URL never reach the database, an export or a saved scenario."""
from __future__ import annotations

import json

from negotiator_app.cli import main
from negotiator_app.domain import LLMSettings, save_scenario
from negotiator_app.storage import Store
from tests.cli.scripted import responder
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.storage.support import small_config


def test_credentials_in_the_base_url_are_never_stored_or_exported(tmp_path, capsys):
    scenario, db, out_dir = tmp_path / "s.json", tmp_path / "n.sqlite3", tmp_path / "exports"
    save_scenario(small_config(), scenario)
    with FakeLMStudio() as fake:
        fake.responder = responder
        plain = fake.base_url
        url = plain.replace("http://", "http://pat:s3cr3t-word@")
        code = main(["run", str(scenario), "--base-url", url, "--db", str(db), "--export-dir", str(out_dir)])
        assert code == 0, capsys.readouterr().err
    with Store.open(db) as store:
        (session,) = store.list_sessions()
        assert store.get_session(session.id).config.llm.base_url == plain
        assert main(["export", str(session.id), "--out", str(tmp_path / "again.json"), "--db", str(db)]) == 0
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("n.sqlite3*"))
    assert b"s3cr3t" not in stored and b"pat:" not in stored
    exports = list(out_dir.iterdir()) + [tmp_path / "again.json"]
    assert len(exports) >= 4
    for path in exports:
        assert "s3cr3t" not in path.read_text(), path.name
    assert json.loads((tmp_path / "again.json").read_text())["server_url"] == plain
    capsys.readouterr()


def test_a_saved_scenario_leaves_the_credentials_out(tmp_path):
    config = small_config().model_copy(update={"llm": LLMSettings(base_url="https://u:p4ss@example.org:8443/v1")})
    save_scenario(config, tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text())["llm"]["base_url"] == "https://example.org:8443/v1"
    assert config.llm.base_url == "https://u:p4ss@example.org:8443/v1"  # kept in memory for this process
