"""The experiment form's scenario: a stored session, a scenario file or a bundled example, read off the GUI thread."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget,
)

from ...domain import ScenarioError, SessionConfig, load_scenario
from ...storage import NotFound, StorageError, Store
from ..setup.scenario_files import example_scenarios, example_title

Spawn = Callable[[Coroutine[Any, Any, Any]], asyncio.Task]
SESSION, FILE, EXAMPLE = range(3)
SOURCES = ("A stored session", "A scenario file", "A bundled example")


def read_sources(store: Store) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """Blocking (SQLite and files): the person's stored sessions (id, name; not experiments' arms) and the
    examples (path, title)."""
    sessions = [(s.id, s.name) for s in store.list_sessions() if s.experiment_id is None]
    return sessions, [(str(path), example_title(path)) for path in example_scenarios()]


class ScenarioPicker(QWidget):
    """`loaded` fires once the chosen scenario was read: `base` is then its configuration, or None with `error`."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, store: Store, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.spawn = spawn
        self.base: SessionConfig | None = None
        self.error = ""
        self.load_task: asyncio.Task | None = None
        self.dialog: QFileDialog | None = None
        self._generation = 0
        self.source_combo = QComboBox()
        self.source_combo.addItems(SOURCES)
        self.session_combo = QComboBox()
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("a scenario file (.json)")
        self.browse_button = QPushButton("Choose file…")
        self.example_combo = QComboBox()
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.browse_button)
        self.pickers = QStackedWidget()
        for widget in (self.session_combo, file_row, self.example_combo):
            self.pickers.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.source_combo)
        top.addWidget(self.pickers, 1)
        layout.addLayout(top)
        self.source_combo.currentIndexChanged.connect(self.pickers.setCurrentIndex)
        for signal in (self.source_combo.currentIndexChanged, self.session_combo.currentIndexChanged,
                       self.example_combo.currentIndexChanged):
            signal.connect(self._choice_changed)
        self.file_edit.editingFinished.connect(self._choice_changed)
        self.browse_button.clicked.connect(self.choose_file)

    def set_sources(self, sessions: list[tuple[int, str]], examples: list[tuple[str, str]]) -> None:
        """The lists to pick from; the current choice is kept where it still exists."""
        for combo, items in ((self.session_combo, [(f"{name}  (#{sid})", sid) for sid, name in sessions]),
                             (self.example_combo, [(title, path) for path, title in examples])):
            current = combo.currentData()
            blocked = combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(blocked)
        blocked = self.source_combo.blockSignals(True)
        if self.source_combo.currentIndex() == SESSION and not sessions:
            self.source_combo.setCurrentIndex(EXAMPLE)
            self.pickers.setCurrentIndex(EXAMPLE)
        self.source_combo.blockSignals(blocked)
        self._choice_changed()

    def spec_part(self) -> dict[str, Any]:
        """The experiment file's `session_id` or `scenario` for the choice ({} while nothing is chosen)."""
        source = self.source_combo.currentIndex()
        if source == SESSION:
            return {} if self.session_combo.currentData() is None else {"session_id": self.session_combo.currentData()}
        if source == FILE:
            text = self.file_edit.text().strip()
            return {"scenario": str(Path(text).expanduser().resolve())} if text else {}
        return {} if self.example_combo.currentData() is None else {"scenario": self.example_combo.currentData()}

    def select(self, session_id: int | None, scenario: str | None) -> None:
        """Show an experiment file's scenario: a stored session, a bundled example, or any other file."""
        if session_id is not None:
            if self.session_combo.findData(session_id) < 0:
                self.session_combo.addItem(f"session #{session_id} (not in the list)", session_id)
            self._set(SESSION, self.session_combo, session_id)
        elif scenario is not None and self.example_combo.findData(scenario) >= 0:
            self._set(EXAMPLE, self.example_combo, scenario)
        else:
            self.file_edit.setText(scenario or "")
            self._set(FILE, None, None)

    def _set(self, source: int, combo: QComboBox | None, data: Any) -> None:
        blocked = [w.blockSignals(True) for w in (self.source_combo, self.session_combo, self.example_combo)]
        self.source_combo.setCurrentIndex(source)
        self.pickers.setCurrentIndex(source)
        if combo is not None:
            combo.setCurrentIndex(combo.findData(data))
        for widget, was in zip((self.source_combo, self.session_combo, self.example_combo), blocked):
            widget.blockSignals(was)
        self._choice_changed()

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Choose a scenario file", str(Path.home()), "Scenario files (*.json);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._file_chosen)
        self.dialog = dialog
        dialog.open()  # never exec(): the qasync loop must keep running

    def _file_chosen(self, path: str) -> None:
        self.file_edit.setText(path)
        self._choice_changed()

    # ----- reading the scenario -----------------------------------------------------------------

    def _choice_changed(self, *_args: Any) -> None:
        self._generation += 1
        self.base, self.error = None, ""
        self.changed.emit()
        part = self.spec_part()
        if part:
            self.load_task = self.spawn(self._load(self._generation, part))

    async def _load(self, generation: int, part: dict[str, Any]) -> None:
        try:
            if "session_id" in part:
                base = (await asyncio.to_thread(self.store.get_session, part["session_id"])).config
            else:
                base = await asyncio.to_thread(load_scenario, part["scenario"])
            error = ""
        except ScenarioError as exc:
            base, error = None, f"{exc.source} cannot be used: " + "; ".join(exc.errors)
        except NotFound:
            base, error = None, f"There is no stored session {part['session_id']}: choose another."
        except StorageError as exc:
            base, error = None, exc.user_message
        if generation != self._generation:
            return  # the choice changed meanwhile: a newer read is under way
        self.base, self.error = base, error
        self.loaded.emit()
