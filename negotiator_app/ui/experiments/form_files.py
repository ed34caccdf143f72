"""The experiment form's files: save what it holds as an experiment file, or fill it from one (off the GUI thread)."""
from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from ...experiments.spec import ExperimentError, ExperimentSpec, load_experiment

if TYPE_CHECKING:
    from typing import Any

    from .scenario_picker import Spawn


def file_json(spec: ExperimentSpec, path: Path) -> str:
    """The experiment file for `spec`, its scenario path relative to the file where that is possible."""
    data = spec.model_dump(mode="json", exclude_none=True)
    for arm in data["arms"]:
        if not arm.get("per_seller"):
            arm.pop("per_seller", None)
    if "scenario" in data:
        try:
            data["scenario"] = Path(os.path.relpath(data["scenario"], path.parent)).as_posix()
        except ValueError:  # another drive (Windows): keep it absolute
            pass
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class ExperimentFiles(QWidget):
    """Mixed into ExperimentForm, which provides what is declared below."""

    if TYPE_CHECKING:  # what ExperimentForm provides
        spec: ExperimentSpec | None
        spawn: Spawn
        dialog: QFileDialog | None
        last_saved: Path | None
        reason_label: QLabel
        messages: dict[str, QLabel]
        _revealed: bool
        _baseline: dict[str, Any]

        def revalidate(self) -> None: ...
        def data(self) -> dict[str, Any]: ...
        def set_spec(self, spec: ExperimentSpec) -> None: ...
        def show_errors(self, title: str, errors: list[str]) -> None: ...

    # ----- files ------------------------------------------------------------------------------

    def choose_file_to_save(self) -> None:
        self._revealed = True
        self.revalidate()
        if self.spec is None:
            return
        spec = self.spec
        dialog = QFileDialog(self, "Save experiment file", str(Path.home() / "experiment.json"),
                             "Experiment files (*.json);;All files (*)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(lambda path: self.save_file(spec, path))
        self.dialog = dialog
        dialog.open()

    def save_file(self, spec: ExperimentSpec, path: str | Path) -> asyncio.Task:
        return self.spawn(self._save(spec, Path(path)))

    async def _save(self, spec: ExperimentSpec, path: Path) -> None:
        try:
            await asyncio.to_thread(path.write_text, file_json(spec, path), "utf-8")
        except OSError as exc:
            self.show_errors(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.", [])
            return
        self.last_saved = path
        self._baseline = self.data()
        self.reason_label.setText(f"Saved {path}. From a terminal: negotiator experiment run {path.name}")

    def choose_file_to_load(self) -> None:
        dialog = QFileDialog(self, "Load experiment file", str(Path.home()), "Experiment files (*.json);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.load_file)
        self.dialog = dialog
        dialog.open()

    def load_file(self, path: str | Path) -> asyncio.Task:
        return self.spawn(self._load(Path(path)))

    async def _load(self, path: Path) -> None:
        try:
            spec = await asyncio.to_thread(load_experiment, path)
        except ExperimentError as exc:
            self.show_errors(f"{exc.source} is not a valid experiment; the form was not changed.", exc.errors)
            return
        self.messages["other"].hide()
        self.set_spec(spec)
