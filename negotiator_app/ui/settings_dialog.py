"""The Settings dialog: edits the person's `UserSettings` (LLM defaults, API key, export folder, retention,
database location) and saves them to the settings file."""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSpinBox, QVBoxLayout, QWidget,
)

from ..domain import LLMSettings
from ..domain.errors import describe_error
from ..storage.credentials import api_keys
from ..storage.settings import UserSettings, save_settings
from .setup.llm_panel import LLMPanel, StatusProbe


def key_storage_text(backend: str | None) -> str:
    if backend:
        return f"The API key is stored in {backend} (the system's credential store), never in a file."
    return ("This system has no credential store, so the API key is never saved: it is kept in memory until you "
            "quit, and you enter it again next time.")


class SettingsDialog(QDialog):
    saved = Signal(object)  # UserSettings

    def __init__(self, settings: UserSettings, status_probe: StatusProbe | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.folder_dialog: QFileDialog | None = None
        self.panel = LLMPanel(status_probe)
        self.panel.set_settings(settings.default_llm())
        self.key_storage = QLabel(key_storage_text(api_keys.backend_name()))
        self.key_storage.setWordWrap(True)
        llm_box = QGroupBox("Defaults for new sessions")
        llm_layout = QVBoxLayout(llm_box)
        note = QLabel("An open session keeps its own settings (edit the session to change them).")
        note.setWordWrap(True)
        for part in (note, self.panel, self.key_storage):
            llm_layout.addWidget(part)

        self.export_dir = QLineEdit(settings.export_dir or "")
        self.export_dir.setPlaceholderText(str(settings.exports_folder()) if not settings.export_dir else "")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.export_dir, 1)
        folder_row.addWidget(browse)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(0, 3650)
        self.retention_days.setSpecialValueText("never")  # 0: keep every export
        self.retention_days.setSuffix(" days")
        self.retention_days.setValue(settings.retention_days or 0)
        self.db_path = QLineEdit(settings.db_path or "")
        self.db_path.setPlaceholderText("default: negotiator.sqlite3 in the user data folder")
        files_box = QGroupBox("Files")
        files = QFormLayout(files_box)
        files.addRow("Export folder", folder_row)
        files.addRow("Delete the app's exports older than", self.retention_days)
        files.addRow("Database file", self.db_path)
        files.addRow("", QLabel("A new database file is used the next time Negotiator starts."))

        self.error = QLabel()
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (llm_box, files_box, self.error, buttons):
            layout.addWidget(widget)

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, "Export folder", str(self.settings.exports_folder()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.fileSelected.connect(self.export_dir.setText)
        self.folder_dialog = dialog
        dialog.open()  # never exec(): it would nest an event loop inside the running qasync loop

    def _save(self) -> None:
        data = self.panel.data()
        try:
            llm = LLMSettings.model_validate({**self.settings.llm.model_dump(), **data})
        except ValidationError as exc:
            errors = [{**err, "loc": ("llm", *err["loc"])} for err in exc.errors(include_url=False)]
            self.error.setText("\n".join(describe_error(err, {"llm": data}) for err in errors))
            return
        export_dir = self.export_dir.text().strip()
        if export_dir and Path(export_dir).expanduser().exists() and not Path(export_dir).expanduser().is_dir():
            self.error.setText(f"The export folder {export_dir} is a file: choose a folder.")
            return
        self.settings.llm = llm.model_copy(update={"api_key": None})
        self.settings.export_dir = export_dir or None
        self.settings.retention_days = self.retention_days.value() or None
        self.settings.db_path = self.db_path.text().strip() or None
        self.settings.set_api_key(llm.api_key)
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.error.setText(f"The settings could not be saved to {self.settings.path}: {exc.strerror or exc}. "
                               "Check that the folder can be written, then press Save again.")
            return
        self.saved.emit(self.settings)
        self.accept()

    def done(self, result: int) -> None:
        task = self.panel.refresh_task
        if task is not None and not task.done():
            task.cancel()
        super().done(result)
