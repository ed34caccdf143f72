"""LLM settings of a session: server URL, model from the server's list (with load state), sampling."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget,
)

from ...domain import LLMSettings
from ...llm import ModelInfo, ServerStatus, first_loaded
from ..icons import icon
from ..status_bar import describe_status
from .touched import watch_edits
from .validation import Loc

log = logging.getLogger(__name__)
StatusProbe = Callable[[str, str | None], Awaitable[ServerStatus]]
AUTO_MODEL = "(first loaded model)"


def _spin(low: int, high: int, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    return box


class LLMPanel(QWidget):
    changed = Signal()
    models_refreshed = Signal(object)  # ServerStatus

    def __init__(self, status_probe: StatusProbe | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._probe = status_probe
        self._models: dict[str, ModelInfo] = {}
        self.refresh_task: asyncio.Task | None = None
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("http://localhost:1234/v1")
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        line_edit = self.model_combo.lineEdit()
        assert line_edit is not None  # an editable combo box has one
        line_edit.setPlaceholderText(AUTO_MODEL)
        self.model_combo.setMinimumWidth(220)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Ask the server which models it has")
        self.refresh_button.setEnabled(status_probe is not None)
        self.model_state = QLabel("Press Refresh to list the server's models.")
        self.model_state.setWordWrap(True)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.max_tokens = _spin(1, 32768, 50)
        self.max_rounds = _spin(1, 50)
        self.concurrency = _spin(1, 64)
        self.context_tokens = _spin(512, 1_048_576, 512)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("optional; LM Studio needs none")
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.refresh_button)
        form = QFormLayout(self)
        form.addRow("Server URL", self.url_edit)
        form.addRow("Model", model_row)
        form.addRow("", self.model_state)
        form.addRow("Temperature", self.temperature)
        form.addRow("Max tokens per reply", self.max_tokens)
        form.addRow("Rounds", self.max_rounds)
        form.addRow("Concurrent requests", self.concurrency)
        form.addRow("Context size (tokens)", self.context_tokens)
        form.addRow("API key", self.api_key)
        for signal in (self.url_edit.textChanged, self.model_combo.currentTextChanged, self.temperature.valueChanged,
                       self.max_tokens.valueChanged, self.max_rounds.valueChanged, self.concurrency.valueChanged,
                       self.context_tokens.valueChanged, self.api_key.textChanged):
            signal.connect(self.changed)
        for widget in (self.url_edit, self.model_combo, self.api_key):
            watch_edits(widget)
        self.model_combo.currentTextChanged.connect(self._show_model_state)
        self.refresh_button.clicked.connect(self.refresh_models)
        self.set_settings(LLMSettings())

    def set_settings(self, llm: LLMSettings) -> None:
        self.url_edit.setText(llm.base_url)
        self.model_combo.setCurrentText(llm.model)
        self.temperature.setValue(llm.temperature)
        self.max_tokens.setValue(llm.max_tokens)
        self.max_rounds.setValue(llm.max_rounds)
        self.concurrency.setValue(llm.concurrency)
        self.context_tokens.setValue(llm.context_tokens)
        self.api_key.setText(llm.api_key or "")

    def data(self) -> dict:
        return {
            "base_url": self.url_edit.text().strip(),
            "model": self.model_combo.currentText().strip(),
            "temperature": round(self.temperature.value(), 2),
            "max_tokens": self.max_tokens.value(),
            "max_rounds": self.max_rounds.value(),
            "concurrency": self.concurrency.value(),
            "context_tokens": self.context_tokens.value(),
            "api_key": self.api_key.text().strip() or None,
        }

    def widgets(self) -> dict[Loc, list[QWidget]]:
        return {
            ("llm", "base_url"): [self.url_edit], ("llm", "model"): [self.model_combo],
            ("llm", "temperature"): [self.temperature], ("llm", "max_tokens"): [self.max_tokens],
            ("llm", "max_rounds"): [self.max_rounds], ("llm", "concurrency"): [self.concurrency],
            ("llm", "context_tokens"): [self.context_tokens],
        }

    def focus_chain(self) -> list[QWidget]:
        return [self.url_edit, self.model_combo, self.refresh_button, self.temperature, self.max_tokens,
                self.max_rounds, self.concurrency, self.context_tokens, self.api_key]

    # ----- models from the server -----------------------------------------------------------

    def refresh_models(self) -> asyncio.Task | None:
        """Ask the server for its models; the panel owns the task and cancels a previous one."""
        if self._probe is None:
            return None
        if self.refresh_task is not None and not self.refresh_task.done():
            self.refresh_task.cancel()
        self.model_state.setText("Asking the server for its models…")
        self.refresh_button.setEnabled(False)
        self.refresh_task = asyncio.ensure_future(self._refresh(self.url_edit.text().strip(), self.api_key.text() or None))
        return self.refresh_task

    async def _refresh(self, url: str, api_key: str | None) -> None:
        assert self._probe is not None  # the Refresh button is disabled without one
        try:
            status = await self._probe(url, api_key)
        finally:
            self.refresh_button.setEnabled(True)
        self.show_models(status)

    def show_models(self, status: ServerStatus) -> None:
        current = self.model_combo.currentText()
        self._models = {m.id: m for m in status.models}
        blocked = self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for model in status.models:
            state = {True: "loaded", False: "not loaded", None: "state unknown"}[model.loaded]
            self.model_combo.addItem(f"{model.id}", model.id)
            self.model_combo.setItemData(self.model_combo.count() - 1, state, Qt.ItemDataRole.ToolTipRole)
        self.model_combo.setCurrentText(current)
        self.model_combo.blockSignals(blocked)
        if not status.reachable or status.error or not status.models:
            self.model_state.setText(describe_status(status, fix="or correct the Server URL above")[0])  # it is here
        else:
            self._show_model_state(current)
        self.models_refreshed.emit(status)

    def _show_model_state(self, model_id: str) -> None:
        if not self._models:
            return
        if not model_id:
            first = first_loaded(list(self._models.values()))
            assert first is not None  # there are models (checked above)
            self.model_state.setText(f"Empty: the session uses the first loaded model ({first.id}).")
            return
        model = self._models.get(model_id)
        if model is None:
            self.model_state.setText(f"The server does not list {model_id}.")
        elif model.loaded:
            ctx = f", context {model.context_length} tokens" if model.context_length else ""
            self.model_state.setText(f"{model_id}: loaded{ctx}.")
        elif model.loaded is False:
            self.model_state.setText(f"{model_id}: not loaded; LM Studio loads it on the first request (slow start).")
        else:
            self.model_state.setText(f"{model_id}: listed by the server (load state unknown).")
