"""The experiment form: what an experiment file says (scenario, repetitions, two or more arms), built in the
window, checked by the file's own rules with each problem shown under its field, saved or loaded as a file."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QScrollArea, QSpinBox,
    QVBoxLayout, QWidget,
)

from ...experiments.spec import MAX_REPETITIONS, Arm, ExperimentSpec
from ...llm import LLMClient
from ...runtime import ClientFactory
from ...storage import Store
from ..icons import icon
from ..setup.confirm import ask_before_discarding
from ..setup.touched import clear_touched, is_touched, mark_touched, watch_edits
from .arm_editor import ArmEditor, message_label
from .cross_play_arms import cross_play_arms
from .form_files import ExperimentFiles
from .form_check import Problem, check_form, duplicate_arm_names
from .scenario_picker import ScenarioPicker, Spawn, read_sources

MAX_ARMS = 20


def _spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    return box


class ExperimentForm(ExperimentFiles, QWidget):
    """Emits `create_requested(ExperimentSpec)` for a valid experiment, `cancelled()` on Cancel."""

    create_requested = Signal(object)
    cancelled = Signal()

    def __init__(self, store: Store, make_client: ClientFactory, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.make_client = make_client
        self.spawn = spawn
        self.arms: list[ArmEditor] = []
        self.problems: list[Problem] = []
        self.spec: ExperimentSpec | None = None
        self.models: list[str] = []
        self.dialog: QFileDialog | None = None
        self.models_task: asyncio.Task | None = None
        self.last_saved: Path | None = None
        self.confirm_box: QMessageBox | None = None
        self._baseline: dict[str, Any] = {}  # the data as last filled in (reset, loaded or saved): edits differ
        self._revealed = False  # Create or Save was pressed: every problem shows, not only those of edited fields

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Which buyer model gets the better price?")
        self.scenario = ScenarioPicker(store, spawn)
        self.repetitions = _spin(1, MAX_REPETITIONS, 10)
        self.repetitions.setToolTip("Runs per arm")
        self.seed = _spin(0, 2**31 - 1, 0)
        self.seed.setToolTip("Seeds every run and the order the sellers are shown in: the same seed plans the same runs")
        self.parallel = _spin(1, 64, 1)
        self.parallel.setToolTip("Runs negotiated at once; their requests share the scenario's concurrent requests")
        self.messages = {key: message_label() for key in ("name", "scenario", "arms", "other")}
        self.models_note = QLabel()
        self.models_note.setWordWrap(True)
        self.refresh_models_button = QPushButton(icon("refresh"), "Refresh models")
        self.add_arm_button = QPushButton(icon("add"), "Add arm")
        self.cross_models = QLineEdit()
        self.cross_models.setPlaceholderText("models, comma-separated, e.g. qwen3-1.7b, llama-3.2-1b")
        self.cross_button = QPushButton("Make cross-play arms")
        self.cross_button.setToolTip("Replace the arms with one per buyer model × seller model pair")
        self.arms_row = QHBoxLayout()
        self.arms_row.addStretch(1)
        self.load_button = QPushButton(icon("import"), "Load file…")
        self.save_button = QPushButton(icon("save"), "Save as file…")
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.create_button = QPushButton(icon("new"), "Create experiment")
        self.create_button.setDefault(True)
        watch_edits(self.name_edit)
        self._build_layout()
        self._connect()

    def _build_layout(self) -> None:
        top = QFormLayout()
        top.addRow("Experiment name", self.name_edit)
        top.addRow(self.messages["name"])
        top.addRow("Scenario", self.scenario)
        top.addRow(self.messages["scenario"])
        numbers = QHBoxLayout()
        for text, box in (("Repetitions per arm", self.repetitions), ("Seed", self.seed), ("Runs at once", self.parallel)):
            numbers.addWidget(QLabel(text))
            numbers.addWidget(box)
            numbers.addSpacing(16)
        numbers.addStretch(1)
        top.addRow(numbers)
        models = QHBoxLayout()
        models.addWidget(self.models_note, 1)
        models.addWidget(self.refresh_models_button)
        top.addRow(models)
        arms_bar = QHBoxLayout()
        arms_bar.addWidget(QLabel(f"<b>Arms</b> (2–{MAX_ARMS})"))
        arms_bar.addWidget(self.add_arm_button)
        arms_bar.addSpacing(24)
        arms_bar.addWidget(QLabel("Cross-play:"))
        arms_bar.addWidget(self.cross_models, 1)
        arms_bar.addWidget(self.cross_button)
        arms_widget = QWidget()
        arms_widget.setLayout(self.arms_row)
        self.arms_scroll = QScrollArea()
        self.arms_scroll.setWidgetResizable(True)
        self.arms_scroll.setWidget(arms_widget)
        bottom = QHBoxLayout()
        bottom.addWidget(self.load_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.reason_label, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>New experiment</h3>"))
        layout.addLayout(top)
        layout.addLayout(arms_bar)
        layout.addWidget(self.messages["arms"])
        layout.addWidget(self.arms_scroll, 1)
        layout.addWidget(self.messages["other"])
        layout.addLayout(bottom)

    def _connect(self) -> None:
        for signal in (self.name_edit.textChanged, self.repetitions.valueChanged, self.seed.valueChanged,
                       self.parallel.valueChanged, self.scenario.changed):
            signal.connect(self.revalidate)
        self.scenario.loaded.connect(self._scenario_loaded)
        self.refresh_models_button.clicked.connect(self.refresh_models)
        self.add_arm_button.clicked.connect(lambda: self.add_arm(focus=True))
        self.cross_button.clicked.connect(self.make_cross_play_arms)
        self.load_button.clicked.connect(self.choose_file_to_load)
        self.save_button.clicked.connect(self.choose_file_to_save)
        self.cancel_button.clicked.connect(self.request_cancel)
        self.create_button.clicked.connect(self.submit)

    # ----- content ----------------------------------------------------------------------------

    def reset(self) -> asyncio.Task:
        """An empty experiment of two arms; the sessions and examples to choose from are read off the GUI thread."""
        self._revealed = False
        self.name_edit.setText("")
        clear_touched(self.name_edit)
        for box, value in ((self.repetitions, 10), (self.seed, 0), (self.parallel, 1)):
            box.setValue(value)
        self._set_arms([{"name": "Arm 1"}, {"name": "Arm 2"}])
        self.cross_models.setText("")
        self._baseline = self.data()
        return self.spawn(self._read_sources())

    async def _read_sources(self) -> None:
        sessions, examples = await asyncio.to_thread(read_sources, self.store)
        self.scenario.set_sources(sessions, examples)
        self._baseline = self.data()

    def has_edits(self) -> bool:
        return self.data() != self._baseline

    def request_cancel(self) -> None:
        """Cancel (or Escape): leave at once if nothing was changed, else ask first."""
        if not self.has_edits():
            self.cancelled.emit()
            return
        self.confirm_box = ask_before_discarding(
            self, "Discard this experiment?", "You have filled in this form. Leave it and lose what you entered? "
            "(Save as file… keeps it.)", "Discard", self.cancelled.emit)

    def set_spec(self, spec: ExperimentSpec) -> None:
        """Fill the form from an experiment file."""
        self.name_edit.setText(spec.name)
        self.repetitions.setValue(spec.repetitions)
        self.seed.setValue(min(spec.seed, self.seed.maximum()))
        self.parallel.setValue(spec.parallel_runs)
        self._set_arms([arm.model_dump(mode="json", exclude_none=True) for arm in spec.arms])
        self.scenario.select(spec.session_id, spec.scenario)
        self.revalidate()
        self._baseline = self.data()

    def _set_arms(self, arms: list[dict[str, Any]]) -> None:
        for editor in list(self.arms):
            self._remove_arm(editor, validate=False)
        for data in arms:
            self.add_arm(validate=False).set_arm(Arm.model_validate(data))
        self.revalidate()

    def add_arm(self, focus: bool = False, validate: bool = True) -> ArmEditor:
        editor = ArmEditor()
        editor.name_edit.setText(f"Arm {len(self.arms) + 1}")
        editor.set_models(self.models)
        editor.set_sellers([s.name for s in self.scenario.base.sellers] if self.scenario.base else [])
        editor.changed.connect(self.revalidate)
        editor.remove_requested.connect(self._remove_arm)
        self.arms.append(editor)
        self.arms_row.insertWidget(len(self.arms) - 1, editor)
        if focus:
            self.arms_scroll.ensureWidgetVisible(editor)
            editor.name_edit.setFocus()
            editor.name_edit.selectAll()
        if validate:
            self.revalidate()
        return editor

    def _remove_arm(self, editor: ArmEditor, validate: bool = True) -> None:
        self.arms.remove(editor)
        editor.hide()
        editor.deleteLater()
        if validate:
            mark_touched(self.add_arm_button)  # removing down to one arm is the user's doing: say what is missing
            self.revalidate()

    def make_cross_play_arms(self) -> None:
        """One arm per (buyer model, seller model) pair of the models typed beside the button."""
        models = [m.strip() for m in self.cross_models.text().split(",") if m.strip()]
        arms, problem = cross_play_arms(models, MAX_ARMS)
        if problem:
            self._show(self.messages["arms"], [problem])
            return
        self._set_arms(arms)

    def data(self) -> dict[str, Any]:
        return {"name": self.name_edit.text().strip(), **self.scenario.spec_part(),
                "repetitions": self.repetitions.value(), "seed": self.seed.value(),
                "parallel_runs": self.parallel.value(), "arms": [editor.data() for editor in self.arms]}

    # ----- models -----------------------------------------------------------------------------

    def _scenario_loaded(self) -> None:
        base = self.scenario.base
        for editor in self.arms:
            editor.set_sellers([s.name for s in base.sellers] if base else [])
        self.revalidate()
        if base is not None:
            self.refresh_models()

    def refresh_models(self) -> asyncio.Task | None:
        """Ask the scenario's server for its models: every model picker then lists them (typing stays possible)."""
        base = self.scenario.base
        if base is None:
            self.models_note.setText("Choose a scenario to list its server's models.")
            return None
        if self.models_task is not None and not self.models_task.done():
            self.models_task.cancel()
        self.models_note.setText("Asking the model server for its models…")
        self.models_task = self.spawn(self._list_models(self.make_client(base.llm)))
        return self.models_task

    async def _list_models(self, client: LLMClient) -> None:
        try:
            status = await client.status()
        finally:
            await client.aclose()
        self.models = [m.id for m in status.models]
        for editor in self.arms:
            editor.set_models(self.models)
        if status.error or not status.reachable:
            self.models_note.setText(f"The model server at {status.base_url} does not answer ({status.error}). "
                                     "Type model names; strategy-only arms need no server.")
        else:
            self.models_note.setText(f"{len(self.models)} model(s) on {status.base_url}: pick them in the arms.")

    # ----- validation -------------------------------------------------------------------------

    def revalidate(self) -> None:
        self.spec, self.problems = check_form(self.data(), self.scenario.base)
        for index, editor in enumerate(self.arms):
            names = [row.seller_combo.currentText().strip() for row in editor.per_seller]
            for name in sorted({n for n in names if names.count(n) > 1}):
                self.problems.append(Problem(("arms", index, "per_seller", name),
                                             f"{name} has two settings of its own in this arm: remove one"))
                self.spec = None
        if self.scenario.error:
            self.problems.insert(0, Problem(("scenario",), self.scenario.error))
        elif self.scenario.spec_part() and self.scenario.base is None:
            self.problems = [p for p in self.problems if p.loc != ("scenario",)]  # still being read
        shown: dict[int, tuple[QLabel, list[str]]] = {}
        labels = [*self.messages.values(), *(m for e in self.arms for m in e.messages.values()),
                  *(r.message for e in self.arms for r in e.per_seller)]
        for problem in self.problems:
            for label, touched in self._targets(problem):
                if self._revealed or touched:
                    shown.setdefault(id(label), (label, []))[1].append(problem.message)
        for label in labels:
            entry = shown.get(id(label))
            self._show(label, entry[1] if entry else [])
        self.add_arm_button.setEnabled(len(self.arms) < MAX_ARMS)
        for index, editor in enumerate(self.arms):
            editor.setTitle(f"Arm {index + 1}")
        visible = [self._where(p) + p.message for p in self.problems
                   if any(self._revealed or touched for _, touched in self._targets(p))]
        self.reason_label.setText(f"To create the experiment, fix: {visible[0]}" + (
            f" (and {len(visible) - 1} more)" if len(visible) > 1 else "") if visible else "")

    def _targets(self, problem: Problem) -> list[tuple[QLabel, bool]]:
        """The message labels a problem shows under, each with whether the user has touched that field."""
        loc = problem.loc
        if loc in (("name",), ("scenario",)):
            return [(self.messages[loc[0]], loc[0] == "scenario" or is_touched(self.name_edit))]
        if loc == ("arms",):
            if "own name" in problem.message:
                return [(self.arms[i].messages["name"], is_touched(self.arms[i].name_edit))
                        for i in duplicate_arm_names([e.name_edit.text().strip() for e in self.arms])]
            return [(self.messages["arms"], is_touched(self.add_arm_button))]
        if len(loc) >= 2 and loc[0] == "arms" and isinstance(loc[1], int) and loc[1] < len(self.arms):
            editor = self.arms[loc[1]]
            field = loc[2] if len(loc) > 2 else "arm"
            if field == "per_seller" and len(loc) > 3:
                rows = [r for r in editor.per_seller if r.seller_combo.currentText().strip() == loc[3]]
                if rows:
                    return [(row.message, True) for row in rows]
            key = {"name": "name", "model": "model", "temperature": "model", "max_rounds": "model",
                   "buyer": "buyer", "sellers": "sellers"}.get(field, "arm")
            # An arm's name says its problem once typed in; the rest of an arm shows its problems at once.
            return [(editor.messages[key], key != "name" or is_touched(editor.name_edit))]
        return [(self.messages["other"], False)]

    def _where(self, problem: Problem) -> str:
        """'Arm 2 (Boulware sellers): ' before an arm's problem in the one-line summary by the buttons."""
        loc = problem.loc
        if len(loc) >= 2 and loc[0] == "arms" and isinstance(loc[1], int) and loc[1] < len(self.arms):
            name = self.arms[loc[1]].name_edit.text().strip()
            return f"Arm {loc[1] + 1}" + (f" ({name})" if name else "") + ": "
        return ""

    @staticmethod
    def _show(label: QLabel, messages: list[str]) -> None:
        label.setText("\n".join(messages))
        label.setVisible(bool(messages))

    def submit(self) -> None:
        """Create: with problems, every one shows under its field instead."""
        self._revealed = True
        self.revalidate()
        if self.spec is not None:
            self.create_requested.emit(self.spec)

    def show_errors(self, title: str, errors: list[str]) -> None:
        """Problems found when the experiment was being created (e.g. the scenario changed on disk)."""
        self._show(self.messages["other"], [title, *(f"• {e}" for e in errors)])

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.request_cancel()
            return
        super().keyPressEvent(event)
