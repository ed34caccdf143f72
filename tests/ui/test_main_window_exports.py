"""After an export the window says where the file went and offers its folder; a folder that no file
manager can show is named in a message instead (offscreen Qt has no file manager, as a bare desktop)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from negotiator_app.paths import data_dir
from tests.ui.conftest import until
from tests.ui.window_support import example

NO_FILE_MANAGER = "does not support QPlatformServices"  # what offscreen Qt says when openUrl fails


@pytest.mark.qt_log_ignore(NO_FILE_MANAGER)
def test_export_says_where_the_file_went_and_folders_fall_back_to_their_path(kit, qtbot, tmp_path):
    store = kit.store()
    sid = store.create_session(example("office_supplies")).id
    target = tmp_path / "exports" / "my session.json"
    target.parent.mkdir()

    async def scenario():
        window = kit.window(store=store)
        window.resize(1280, 800)
        window.show()
        await window.open_session(sid)
        window.main_actions.export_json.trigger()  # File ▸ Export session log (JSON)…
        await until(lambda: window.summary_view.dialog is not None, what="the save dialog")  # after the read
        dialog = window.summary_view.dialog
        # Shown and focused, the dialog keeps its name field as typed: type the path, as a person does.
        name_field = dialog.findChild(QLineEdit, "fileNameEdit")
        name_field.setText(str(target))
        dialog.accept()
        # The file is written on the store thread; the status line follows once the loop hears it is done.
        await until(lambda: target.exists() and window.statusBar().currentMessage(),
                    what="the export to be written and reported")
        message = window.statusBar().currentMessage()
        assert message == f"Exported to {target}"
        button = window.open_export_folder
        assert button.isVisible()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        box = window.dialog
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert str(target.parent) in box.text() and "No file manager" in box.text()
        box.accept()

        window.main_actions.open_data_folder.trigger()  # File ▸ Open data folder
        box = window.summary_view.dialog
        assert isinstance(box, QMessageBox) and box.isVisible() and str(data_dir()) in box.text()
        box.accept()

        window.statusBar().showMessage("something else")
        assert not button.isVisible()  # the button goes with the message it belongs to

    kit.run(scenario())
