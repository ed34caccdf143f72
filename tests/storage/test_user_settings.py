"""The one settings file: round trip, API key only in the credential store (or memory), plain keys migrated."""
from __future__ import annotations

import json

import keyring
import pytest

from negotiator_app.paths import config_dir
from negotiator_app.storage.credentials import ACCOUNT, SERVICE, api_keys
from negotiator_app.storage.settings import UserSettings, load_settings, save_settings, settings_path
from tests.fakes.memory_keyring import MemoryKeyring

SECRET = "sk-test-7c1d9e"


@pytest.fixture
def memory_keyring():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)  # the autouse user-folder fixture restores the previous backend
    return backend


def files_containing(text: str, *folders) -> list:
    return [p for folder in folders for p in folder.rglob("*")
            if p.is_file() and text in p.read_text(encoding="utf-8", errors="replace")]


def test_settings_round_trip_through_the_file_in_the_user_config_folder():
    settings = load_settings()
    assert settings.path == settings_path() and settings.path.parent == config_dir()
    settings.llm = settings.llm.model_copy(update={"base_url": "http://10.0.0.5:1234/v1", "model": "qwen",
                                                    "temperature": 0.3, "max_rounds": 7})
    settings.export_dir, settings.retention_days, settings.db_path = "/data/exports", 14, "/data/n.sqlite3"
    save_settings(settings)

    again = load_settings()
    assert (again.llm.base_url, again.llm.model, again.llm.temperature, again.llm.max_rounds) == (
        "http://10.0.0.5:1234/v1", "qwen", 0.3, 7)
    assert (again.export_dir, again.retention_days, again.db_path) == ("/data/exports", 14, "/data/n.sqlite3")
    assert str(again.exports_folder()) == "/data/exports"


def test_a_broken_settings_file_falls_back_to_defaults():
    settings_path().write_text("{not json", encoding="utf-8")
    assert load_settings().model_dump() == UserSettings().model_dump()
    settings_path().write_text(json.dumps({"retention_days": -3}), encoding="utf-8")
    assert load_settings().retention_days is None


def test_with_a_credential_store_the_key_is_kept_there_and_never_in_a_file(memory_keyring, temporary_user_folders):
    settings = load_settings()
    assert settings.set_api_key(SECRET) is True
    save_settings(settings)
    assert memory_keyring.passwords == {(SERVICE, ACCOUNT): SECRET}
    assert files_containing(SECRET, temporary_user_folders) == []

    api_keys.forget()  # as a new run of the app would start
    assert load_settings().default_llm().api_key == SECRET


def test_without_a_credential_store_the_key_lives_in_memory_only(temporary_user_folders):
    assert api_keys.backend_name() is None  # keyring's fail backend, as on a headless Linux
    settings = load_settings()
    assert settings.set_api_key(SECRET) is False
    save_settings(settings)
    assert settings.default_llm().api_key == SECRET  # usable for the rest of this run
    assert files_containing(SECRET, temporary_user_folders) == []

    api_keys.forget()  # the next run of the app
    assert load_settings().default_llm().api_key is None


@pytest.mark.parametrize("layout", ["top_level", "inside_llm"])
def test_a_plain_text_key_in_an_old_file_moves_to_the_credential_store(memory_keyring, layout):
    old = {"export_dir": "/x", "llm": {"model": "m"}}
    (old if layout == "top_level" else old["llm"])["api_key"] = SECRET
    settings_path().write_text(json.dumps(old), encoding="utf-8")

    settings = load_settings()

    assert SECRET not in settings_path().read_text(encoding="utf-8")
    assert memory_keyring.passwords[(SERVICE, ACCOUNT)] == SECRET and settings.api_key_stored
    assert settings.export_dir == "/x" and settings.llm.model == "m"
    assert "moved to the credential store" in settings.notices[0]


def test_without_a_credential_store_a_plain_key_is_dropped_from_the_file_with_a_notice():
    settings_path().write_text(json.dumps({"api_key": SECRET}), encoding="utf-8")
    settings = load_settings()
    assert SECRET not in settings_path().read_text(encoding="utf-8")
    assert not settings.api_key_stored and "no credential store" in settings.notices[0]


def test_the_command_line_sends_the_key_from_the_credential_store(memory_keyring, tmp_path):
    from negotiator_app.cli import main
    from negotiator_app.domain import save_scenario
    from tests.cli.scripted import responder
    from tests.fakes.fake_lmstudio import FakeLMStudio
    from tests.storage.support import small_config

    settings = load_settings()
    settings.set_api_key(SECRET)
    save_settings(settings)
    api_keys.forget()  # a new process: the key comes from the store, not from memory
    scenario = tmp_path / "scenario.json"
    save_scenario(small_config(), scenario)
    with FakeLMStudio() as fake:
        fake.responder = responder
        assert main(["run", str(scenario), "--base-url", fake.base_url, "--db", str(tmp_path / "n.sqlite3")]) == 0
    chats = [headers for method, path, headers, _ in fake.all_requests if path.endswith("/chat/completions")]
    assert chats and all(h.get("authorization") == f"Bearer {SECRET}" for h in chats)
