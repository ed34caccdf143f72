"""The setup form's scenario files: examples, import (settings a file does not name come from the user's
defaults), save, and the non-blocking dialogs they open."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...domain import LLMSettings, ScenarioError, load_scenario, save_scenario
from ...paths import resource_path
from .confirm import ask_before_discarding

if TYPE_CHECKING:
    from ...domain import SessionConfig
    from .validation import FormCheck


def example_scenarios() -> list[Path]:
    return sorted(resource_path("scenarios").glob("*.json"))


def example_title(path: Path) -> str:
    try:
        return load_scenario(path).name
    except ScenarioError:
        return path.stem.replace("_", " ")


class ScenarioFiles(QWidget):
    """Mixed into SessionSetupForm: uses its has_edits(), set_config(), defaults, check and problems()."""

    if TYPE_CHECKING:  # what SessionSetupForm provides
        defaults: LLMSettings
        check: FormCheck
        editing_session_id: int | None
        import_errors: list[str]
        confirm_box: QMessageBox | None
        message_box: QMessageBox | None
        file_dialog: QFileDialog | None

        def has_edits(self) -> bool: ...
        def problems(self) -> list[str]: ...
        def set_config(self, config: SessionConfig, session_id: int | None = None,
                       defaults: LLMSettings | None = None) -> None: ...

    def load_example(self, path: Path) -> None:
        """Fill the form with an example; over edits, only once the user agrees to lose them."""
        if not self.has_edits():
            self.import_scenario_file(path)
            return
        self.confirm_box = ask_before_discarding(
            self, "Replace your changes?", f"Loading the example “{example_title(path)}” replaces what you "
            "typed in this form.", "Load example", lambda: self.import_scenario_file(path))

    def import_scenario_file(self, path: str | Path) -> bool:
        """Fill the form from a scenario file; an invalid file leaves the form unchanged and lists every error."""
        try:
            config = load_scenario(path)
        except ScenarioError as exc:
            self.import_errors = list(exc.errors)
            self._show_message(QMessageBox.Icon.Warning, "This scenario cannot be used",
                               f"{Path(path).name} has {len(exc.errors)} problem{'s' if len(exc.errors) != 1 else ''}; "
                               "the form was not changed.", "\n".join(f"• {e}" for e in exc.errors))
            return False
        self.import_errors = []
        self.set_config(config.model_copy(update={"llm": self.with_defaults(config.llm)}), self.editing_session_id)
        return True

    def with_defaults(self, llm: LLMSettings) -> LLMSettings:
        """The file's LLM settings over the user's defaults: a file naming only the rounds keeps the user's server."""
        named = {name: getattr(llm, name) for name in llm.model_fields_set}
        return self.defaults.model_copy(update=named)

    def save_scenario_file(self, path: str | Path) -> bool:
        if self.check.config is None:
            self._show_message(QMessageBox.Icon.Warning, "Cannot save yet",
                               "Fix the problems listed in the form before saving a scenario.", "\n".join(self.problems()))
            return False
        try:
            save_scenario(self.check.config, path)
        except OSError as exc:
            self._show_message(QMessageBox.Icon.Warning, "Could not save", f"{path} could not be written: {exc}", "")
            return False
        return True

    def choose_scenario_to_import(self) -> None:
        choose = lambda: self._file_dialog("Import scenario", QFileDialog.AcceptMode.AcceptOpen,  # noqa: E731
                                           self.import_scenario_file)
        if not self.has_edits():
            choose()
            return
        self.confirm_box = ask_before_discarding(
            self, "Replace your changes?", "Importing a scenario replaces what you typed in this form.",
            "Choose a file…", choose)

    def choose_scenario_to_save(self) -> None:
        self._file_dialog("Save scenario", QFileDialog.AcceptMode.AcceptSave, self.save_scenario_file)

    def _file_dialog(self, title: str, mode: QFileDialog.AcceptMode, on_selected) -> None:
        dialog = QFileDialog(self, title, "", "Scenario files (*.json);;All files (*)")
        dialog.setAcceptMode(mode)
        dialog.setDefaultSuffix("json")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(on_selected)
        self.file_dialog = dialog
        dialog.open()  # never exec(): the qasync loop must keep running

    def _show_message(self, kind: QMessageBox.Icon, title: str, text: str, details: str) -> None:
        box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
