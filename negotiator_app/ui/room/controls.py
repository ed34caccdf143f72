"""The room header (item, round, state) and its control buttons, each enabled only when it makes sense."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QRadioButton, QVBoxLayout, QWidget

from ...domain import RESUMABLE_STATES, RunState

STATE_TEXT = {
    RunState.IDLE: "idle",
    RunState.RUNNING: "running",
    RunState.PAUSED: "paused",
    RunState.WAITING: "waiting for server",
    RunState.AWAITING_PERSON: "your turn",
    RunState.DECIDED: "decided",
    RunState.NO_DEAL: "no deal",
    RunState.STOPPED: "stopped",
    RunState.INTERRUPTED: "interrupted",
    RunState.ERROR: "error",
}


@dataclass
class ControlState:
    """Everything the buttons depend on, so the enabling rules are one pure function."""

    state: RunState
    running: bool
    paused: bool
    has_resume: bool  # a resume provider gave a snapshot of this room's last run


def enabled_buttons(s: ControlState) -> dict[str, tuple[bool, str]]:
    """name -> (enabled, tooltip that says what it does or why it is off)."""
    never_ran = s.state == RunState.IDLE and not s.running
    return {
        "start": (never_ran, "Start the negotiation" if never_ran else "Already started: use Run again for a new run"),
        "pause": (s.running, ("Resume the negotiation" if s.paused else "Pause at the next turn")
                  if s.running else "Nothing is running"),
        "stop": (s.running, "Stop now; what was said is kept (Esc)" if s.running else "Nothing is running"),
        "force": (s.running, "Accept an offer, let the buyer decide now, or end with no deal"
                  if s.running else "Start the negotiation first"),
        "again": (not s.running and s.state.finished, "Start a new run in this room"
                  if not s.running and s.state.finished else "Available when the run has ended"),
        "resume": (not s.running and s.has_resume and s.state in (*RESUMABLE_STATES, RunState.IDLE),
                   "Pick the interrupted run up where it stopped" if s.has_resume
                   else "No stopped or interrupted run to resume"),
    }


BUTTON_TEXTS = {  # name -> (label in a tab, shorter label in the grid)
    "start": ("Start", "Start"), "pause": ("Pause", "Pause"), "stop": ("Stop", "Stop"),
    "force": ("Force decision…", "Force…"), "again": ("Run again", "Again"), "resume": ("Resume interrupted", "Resume"),
}


class RoomControls(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.round_label = QLabel(self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("stateLabel")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.round_label)
        header.addSpacing(12)
        header.addWidget(self.state_label)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        self.compact = False
        self._shown: tuple | None = None  # the arguments of the last apply()
        for name, (text, _short) in BUTTON_TEXTS.items():
            button = QPushButton(text, self)
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        self.mode_label = QLabel("Buyer:", self)
        self.mode_ai = QRadioButton("AI", self)
        self.mode_person = QRadioButton("Person", self)
        self.mode_ai.setToolTip("The buyer agent speaks and decides; you may still type messages")
        self.mode_person.setToolTip("You speak for the buyer: each round waits for your message")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.mode_ai)
        self.mode_group.addButton(self.mode_person)
        self.mode_ai.setChecked(True)
        # In the header row, not beside the buttons: the pane stays narrow enough for a 1024 px window.
        header.insertSpacing(1, 12)
        for position, widget in enumerate((self.mode_label, self.mode_ai, self.mode_person), start=2):
            header.insertWidget(position, widget)
        self.header = header
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addLayout(row)

    def add_header_widget(self, widget: QWidget) -> None:
        """A widget beside the title (the window's run picker)."""
        self.header.insertWidget(1, widget)

    def set_compact(self, compact: bool) -> None:
        """Grid mode offers every control of the tab view, with shorter labels so a grid cell holds them."""
        self.compact = compact
        for name, (full, short) in BUTTON_TEXTS.items():
            if name != "pause":  # Pause/Resume follows the run in apply()
                self.buttons[name].setText(short if compact else full)
        self.mode_label.setVisible(not compact)

    def apply(self, s: ControlState, round_: int, max_rounds: int, detail: str = "") -> None:
        shown = (s, round_, max_rounds, detail)
        if shown == self._shown:
            return  # the pane refreshes on every event: unchanged controls cost no tooltip or label update
        self._shown = shown
        for name, (enabled, tip) in enabled_buttons(s).items():
            self.buttons[name].setEnabled(enabled)
            self.buttons[name].setToolTip(tip)
        self.buttons["pause"].setText("Resume" if s.paused else "Pause")
        self.round_label.setText(f"Round {round_} / {max_rounds}")
        text = STATE_TEXT.get(s.state, str(s.state))
        if s.paused and s.running and s.state != RunState.PAUSED:
            text = "pausing…"  # takes effect at the next turn boundary
        self.state_label.setText(f"<b>{text}</b>")
        self.state_label.setToolTip(detail or text)
