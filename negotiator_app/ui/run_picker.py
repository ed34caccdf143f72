"""A room's run picker: which stored run its pane shows, the latest by default, earlier ones read-only."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from ..storage import RunSummary
from .room.controls import STATE_TEXT


def run_label(number: int, run: RunSummary) -> str:
    when = run.started_at.astimezone().strftime("%d %b %H:%M")
    return f"Run {number} · {STATE_TEXT.get(run.state, str(run.state))} · {when}"


class RunPicker(QComboBox):
    """Lists a room's runs, newest first; shown once there is an earlier run to look at."""

    run_chosen = Signal(str, bool)  # run id, is it the latest run

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Which run of this room is shown: the latest, or an earlier one (read-only)")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setVisible(False)
        self.currentIndexChanged.connect(self._chosen)

    def set_runs(self, runs: list[RunSummary]) -> None:
        """`runs` newest first, as the store lists them; the latest is selected."""
        self.blockSignals(True)
        try:
            self.clear()
            for i, run in enumerate(runs):
                label = run_label(len(runs) - i, run) + (" (latest)" if i == 0 else "")
                self.addItem(label, run.run_id)
            self.setCurrentIndex(0)
        finally:
            self.blockSignals(False)
        self.setVisible(len(runs) > 1)

    def showing_latest(self) -> bool:
        return self.currentIndex() <= 0

    def show_latest(self) -> None:
        """Back to the latest run without asking for it to be loaded (a new run is being shown live)."""
        self.blockSignals(True)
        self.setCurrentIndex(0)
        self.blockSignals(False)

    def _chosen(self, index: int) -> None:
        if index >= 0:
            self.run_chosen.emit(self.itemData(index), index == 0)
