"""Default LLM settings for new sessions (server URL, model, sampling, API key), kept in QSettings."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget
from pydantic import ValidationError

from ..domain import LLMSettings
from ..domain.errors import describe_error
from .app_settings import AppSettings
from .setup.llm_panel import LLMPanel, StatusProbe


class SettingsDialog(QDialog):
    saved = Signal(object)  # LLMSettings

    def __init__(self, settings: AppSettings, status_probe: StatusProbe | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Default LLM settings")
        self.settings = settings
        self.panel = LLMPanel(status_probe)
        self.panel.set_settings(settings.default_llm())
        self.error = QLabel()
        self.error.setWordWrap(True)
        note = QLabel("Used for new sessions. An open session keeps its own settings (edit the session to change them).")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.panel)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _save(self) -> None:
        data = self.panel.data()
        try:
            llm = LLMSettings.model_validate(data)
        except ValidationError as exc:
            errors = [{**err, "loc": ("llm", *err["loc"])} for err in exc.errors(include_url=False)]
            self.error.setText("\n".join(describe_error(err, {"llm": data}) for err in errors))
            return
        self.settings.set_default_llm(llm)
        self.settings.sync()
        self.saved.emit(llm)
        self.accept()

    def done(self, result: int) -> None:
        task = self.panel.refresh_task
        if task is not None and not task.done():
            task.cancel()
        super().done(result)
