"""The sessions sidebar: list, new, open, rename, duplicate, delete (confirmed) and import."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QInputDialog, QLabel, QListView, QListWidget, QListWidgetItem, QMenu, QMessageBox,
    QPushButton, QStyledItemDelegate, QToolButton, QVBoxLayout, QWidget,
)

from ..storage.async_store import AsyncStore
from ..storage.errors import StorageError

if TYPE_CHECKING:  # the stored records' models (pydantic) load on the store's thread, after the first paint
    from ..storage import Store
    from ..storage.models import SessionSummary
from .icons import icon
from .owned_tasks import OwnedTasks

log = logging.getLogger(__name__)
ID_ROLE = Qt.ItemDataRole.UserRole
RENAME_DIALOG_MIN_WIDTH = 420
T = TypeVar("T")


class SessionSidebar(QWidget):
    new_requested = Signal()
    open_requested = Signal(int)
    edit_requested = Signal(int)
    session_deleted = Signal(int)
    session_renamed = Signal(int, str)
    sessions_changed = Signal()

    def __init__(self, store: Store | AsyncStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.disk = store if isinstance(store, AsyncStore) else AsyncStore.of(store)
        self.summaries: dict[int, SessionSummary] = {}  # as last read: dialogs open from it, without the disk
        self._tasks = OwnedTasks(self._task_failed)  # a storage failure is shown to the person
        self._spawn = self._tasks.spawn
        self.dialog: QWidget | None = None  # the open rename/delete/import dialog (tests answer it)
        self.import_folder: Callable[[], Path | str] = lambda: ""  # the window points it at the export folder
        self.import_errors: list[str] = []
        title = QLabel("<b>Sessions</b>")
        self.new_button = QPushButton(icon("new"), "New")
        self.new_button.setToolTip("New session (Ctrl+N)")
        self.import_button = QToolButton()
        self.import_button.setIcon(icon("import"))
        self.import_button.setToolTip("Import a session or scenario file…")
        self.list = QListWidget()
        self.list.setIconSize(QSize(20, 20))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setSpacing(2)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setWordWrap(True)  # long names wrap instead of being cut at the sidebar's width
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setItemDelegate(_WrappingDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty_label = QLabel("Loading sessions…")  # until the first listing arrives from the store
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        header = QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(self.import_button)
        header.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        self.new_button.clicked.connect(self.new_requested)
        self.import_button.clicked.connect(self.choose_import_file)
        # A click (or arrow key) that selects a session opens it, so selection and shown session agree;
        # Enter and double-click ask again, which the window treats as "show it" (opening is idempotent).
        self._quiet = False  # set while the list is changed by code, not by the person
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.list.itemActivated.connect(lambda item: self.open_requested.emit(item.data(ID_ROLE)))
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.loaded = self.refresh()  # the first listing; await it to know the list is shown

    # ----- listing (read on the store's thread; the widgets are filled when the answer arrives) -----

    def _selection_changed(self) -> None:
        # Opened on selection, not on the current line: the list makes its first line current, unselected, when it
        # gets the focus with none (e.g. back from a question the window asked). That is not the person choosing
        # it, and opening it would ask the same question again, and again.
        chosen = self.list.selectedItems()
        if chosen and not self._quiet:
            self.open_requested.emit(chosen[0].data(ID_ROLE))

    def refresh(self, select: int | None = None) -> asyncio.Task:
        """Re-read the list of sessions; await the returned task to know it is shown."""
        return self._spawn(self._refresh(select))

    async def _refresh(self, select: int | None) -> None:
        summaries = await self.disk.list_sessions()
        self._quiet = True  # filling the list is not the person choosing a session
        try:
            self._fill(summaries, self.selected_id() if select is None else select)
        finally:
            self._quiet = False

    def _fill(self, summaries: list[SessionSummary], select: int | None) -> None:
        self.summaries = {summary.id: summary for summary in summaries}
        self.list.clear()
        # An experiment's arms are sessions too, one per arm: they are reached from the Experiments view.
        for summary in (s for s in summaries if s.experiment_id is None):
            item = QListWidgetItem(icon("rooms"), _label(summary))
            item.setData(ID_ROLE, summary.id)
            item.setToolTip(f"{summary.name}\nCreated {summary.created_at:%Y-%m-%d %H:%M}, "
                            f"last activity {summary.last_activity:%Y-%m-%d %H:%M}")
            self.list.addItem(item)
            if summary.id == select:
                self.list.setCurrentItem(item)
        hidden = len(summaries) - self.list.count()  # the experiments' own sessions
        self.empty_label.setText("No sessions yet.\nPress New, or import a scenario." + (
            "\nExperiment runs: see Experiments." if hidden else ""))
        self.empty_label.setVisible(self.list.count() == 0)

    def _task_failed(self, exc: BaseException) -> None:
        if isinstance(exc, StorageError):
            self._warn("The sessions could not be read", exc.user_message, "")
        else:
            log.error("sidebar task failed", exc_info=exc)

    async def close_tasks(self) -> None:
        """Cancel the reads and writes still under way and wait for them (at shutdown)."""
        await self._tasks.cancel_all()

    def session_ids(self) -> list[int]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]

    def names(self) -> list[str]:
        return [self.list.item(i).text().splitlines()[0] for i in range(self.list.count())]

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item else None

    def select(self, session_id: int | None) -> None:
        """Show `session_id` as the selected line (None: no line) without asking to open it."""
        self._quiet = True
        try:
            row = next((i for i in range(self.list.count()) if self.list.item(i).data(ID_ROLE) == session_id), -1)
            self.list.setCurrentRow(row)
            if row < 0:
                self.list.clearSelection()
        finally:
            self._quiet = False

    def _context_menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        sid = item.data(ID_ROLE)
        menu = QMenu(self)
        menu.addAction(icon("start"), "Open", lambda: self.open_requested.emit(sid))
        menu.addAction(icon("edit"), "Edit…", lambda: self.edit_requested.emit(sid))
        menu.addAction("Rename…", lambda: self.rename(sid))
        menu.addAction(icon("duplicate"), "Duplicate", lambda: self.duplicate(sid))
        menu.addSeparator()
        menu.addAction(icon("delete"), "Delete…", lambda: self.confirm_delete(sid))
        menu.popup(self.list.viewport().mapToGlobal(pos))

    # ----- actions (dialogs are opened, never exec()'d: the qasync loop keeps running) -------

    def rename(self, session_id: int) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename session")
        dialog.setLabelText("New name:")
        known = self.summaries.get(session_id)
        dialog.setTextValue(known.name if known else "")
        dialog.textValueSelected.connect(lambda name: self._spawn(self._rename(session_id, name)))
        self.dialog = dialog
        dialog.open()
        # After open(): QInputDialog sets its own minimum when shown, about twenty characters wide.
        dialog.setMinimumWidth(RENAME_DIALOG_MIN_WIDTH)
        return dialog

    async def _rename(self, session_id: int, name: str) -> None:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            self._warn("Name not changed", "A session name needs 1 to 100 characters.",
                       f"The name you typed has {len(name)}.")
            return
        if await self._apply(self.disk.rename_session(session_id, name)) is not False:
            self.session_renamed.emit(session_id, name)

    def duplicate(self, session_id: int) -> asyncio.Task:
        """Copy the session; the task's result is the copy's summary (None when it could not be saved). The copy
        is listed; the selection stays on the shown session (selecting it would mean opening it)."""
        return self._spawn(self._duplicate(session_id))

    async def _duplicate(self, session_id: int) -> SessionSummary | None:
        copy = await self._apply(self.disk.duplicate_session(session_id))
        return copy or None  # False: the store refused, and the person was told

    def confirm_delete(self, session_id: int) -> QMessageBox:
        summary = self.summaries[session_id]
        if summary.arm is not None:  # deleting it would take the arm's runs out of the experiment's report
            return self._warn("This session cannot be deleted",
                              f"“{summary.name}” holds the runs of arm “{summary.arm}” of experiment "
                              f"{summary.experiment_id}.", "They belong to the experiment and its report.")
        runs = f" and its {summary.run_count} stored run{'s' if summary.run_count != 1 else ''}" if summary.run_count else ""
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete session",
                          f"Delete “{summary.name}”{runs}? This cannot be undone.",
                          QMessageBox.StandardButton.Cancel, self)
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self._delete(session_id) if button is delete else None)
        self.dialog = box
        box.open()
        return box

    def _delete(self, session_id: int) -> asyncio.Task:
        return self._spawn(self._delete_now(session_id))

    async def _delete_now(self, session_id: int) -> None:
        if await self._apply(self.disk.delete_session(session_id)) is not False:
            self.session_deleted.emit(session_id)

    def choose_import_file(self) -> None:
        dialog = QFileDialog(self, "Import session", str(self.import_folder()), "Session or scenario files (*.json);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.import_file)
        self.dialog = dialog
        dialog.open()

    def import_file(self, path: str | Path) -> asyncio.Task:
        """A session log (with its runs) or a scenario file (configuration only) becomes a new session; the
        file is read and stored on the store's thread. The task's result is the new session's summary."""
        return self._spawn(self._import(Path(path)))

    async def _import(self, path: Path) -> SessionSummary | None:
        from ..domain import ScenarioError

        try:
            summary = await self.disk.run(_import_into, path)
        except StorageError as exc:
            self._warn("Import failed", exc.user_message, "")
            return None
        except (ScenarioError, ValueError) as exc:  # both carry every problem in `.errors`
            errors = list(getattr(exc, "errors", None) or [str(exc)])
            self.import_errors = errors
            self._warn("This file cannot be imported", f"{path.name} has {len(errors)} problem"
                       f"{'s' if len(errors) != 1 else ''}; nothing was imported.", "\n".join(f"• {e}" for e in errors))
            return None
        self.import_errors = []
        await self._refresh(select=summary.id)
        self.sessions_changed.emit()
        self.open_requested.emit(summary.id)
        return summary

    async def _apply(self, change: Awaitable[T]) -> T | Literal[False]:
        try:
            result = await change
        except StorageError as exc:
            self._warn("Could not save the change", exc.user_message, "")
            return False
        await self._refresh(None)
        self.sessions_changed.emit()
        return result

    def _warn(self, title: str, text: str, details: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(details)
        self.dialog = box
        box.open()
        return box


class _WrappingDelegate(QStyledItemDelegate):
    """Sizes each line to the width it is painted at (QListView otherwise measures some rows wider and cuts them)."""

    def sizeHint(self, option, index):
        view: QListView = self.parent()
        option.rect.setWidth(view.viewport().width() - 2 * view.spacing() - 4)
        return super().sizeHint(option, index)


def _label(summary: SessionSummary) -> str:
    items = f"{summary.item_count} item{'s' if summary.item_count != 1 else ''}"
    sellers = f"{summary.seller_count} seller{'s' if summary.seller_count != 1 else ''}"
    runs = f"{summary.run_count} run{'s' if summary.run_count != 1 else ''}"
    return f"{summary.name}\n{items} · {sellers} · {runs}"


def _import_into(store: Store, path: Path) -> SessionSummary:
    """On the store's thread: read the file and store it as a new session."""
    from ..domain import load_scenario
    from ..export import import_session

    if _looks_like_scenario(path):
        return store.create_session(load_scenario(path))
    return import_session(store, path)


def _looks_like_scenario(path: Path) -> bool:
    """Scenario files have buyer and sellers at the top; session logs nest the configuration."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False  # let the log importer word the problem
    return isinstance(data, dict) and "buyer" in data and "sellers" in data
