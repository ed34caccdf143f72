"""The session summary: per-item outcomes, totals, savings, metrics, a price chart, the AI debrief, and exports."""
from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
    QPushButton, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..domain import money, percent, percent_points
from ..export.wording import RESULT_COLUMNS, result_cells, totals_text
from ..paths import data_dir, export_dir
from ..storage.async_store import AsyncStore
from ..storage.errors import StorageError
from ..storage.models import Debrief
from .folders import open_folder

if TYPE_CHECKING:  # the runtime and the store load after the window is shown
    from ..export.summary import SessionMetrics
    from ..runtime import ClientFactory
    from ..storage import Store
from .icons import icon
from .summary_chart import PriceChart, chart_rows
from .summary_trajectories import PriceTrajectories, latest_offers

log = logging.getLogger(__name__)
COLUMNS = RESULT_COLUMNS


def _num(value: float | None, fmt=money) -> str:
    return "—" if value is None else fmt(value)


Spawn = Callable[[Coroutine], asyncio.Task]
COPY_TAIL = re.compile(r"(\s*\(copy\))+$")


def export_file_name(name: str, suffix: str, limit: int = 60) -> str:
    """A file name for a session's export: readable, safe on every system, and a shortened long name keeps its
    " (copy)" tail, so a session and its copy never suggest the same file."""
    stem = " ".join(re.sub(r"[^\w\s().,-]+", "_", name).split()).lstrip(".")
    if len(stem) > limit:
        tail = match.group(0) if (match := COPY_TAIL.search(stem)) else ""
        tail = tail[-(limit // 2):]
        stem = stem[:limit - len(tail)].rstrip() + tail
    return f"{stem or 'session'}.{suffix}"


class SummaryView(QWidget):
    back_requested = Signal()
    debrief_finished = Signal(bool)  # True when a debrief was written and stored
    exported = Signal(object)  # the Path of a file just written: the window says where it went

    def __init__(self, parent: QWidget | None = None, *, make_client: ClientFactory | None = None,
                 spawn: Spawn | None = None, export_folder: Callable[[], Path] = export_dir) -> None:
        super().__init__(parent)
        self.export_folder = export_folder  # the configured folder, read when a dialog opens: it may change
        self.make_client = make_client  # builds a client from the session's LLM settings (as SessionRuntime does)
        self._spawn = spawn or asyncio.ensure_future  # the window's spawn owns the task and cancels it at shutdown
        self.debrief_task: asyncio.Task | None = None
        self.debriefs: list[Debrief] = []
        self.disk: AsyncStore | None = None
        self.loading: asyncio.Task | None = None  # the newest show_session read
        self.exporting: asyncio.Task | None = None  # the newest export being written
        self.session_id: int | None = None
        self.metrics: SessionMetrics | None = None
        self.dialog: QWidget | None = None
        self.last_export: Path | None = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.metrics_grid = QGridLayout()
        self.chart = PriceChart()
        self.back_button = QPushButton("Back to rooms")
        self.json_button = QPushButton(icon("export"), "Export JSON…")
        self.markdown_button = QPushButton(icon("export"), "Export Markdown…")
        self.folder_button = QPushButton(icon("folder"), "Open data folder")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        for b in (self.json_button, self.markdown_button, self.folder_button):
            buttons.addWidget(b)
        metrics_box = QGroupBox("Metrics (latest run of each room)")
        metrics_box.setLayout(self.metrics_grid)
        chart_box = QGroupBox("Final price against the seller's ask and floor and the buyer's max")
        QVBoxLayout(chart_box).addWidget(self.chart)
        self.trajectories = PriceTrajectories()
        trajectories_box = QGroupBox("Offered price per round (latest run of each room; dashed: floors and buyer max)")
        QVBoxLayout(trajectories_box).addWidget(self.trajectories)
        debrief_box = self._build_debrief_box()
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.title)
        layout.addWidget(self.totals)
        layout.addWidget(self.table)
        layout.addWidget(metrics_box)
        layout.addWidget(chart_box)
        layout.addWidget(trajectories_box)
        layout.addWidget(debrief_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addLayout(buttons)
        self.back_button.clicked.connect(self.back_requested)
        self.json_button.clicked.connect(lambda: self._choose_file("Export session log (JSON)", "json", self.export_json))
        self.markdown_button.clicked.connect(
            lambda: self._choose_file("Export transcripts (Markdown)", "md", self.export_markdown))
        self.folder_button.clicked.connect(self.open_data_folder)

    def _build_debrief_box(self) -> QGroupBox:
        box = QGroupBox("AI debrief (written by the local model on request; numbers computed by Negotiator)")
        self.debrief_button = QPushButton(icon("summary"), "Write AI debrief")
        self.debrief_button.clicked.connect(self.start_debrief)
        self.debrief_progress = QLabel()
        self.debrief_error = QLabel()
        self.debrief_error.setWordWrap(True)
        self.debrief_error.setStyleSheet("color: #c0392b;")
        self.debrief_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.debrief_error.hide()
        self.debrief_text = QLabel()  # one label for all of them: no widget churn on regenerate
        self.debrief_text.setWordWrap(True)
        self.debrief_text.setTextFormat(Qt.TextFormat.RichText)
        self.debrief_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.debrief_button)
        row.addWidget(self.debrief_progress, 1)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.debrief_error)
        layout.addWidget(self.debrief_text)
        return box

    def show_session(self, disk: AsyncStore, session_id: int) -> asyncio.Task:
        """Read the session's figures on the store's thread, then show them; await the task to know they are."""
        if self.loading is not None:
            self.loading.cancel()  # a newer request wins
        self.loading = self._spawn(self._load(disk, session_id))
        return self.loading

    async def _load(self, disk: AsyncStore, session_id: int) -> None:
        config, m, latest, debriefs = await disk.run(_read_summary, session_id)
        if session_id != self.session_id:
            self.debrief_error.hide()
            if not self.debrief_running:
                self.debrief_progress.clear()
        self.disk, self.session_id = disk, session_id
        self.metrics = m
        self.title.setText(f"<h2>{m.name}</h2>")
        self.totals.setText(totals_text(m))
        self._fill_table(m)
        self._fill_metrics(m)
        self.chart.set_rows(chart_rows(m, config))
        self.trajectories.show_session(config, latest)
        self._show_debriefs(debriefs)

    def _fill_table(self, m) -> None:
        self.table.setRowCount(len(m.items))
        for r, row in enumerate(m.items):
            for c, text in enumerate(result_cells(row)):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        rows_height = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows_height + 2 * self.table.frameWidth() + 2)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _fill_metrics(self, m) -> None:
        while self.metrics_grid.count():
            item = self.metrics_grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        bought = [row.latest for row in m.items if row.latest and row.latest.bought]
        shares = [b.buyer_surplus_share for b in bought if b.buyer_surplus_share is not None]
        lowest = [b.went_to_lowest_floor for b in bought if b.went_to_lowest_floor is not None]
        pairs = [
            ("Total spent", money(m.total_spent)), ("At the asks it would cost", money(m.total_asking)),
            ("Savings", f"{money(m.total_savings)}" + (f" ({percent_points(m.savings_pct)})" if m.savings_pct is not None else "")),
            ("Buyer's share of the surplus", percent(sum(shares) / len(shares) if shares else None)),
            ("Deals with the lowest-floor seller", f"{sum(lowest)} of {len(lowest)}" if lowest else "—"),
            ("Average rounds", _num(m.average_rounds, lambda v: f"{v:.1f}")),
            ("Messages", str(m.messages)),
            ("Rule violations", ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in m.violations_by_kind.items()) or "none"),
            ("Unreadable replies", str(m.parse_failures)),
            ("Tokens (prompt / completion)", f"{m.prompt_tokens:,} / {m.completion_tokens:,}"),
        ]
        self.metric_values = dict(pairs)
        for i, (label, value) in enumerate(pairs):
            key = QLabel(label + ":")  # enabled: a greyed label reads as "not available"
            self.metrics_grid.addWidget(key, i // 2, (i % 2) * 2)
            self.metrics_grid.addWidget(QLabel(f"<b>{value}</b>"), i // 2, (i % 2) * 2 + 1)

    # ----- AI debrief ---------------------------------------------------------------------------

    @property
    def debrief_running(self) -> bool:
        return self.debrief_task is not None and not self.debrief_task.done()

    def _show_debriefs(self, debriefs: list[Debrief]) -> None:
        self.debriefs = debriefs
        blocks = []
        for d in debriefs:
            title = "The session" if d.is_session else (d.item or "")
            note = f"Written by {d.model} on {d.created_at.astimezone():%Y-%m-%d %H:%M}."
            if d.unknown_citations:
                note += f" Cites messages that do not exist in that run: {', '.join(d.unknown_citations)}."
            blocks.append(f"<p><b>{html.escape(title)}</b><br>{html.escape(d.text)}"
                          f"<br><small><i>{html.escape(note)}</i></small></p>")
        self.debrief_text.setText("".join(blocks))
        self.debrief_text.setVisible(bool(blocks))
        has_runs = bool(self.metrics and any(row.latest for row in self.metrics.items))
        self.debrief_button.setText("Regenerate debrief" if debriefs else "Write AI debrief")
        self.debrief_button.setEnabled(has_runs and not self.debrief_running and self.make_client is not None)
        self.debrief_button.setToolTip("" if has_runs else "Run at least one room first.")

    def start_debrief(self) -> asyncio.Task | None:
        """Ask the session's model for the debrief in an owned task; the window stays responsive."""
        if self.disk is None or self.session_id is None or not self.debrief_button.isEnabled():
            return None  # nothing run yet, already writing, or no way to reach a model
        self.debrief_error.hide()
        self.debrief_button.setEnabled(False)
        self.debrief_progress.setText("Starting the debrief…")
        self.debrief_task = self._spawn(self._write_debrief(self.disk, self.session_id))
        return self.debrief_task

    async def _write_debrief(self, disk: AsyncStore, session_id: int) -> None:
        from ..export import DebriefError, write_debriefs

        def progress(text: str) -> None:
            if self.session_id == session_id:  # the person may have opened another session's summary meanwhile
                self.debrief_progress.setText(text)

        ok = False
        assert self.make_client is not None  # the button is disabled without one
        client = self.make_client((await disk.get_session(session_id)).config.llm)
        try:
            await write_debriefs(disk.store, session_id, client, on_progress=progress, on_store=disk.call)
            ok = True
        except (DebriefError, StorageError) as exc:
            log.warning("debrief of session %s failed: %s", session_id, exc.user_message)
            if self.session_id == session_id:
                self.debrief_error.setText(exc.user_message)
                self.debrief_error.show()
        finally:
            await client.aclose()
            shown = self.session_id
            debriefs = await disk.load_debriefs(shown) if shown is not None else None
            self.debrief_task = None
            progress("Debrief written." if ok else "")
            if debriefs is not None and self.session_id == shown:
                self._show_debriefs(debriefs)
            self.debrief_finished.emit(ok)

    # ----- exports ------------------------------------------------------------------------------

    def _choose_file(self, title: str, suffix: str, write) -> None:
        if self.session_id is None or self.metrics is None:
            return
        name = f"session-{self.session_id}-{export_file_name(self.metrics.name, suffix)}"
        dialog = QFileDialog(self, title, str(self.export_folder() / name), f"*.{suffix}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.fileSelected.connect(write)
        self.dialog = dialog
        dialog.open()

    def export_json(self, path: str | Path) -> asyncio.Task:
        """Write the session log on the store's thread; the task's result is the path (None if it failed)."""
        self.exporting = self._spawn(self._export(_write_json, path))
        return self.exporting

    def export_markdown(self, path: str | Path) -> asyncio.Task:
        self.exporting = self._spawn(self._export(_write_markdown, path))
        return self.exporting

    async def _export(self, write: Callable[[Store, int, Path], None], path: str | Path) -> Path | None:
        if self.disk is None or self.session_id is None:
            return None
        try:
            await self.disk.run(write, self.session_id, Path(path))
        except (OSError, StorageError) as exc:
            message = getattr(exc, "user_message", None) or f"{path} could not be written: {exc}"
            box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", message, QMessageBox.StandardButton.Ok, self)
            self.dialog = box
            box.open()
            return None
        self.last_export = Path(path)
        self.exported.emit(self.last_export)
        return self.last_export

    def open_data_folder(self) -> bool:
        """True when a file manager showed it; otherwise the path is shown in a message."""
        box = open_folder(data_dir(), self, "The data folder (database, settings and logs)")
        if box is not None:
            self.dialog = box
        return box is None


# ----- on the store's thread ----------------------------------------------------------------------

def _read_summary(store: Store, session_id: int):
    """Everything the summary shows, read in one go off the GUI thread."""
    from ..export import session_metrics

    config = store.get_session(session_id).config
    return config, session_metrics(store, session_id), latest_offers(store, session_id), store.load_debriefs(session_id)


def _write_json(store: Store, session_id: int, path: Path) -> None:
    from ..export import session_log, write_json

    write_json(path, session_log(store, session_id))


def _write_markdown(store: Store, session_id: int, path: Path) -> None:
    from ..export import session_markdown, write_text

    write_text(path, session_markdown(store, session_id))
