"""The Experiments page: list, create (from a file or the form), run/stop/continue with live progress, results
and exports.

Every store read and write runs in a worker thread (asyncio.to_thread) and comes back on the loop; the running
experiment is one task owned by this page, and stopping it cancels the task (the runner stores what it has).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget,
)

from ...domain import ScenarioError
from ...experiments.exports import FORMATS
from ...experiments.report import ExperimentReport, experiment_report
from ...experiments.runner import ExperimentRunner, Progress, create_experiment
from ...experiments.spec import ExperimentError, ExperimentSpec, load_experiment
from ...paths import export_dir
from ...runtime import ClientFactory
from ...storage import StorageError, Store
from ...storage.experiments import load_experiment as load_stored_experiment
from ..icons import icon
from ..owned_tasks import OwnedTasks
from .form import ExperimentForm
from .experiment_list import ExperimentList, ListedExperiment, read_experiments
from .results import ResultsPanel

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, Any]], asyncio.Task]
EXPORTS = (("csv", "Export CSV…"), ("json", "Export JSON…"), ("md", "Export Markdown…"))


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = max(int(seconds), 0)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


def report_and_arm_sessions(store: Store, experiment_id: int) -> tuple[ExperimentReport, dict[str, int]]:
    """Blocking: the experiment's report, and the session that stores each arm's runs."""
    return experiment_report(store, experiment_id), load_stored_experiment(store, experiment_id).arms


class ExperimentsPage(QWidget):
    open_session_requested = Signal(int)  # an arm's session, to read its runs in the session view

    def __init__(self, store: Store, make_client: ClientFactory, spawn: Spawn | None = None,
                 export_folder: Callable[[], Path] = export_dir, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.make_client = make_client
        self.export_folder = export_folder
        self.tasks = OwnedTasks(lambda exc: log.error("experiments page: %s", exc, exc_info=exc))
        self._spawn = spawn or self.tasks.spawn
        self.run_task: asyncio.Task | None = None
        self.running_id: int | None = None
        self.progress: Progress | None = None
        self._progress_at = 0.0
        self._report_task: asyncio.Task | None = None
        self._report_again = False
        self.dialog: QWidget | None = None
        self.last_export: Path | None = None
        self.arm_sessions: dict[str, int] = {}  # the shown report's arms: the session storing each arm's runs
        self._closing = False

        self.new_button = QPushButton(icon("new"), "New experiment…")
        self.open_button = QPushButton(icon("import"), "Open experiment file…")
        self.run_button = QPushButton("Run")
        self.stop_button = QPushButton("Stop")
        self.continue_button = QPushButton("Continue")
        self.export_buttons = {fmt: QPushButton(icon("export"), text) for fmt, text in EXPORTS}
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: palette(bright-text); background: #b3261e; padding: 6px;")
        self.error_label.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m runs")
        self.progress_label = QLabel()
        self.list = ExperimentList()
        self.results = ResultsPanel()

        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.run_button, self.stop_button, self.continue_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in self.export_buttons.values():
            buttons.addWidget(button)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.progress_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.results)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([110, 640])
        self.browser = QWidget()
        layout = QVBoxLayout(self.browser)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<h3>Experiments</h3>"))
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addLayout(progress)
        layout.addWidget(self.status_label)
        layout.addWidget(splitter, 1)
        self.form = ExperimentForm(store, make_client, self._spawn)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.browser)
        self.pages.addWidget(self.form)
        QVBoxLayout(self).addWidget(self.pages)

        self.new_button.clicked.connect(self.show_form)
        self.open_button.clicked.connect(self.choose_file)
        self.form.create_requested.connect(self.create_from_spec)
        self.form.cancelled.connect(lambda: self.pages.setCurrentWidget(self.browser))
        self.run_button.clicked.connect(self.run_selected)
        self.continue_button.clicked.connect(self.run_selected)
        self.stop_button.clicked.connect(self.stop)
        for fmt, button in self.export_buttons.items():
            button.clicked.connect(lambda _checked=False, fmt=fmt: self.choose_export(fmt))
        self.list.selected.connect(self._selected)
        self.results.table.arm_chosen.connect(self._open_arm)
        self.ticker = QTimer(self)  # time elapsed and left move between runs too
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._show_progress)
        self._update_buttons()

    # ----- list and report ------------------------------------------------------------------------

    def refresh(self, select: int | None = None) -> asyncio.Task:
        return self._spawn(self._refresh(select))

    async def _refresh(self, select: int | None = None) -> None:
        try:
            experiments = await asyncio.to_thread(read_experiments, self.store)
        except StorageError as exc:
            self._show_error(exc.user_message)
            return
        self.list.show_experiments(experiments, self.running_id, select)
        self._update_buttons()
        self._load_report()

    def _selected(self, experiment_id: int) -> None:
        self._update_buttons()
        if self.running_id is None or experiment_id == self.running_id:
            self._show_progress_of(self.list.current())
        self._load_report()

    def _load_report(self) -> None:
        """Compute the selected experiment's report off the GUI thread; requests while one runs are coalesced."""
        if self._report_task is not None and not self._report_task.done():
            self._report_again = True
            return
        experiment_id = self.list.current_id()
        if experiment_id is not None:
            self._report_task = self._spawn(self._compute_report(experiment_id))

    async def _compute_report(self, experiment_id: int) -> None:
        try:
            report, arm_sessions = await asyncio.to_thread(report_and_arm_sessions, self.store, experiment_id)
        except StorageError as exc:
            self._show_error(exc.user_message)
            report = None
        if report is not None and experiment_id == self.list.current_id():
            self.arm_sessions = arm_sessions
            self.results.show_report(report)
        if self._report_again:
            self._report_again = False
            self._report_task = None
            self._load_report()

    def _open_arm(self, arm: str) -> None:
        if arm in self.arm_sessions:
            self.open_session_requested.emit(self.arm_sessions[arm])

    # ----- create -----------------------------------------------------------------------------------

    def choose_file(self) -> None:
        dialog = QFileDialog(self, "Open experiment file", str(Path.home()), "Experiment files (*.json);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.create_from_file)
        self.dialog = dialog
        dialog.open()

    def create_from_file(self, path: str | Path) -> asyncio.Task:
        return self._spawn(self._create(Path(path)))

    async def _create(self, path: Path) -> None:
        try:
            spec = await asyncio.to_thread(load_experiment, path)
        except ExperimentError as exc:
            self._show_error(f"{exc.source} is not a valid experiment; nothing was created. Fix the file and open "
                             "it again.", exc.errors)
            return
        await self._store_experiment(spec)

    def show_form(self) -> asyncio.Task:
        """The form for a new experiment, in place of the list until it creates one or is cancelled."""
        task = self.form.reset()
        self.pages.setCurrentWidget(self.form)
        self.form.name_edit.setFocus()
        return task

    def create_from_spec(self, spec: ExperimentSpec) -> asyncio.Task:
        return self._spawn(self._store_experiment(spec, from_form=True))

    async def _store_experiment(self, spec: ExperimentSpec, from_form: bool = False) -> None:
        """Create the experiment as `negotiator experiment run` would; the form stays open if that fails."""
        try:
            experiment_id = await asyncio.to_thread(create_experiment, self.store, spec)
        except (ExperimentError, ScenarioError) as exc:
            kind = "experiment" if isinstance(exc, ExperimentError) else "scenario"
            where = "Fix it in the form" if from_form else "Fix the file and open it again"
            show = self.form.show_errors if from_form else self._show_error
            show(f"{exc.source} is not a valid {kind}; nothing was created. {where}.", exc.errors)
            return
        except StorageError as exc:
            (self.form.show_errors if from_form else self._show_error)(exc.user_message, [])
            return
        self.error_label.hide()
        self.pages.setCurrentWidget(self.browser)
        self.status_label.setText(f"Created experiment {experiment_id}: {spec.name}. Press Run to start it.")
        await self._refresh(select=experiment_id)

    def _show_error(self, text: str, problems: list[str] | None = None) -> None:
        lines = [text, *(f"• {p}" for p in problems or [])]
        self.error_label.setText("\n".join(lines))
        self.error_label.show()

    # ----- run, stop, continue ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """An experiment started here is under way (its requests are on the model server)."""
        return self.run_task is not None

    def run_selected(self) -> asyncio.Task | None:
        experiment_id = self.list.current_id()
        if experiment_id is None or self.run_task is not None:
            return None
        self.running_id = experiment_id
        self.progress = None
        self.status_label.setText("Starting…")
        self.run_task = self._spawn(self._run(experiment_id))
        self._update_buttons()
        return self.run_task

    def stop(self) -> None:
        if self.run_task is not None:
            self.status_label.setText("Stopping: the runs under way are stored and will run again on Continue…")
            self.run_task.cancel()

    async def _run(self, experiment_id: int) -> None:
        self.ticker.start()
        message = ""
        try:
            runner = await asyncio.to_thread(ExperimentRunner, self.store, experiment_id, self.make_client,
                                             on_progress=self._on_progress)
            result = await runner.run()
            message = {"finished": "Finished: every run is done.", "stopped": "Stopped."}.get(result.status,
                                                                                               result.message)
        except asyncio.CancelledError:
            message = "Stopped. The finished runs are kept; Continue runs the rest."
        except StorageError as exc:
            message = exc.user_message
        finally:
            self.ticker.stop()
            self.run_task = None
            self.running_id = None
            self.status_label.setText(message)
            self._update_buttons()
            if not self._closing:
                self.refresh()

    def _on_progress(self, progress: Progress) -> None:
        changed = self.progress is None or progress.done != self.progress.done
        self.progress, self._progress_at = progress, time.monotonic()
        if self.list.current_id() == progress.experiment_id:
            self._show_progress()
            if changed:
                self._load_report()
        if progress.last:
            self.status_label.setText(f"Last run: {progress.last}")
        if changed:
            self._refresh_list_row(progress)

    def _refresh_list_row(self, progress: Progress) -> None:
        listed = [ListedExperiment(e.id, e.name, e.arms, progress.done, e.total) if e.id == progress.experiment_id
                  else e for e in self.list.experiments]
        self.list.show_experiments(listed, self.running_id)

    def _show_progress(self) -> None:
        p = self.progress
        if p is None or self.running_id is None:
            return
        since = time.monotonic() - self._progress_at
        left = None if p.eta_s is None else max(p.eta_s - since, 0.0)
        self._set_progress(p.done, p.total, f"elapsed {clock(p.elapsed_s + since)} · about {clock(left)} left")

    def _show_progress_of(self, e: ListedExperiment | None) -> None:
        if e is not None:
            self._set_progress(e.done, e.total, "")

    def _set_progress(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setMaximum(max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(text)

    def _update_buttons(self) -> None:
        current = self.list.current()
        idle = self.run_task is None
        self.open_button.setEnabled(idle)
        self.new_button.setEnabled(idle)
        self.run_button.setEnabled(idle and current is not None and current.done == 0)
        self.continue_button.setEnabled(idle and current is not None and 0 < current.done < current.total)
        self.stop_button.setEnabled(not idle)
        for button in self.export_buttons.values():
            button.setEnabled(current is not None)

    # ----- exports ----------------------------------------------------------------------------------

    def choose_export(self, fmt: str) -> None:
        experiment_id = self.list.current_id()
        if experiment_id is None:
            return
        name = f"experiment-{experiment_id}.{fmt}"
        dialog = QFileDialog(self, "Export experiment report", str(self.export_folder() / name), f"*.{fmt}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt)
        dialog.fileSelected.connect(lambda path: self.export(experiment_id, fmt, path))
        self.dialog = dialog
        dialog.open()

    def export(self, experiment_id: int, fmt: str, path: str | Path) -> asyncio.Task:
        return self._spawn(self._export(experiment_id, fmt, Path(path)))

    async def _export(self, experiment_id: int, fmt: str, path: Path) -> None:
        def write() -> None:
            path.write_text(FORMATS[fmt](experiment_report(self.store, experiment_id)), encoding="utf-8")

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            self._show_error(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.")
            return
        except StorageError as exc:
            self._show_error(exc.user_message)
            return
        self.last_export = path
        self.status_label.setText(f"Wrote {path}")

    # ----- tasks ------------------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop a running experiment (its finished runs are kept) and wait for the page's work to end."""
        self._closing = True
        tasks = [t for t in (self.run_task, self._report_task, *self.tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
