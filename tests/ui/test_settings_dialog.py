"""The Settings dialog, used with keys and the mouse: what it saves is on disk; exports start in the chosen
folder; the API key goes to the credential store (or stays in memory) and never into a file."""
from __future__ import annotations

from pathlib import Path

import keyring
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from negotiator_app.storage.credentials import ACCOUNT, SERVICE, api_keys
from negotiator_app.storage.settings import load_settings
from negotiator_app.ui.window_state import migrate_legacy_qsettings
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.fakes.memory_keyring import MemoryKeyring
from tests.ui.conftest import until
from tests.ui.test_setup_form import fill_valid_session
from tests.ui.window_support import dealing_responder, example

SECRET = "sk-test-5b2f0a"


def retype(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def press_save(qtbot, dialog) -> None:
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)


def files_containing(text: str, *folders) -> list:
    return [p for folder in folders for p in folder.rglob("*")
            if p.is_file() and text in p.read_text(encoding="utf-8", errors="replace")]


def test_a_setting_changed_in_the_dialog_is_saved_and_every_export_dialog_starts_in_the_export_folder(
        kit, qtbot, tmp_path):
    folder = tmp_path / "my exports"
    folder.mkdir()
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id

    async def scenario():
        window = kit.window(store=store)
        window.show()
        window.main_actions.settings.trigger()
        dialog = window.settings_dialog
        assert dialog.isVisible()
        retype(qtbot, dialog.export_dir, str(folder))
        retype(qtbot, dialog.retention_days, "14")
        retype(qtbot, dialog.panel.temperature, "0.3")
        press_save(qtbot, dialog)
        assert not dialog.isVisible(), dialog.error.text()

        on_disk = load_settings(kit.settings_path)  # a fresh read of the file, as the next start would do
        assert (on_disk.export_dir, on_disk.retention_days, on_disk.llm.temperature) == (str(folder), 14, 0.3)

        await window.open_session(sid)
        window.main_actions.show_summary.trigger()
        await window.summary_view.loading
        for button in (window.summary_view.json_button, window.summary_view.markdown_button):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            export = window.summary_view.dialog
            assert isinstance(export, QFileDialog) and export.isVisible()
            assert export.directory().absolutePath() == str(folder)
            assert export.selectedFiles()[0].startswith(str(folder / f"session-{sid}-"))
            export.close()
        window.sidebar.choose_import_file()
        assert window.sidebar.dialog.directory().absolutePath() == str(folder)
        window.sidebar.dialog.close()

    kit.run(scenario())


def test_with_a_credential_store_the_dialog_names_it_and_the_key_never_reaches_a_file(
        kit, qtbot, tmp_path, temporary_user_folders):
    backend = MemoryKeyring()
    keyring.set_keyring(backend)

    async def scenario():
        window = kit.window()
        window.main_actions.settings.trigger()
        dialog = window.settings_dialog
        assert "stored in Test Memory Keyring" in dialog.key_storage.text()
        retype(qtbot, dialog.panel.api_key, SECRET)
        press_save(qtbot, dialog)
        assert not dialog.isVisible(), dialog.error.text()
        window.close()

    kit.run(scenario())
    assert backend.passwords == {(SERVICE, ACCOUNT): SECRET}
    assert files_containing(SECRET, tmp_path, temporary_user_folders) == []
    api_keys.forget()  # the next start finds it in the credential store
    assert load_settings(kit.settings_path).default_llm().api_key == SECRET


def test_without_a_credential_store_the_dialog_says_so_and_the_key_is_not_persisted(
        kit, qtbot, tmp_path, temporary_user_folders):
    async def scenario():
        window = kit.window()
        window.main_actions.settings.trigger()
        dialog = window.settings_dialog
        assert "no credential store" in dialog.key_storage.text()
        retype(qtbot, dialog.panel.api_key, SECRET)
        press_save(qtbot, dialog)
        assert not dialog.isVisible(), dialog.error.text()
        assert window.settings.default_llm().api_key == SECRET  # a new session in this run gets it
        window.new_session()
        assert window.setup_form.llm.api_key.text() == SECRET
        window.close()

    kit.run(scenario())
    assert files_containing(SECRET, tmp_path, temporary_user_folders) == []
    api_keys.forget()
    assert load_settings(kit.settings_path).default_llm().api_key is None


def test_a_key_typed_in_a_session_form_is_used_for_that_session_and_never_stored(
        qapp, qtbot, arun, tmp_path, temporary_user_folders):
    from negotiator_app.app import run_window

    async def on_started(window):
        try:
            window.new_session()
            form = window.setup_form
            fill_valid_session(qtbot, form)
            retype(qtbot, form.llm.api_key, SECRET)
            qtbot.mouseClick(form.create_button, Qt.MouseButton.LeftButton)
            await until(lambda: window.host.runtime is not None, what="the new session to open")
            window.host.view.start_all()
            await until(lambda: not window.host.running_rooms(), what="the room to finish")
            await window.host.runtime.recorder.flush()
        finally:
            window.close()

    with FakeLMStudio() as fake:
        fake.responder = dealing_responder
        code = arun.run(run_window(qapp, db_path=tmp_path / "n.sqlite3", base_url=fake.base_url,
                                   on_started=on_started, show=False))
    assert code == 0
    chats = [headers for _, path, headers, _ in fake.all_requests if path.endswith("/chat/completions")]
    assert chats and all(h.get("authorization") == f"Bearer {SECRET}" for h in chats)
    assert files_containing(SECRET, tmp_path, temporary_user_folders) == []  # not the database, not settings


def test_the_old_qsettings_llm_defaults_and_plain_key_are_migrated_and_removed():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    legacy = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Negotiator", "Negotiator")
    legacy.setValue("llm/base_url", "http://10.0.0.5:1234/v1")
    legacy.setValue("llm/temperature", 0.3)
    legacy.setValue("llm/api_key", SECRET)
    legacy.setValue("session/last_opened", "3")
    legacy.sync()
    assert SECRET in Path(legacy.fileName()).read_text(encoding="utf-8")

    settings = load_settings()
    assert migrate_legacy_qsettings(settings)

    assert SECRET not in Path(legacy.fileName()).read_text(encoding="utf-8")
    assert backend.passwords == {(SERVICE, ACCOUNT): SECRET}
    on_disk = load_settings()
    assert (on_disk.llm.base_url, on_disk.llm.temperature, on_disk.api_key_stored) == (
        "http://10.0.0.5:1234/v1", 0.3, True)
    assert not migrate_legacy_qsettings(load_settings())  # once only
