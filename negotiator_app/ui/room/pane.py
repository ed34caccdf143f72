"""One room's pane: header and controls, live transcript, offers and chart, composer and outcome banner."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ...domain import RESUMABLE_STATES, BuyerMode, Message, RunState
from ...domain.names import normalize_name
from ...engine import InputError, RoomRunner, RunSnapshot
from .. import theme
from ..bridge import EngineBridge
from ..next_turn import after_paint
from ..theme import SpeakerColors
from .banner import OutcomeBanner
from .composer import Composer
from .controls import ControlState, RoomControls
from .force_dialog import ForceDecisionDialog
from .offers import OffersPanel
from .pane_events import RoomEvents
from .queued import QueuedMessages
from .transcript import WINDOW, TranscriptView

# The id of the stored run Resume would pick up, or None. Answered from memory (the host keeps each room's
# newest run state from one cheap query): refresh() runs on every event and must never wait on the disk.
ResumeProvider = Callable[[], str | None]
# Reads up to `limit` stored messages of a run older than `before_seq`, off the GUI thread, and hands them (or
# None when reading failed) to the callback on the loop: the host owns the read.
EarlierProvider = Callable[[str, int, int, Callable[[list[Message] | None], None]], None]
# A stored run opens with its newest messages only (a screenful and more): laying out 150 bubbles takes
# longer than a frame on a slow machine; the older ones come back when the reader scrolls up.
OPENING_WINDOW = 40
ENDED_TIP = "This negotiation has ended — press Run again"
STORED_TIP = "This is a stored run — press Run again to negotiate anew, or Resume interrupted"


class RoomPane(RoomEvents, QWidget):
    shown_state_changed = Signal(object)  # RunState: the live run's, or the stored run's when one is shown

    def __init__(self, runner: RoomRunner, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.bridge = runner, bridge
        self._order = {normalize_name(s.name): i for i, s in enumerate(runner.config.sellers)}
        self._resume_provider: ResumeProvider | None = None
        self._earlier_provider: EarlierProvider | None = None
        self._history: Any = None  # a stored run shown while the runner is idle
        self._unrendered: Any = None  # a stored run loaded while the pane was hidden: rendered when shown
        self._show_later = False  # see show_later()
        self._streams: dict[int, int] = {}  # stream id of the current run -> bubble key
        self._last_seq = 0
        self._detail = ""
        self._force_dialog: ForceDecisionDialog | None = None
        self._shown_state = RunState.IDLE
        item = runner.plan.item
        self.controls = RoomControls(f"<b>{item.name}</b> × {item.quantity}", self)
        self.transcript = TranscriptView(self._colors_of, self)
        self.transcript.sellers = list(runner.sellers)
        self.transcript.earlier_wanted.connect(self._read_earlier)
        self.offers = OffersPanel(runner.plan, {s: self._colors_of(s).accent for s in runner.sellers},
                                  runner.max_rounds, self)
        self.banner = OutcomeBanner(self)
        self.waiting = QLabel(self)  # "waiting for server (N s)" while a reply is silent; hidden otherwise
        self.waiting.setObjectName("waiting")
        self.waiting.hide()
        self.queued = QueuedMessages(runner.buyer, self)
        self.composer = Composer(self)
        self.composer.set_sellers(list(runner.sellers))
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.transcript, 1)
        column.addWidget(self.waiting)
        column.addWidget(self.banner)
        column.addWidget(self.queued)
        column.addWidget(self.composer)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.offers)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.controls)
        layout.addWidget(self.splitter, 1)
        self._connect()
        self.refresh()

    def _connect(self) -> None:
        b = self.controls.buttons
        b["start"].clicked.connect(lambda: self._start())
        b["again"].clicked.connect(lambda: self._start())
        b["pause"].clicked.connect(self.toggle_pause)
        b["stop"].clicked.connect(self.stop)
        b["force"].clicked.connect(self.open_force_dialog)
        b["resume"].clicked.connect(self.resume_interrupted)
        self.controls.mode_person.toggled.connect(
            lambda on: self.runner.set_mode(BuyerMode.PERSON if on else BuyerMode.AI))
        self.banner.retry_requested.connect(self.retry)
        self.composer.send_requested.connect(self.send)
        self.queued.withdraw_requested.connect(self.withdraw)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        channel = self.bridge.channel(self.runner.key)
        channel.event.connect(self._on_event)
        channel.streamed.connect(self._on_streamed)
        channel.task_failed.connect(self._task_failed)
        channel.running_changed.connect(lambda _running: self.refresh())

    def _task_failed(self, message: str) -> None:
        self.banner.show_error(message)
        self.refresh()

    # ----- public ---------------------------------------------------------------------------------

    def set_resume_provider(self, provider: ResumeProvider | None) -> None:
        self._resume_provider = provider
        self.refresh()

    def set_earlier_provider(self, provider: EarlierProvider | None) -> None:
        self._earlier_provider = provider

    def _read_earlier(self) -> None:
        """The reader scrolled up to stored messages that were not read: read a page of them."""
        record, before = self._history, self.transcript.oldest_seq()
        if record is None or before is None or self._earlier_provider is None:
            self.transcript.prepend_history(None)
            return

        def arrived(messages: list[Message] | None) -> None:
            if self._history is record:  # still the run shown (not replaced, no new run begun)
                self.transcript.prepend_history(messages, record.offers)

        self._earlier_provider(record.run_id, before, WINDOW, arrived)

    @property
    def shown_state(self) -> RunState:
        return self._shown_state

    def set_operator_view(self, on: bool) -> None:
        self.offers.set_operator_view(on)

    def set_compact(self, compact: bool) -> None:
        """Grid mode: transcript, composer and the main buttons only, so many rooms fit at once."""
        self.offers.setVisible(not compact)
        self.controls.set_compact(compact)

    def load_history(self, record: Any) -> None:
        """Show a stored run (anything with messages, offers, violations, outcome, state, rounds; with
        `earlier_messages` when only its newest messages were read)."""
        self._history = record
        self._clear()
        if self.parentWidget() is not None and not self.isVisibleTo(self.window()):
            self._unrendered = record  # a background tab: laid out when shown, so ten rooms open without a stall
        else:
            self._render_stored(record)
        state = RunState(record.state)
        if record.outcome is not None or state in (RunState.DECIDED, RunState.NO_DEAL):
            self._show_outcome(record.outcome)
        elif state == RunState.ERROR:
            self.banner.show_error("the stored run ended in an error", can_retry=self._resumable_run() is not None)
        self.refresh()

    # ----- controls -------------------------------------------------------------------------------

    def _start(self, opening: str | None = None, resume: RunSnapshot | None = None) -> bool:
        try:
            self.bridge.start_room(self.runner, opening=opening, resume=resume)
        except InputError as exc:
            self.composer.show_error(str(exc))
            return False
        self.refresh()
        return True

    def toggle_pause(self) -> None:
        self.runner.resume() if self.runner.paused else self.runner.pause()
        self.refresh()

    def stop(self) -> None:
        if self.bridge.task(self.runner.key) is not None:
            self.bridge.stop_room(self.runner.key)
        else:
            self.runner.stop()

    def open_force_dialog(self) -> ForceDecisionDialog:
        dialog = ForceDecisionDialog(self.runner, self)
        self._force_dialog = dialog
        dialog.finished.connect(lambda _result: self._forget_force_dialog(dialog))
        dialog.open()  # never exec(): no nested loop inside the asyncio-driven one
        return dialog

    def _refresh_force_dialog(self) -> None:
        if self._force_dialog is not None:
            self._force_dialog.refresh()

    def _forget_force_dialog(self, dialog: ForceDecisionDialog) -> None:
        if self._force_dialog is dialog:
            self._force_dialog = None

    def resume_interrupted(self) -> asyncio.Task | None:
        """Pick the stored run up again; its transcript is read and the run claimed off the GUI thread."""
        run_id = self._resumable_run()
        if run_id is None:
            return None
        return self.bridge.resume_stored(self.runner.key, run_id, on_error=self.composer.show_error,
                                         on_started=self.refresh)

    def retry(self) -> asyncio.Task | None:
        """After a fatal error: resume from storage if it has the run, else from what is in memory."""
        if self._resumable_run() is not None:
            return self.resume_interrupted()
        assert self.runner.run_id is not None  # Retry is offered only after a run has failed
        self._start(resume=RunSnapshot(
            run_id=self.runner.run_id, messages=list(self.runner.transcript), offers=list(self.runner.offer_history),
            violations=list(self.runner.violations), last_event_seq=self._last_seq))
        return None

    def send(self, text: str) -> None:
        runner = self.runner
        try:
            if runner.running:
                runner.send(text)
                if runner.state != RunState.AWAITING_PERSON:  # it waits for the current turn to end
                    self.queued.add(runner.validate_message(text))
            else:
                if self._history is not None or runner.state.finished:
                    raise InputError("This negotiation has ended. Press Run again to start a new one.")
                if not self._start(opening=runner.validate_message(text)):
                    return
        except InputError as exc:
            self.composer.show_error(str(exc))  # the text stays, so it can be fixed
            return
        self.composer.accepted()

    def withdraw(self, entry_id: int, text: str) -> None:
        """Take back a queued message: unless the engine sent it meanwhile, its text returns to the composer."""
        self.queued.remove(entry_id)
        if self.runner.withdraw(text):
            typed = self.composer.text().strip()
            self.composer.set_text(f"{typed}\n{text}" if typed else text)  # never drops what is being typed
        self.composer.edit.setFocus()

    def _resumable_run(self) -> str | None:
        return self._resume_provider() if self._resume_provider is not None else None

    # ----- showing -------------------------------------------------------------------------------

    def catch_up(self) -> None:
        """Hand the stored run loaded while the pane was hidden to the transcript (which lays it out once shown)."""
        if self._unrendered is not None:
            record, self._unrendered = self._unrendered, None
            self._render_stored(record)

    def show_later(self) -> None:
        """When next shown, lay out what waits (a stored run, text streamed while hidden) in the loop turns after
        the first paint, a slice per turn, not before it: ten panes shown at once (the grid) would be one long
        stall."""
        self._show_later = True
        self.transcript.show_later()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._show_later:
            self._show_later = False
            after_paint(self, self.catch_up)
        else:
            self.catch_up()  # before the first paint, so the shown tab is never behind
        super().showEvent(event)

    # ----- rendering ------------------------------------------------------------------------------

    def _clear(self) -> None:
        self._unrendered = None
        self._streams.clear()
        self.transcript.clear_all()
        self.offers.clear()
        self.banner.clear()
        self.queued.take_all()

    def _render_stored(self, record: Any) -> None:
        self.transcript.add_history(record.messages, record.offers, record.violations, OPENING_WINDOW,
                                    getattr(record, "earlier_messages", 0), sliced=True)
        if not self.isVisible():
            self.offers.set_offers(list(record.offers))
            return
        # On screen, the offers table and chart follow after the transcript's first paint: laid out and
        # painted in the same loop turn, the two would stall the window as one.
        after_paint(self, lambda: self._show_stored_offers(record))

    def _show_stored_offers(self, record: Any) -> None:
        if self._history is record:  # still the run shown: not replaced, no new run begun
            self.offers.set_offers(list(record.offers))

    def _render_existing(self, messages, offers, violations, window: int = WINDOW, unread: int = 0) -> None:
        # The newest; older on scroll-up. Laid out a slice per loop turn, so ten rooms opening never stall.
        self.transcript.add_history(messages, offers, violations, window, unread, sliced=True)
        self.offers.set_offers(list(offers))

    def _show_outcome(self, outcome) -> None:
        seller = self.runner.plan.seller(outcome.seller) if outcome is not None and outcome.seller else None
        self.banner.show_outcome(outcome, seller.stock.selling_price if seller else None)

    def _colors_of(self, sender: str) -> SpeakerColors:
        index = self._order.get(normalize_name(sender))
        if index is None:
            return theme.buyer_colors(self.palette())
        return theme.seller_colors(index, self.palette())

    def refresh(self) -> None:
        runner = self.runner
        stored = self._history is not None and not runner.running
        state = RunState(self._history.state) if stored else runner.state
        round_ = self._history.rounds if stored else runner.round
        # A finished run's task may still be unwinding for a moment: the controls treat it as ended.
        running = runner.running and not state.finished
        has_resume = (not running and state in (*RESUMABLE_STATES, RunState.IDLE)
                      and self._resumable_run() is not None)
        if state != self._shown_state:
            self._shown_state = state
            self.shown_state_changed.emit(state)
        self.controls.apply(ControlState(state, running, runner.paused, has_resume), round_,
                            runner.max_rounds, self._detail if state == RunState.AWAITING_PERSON else "")
        self.controls.mode_person.blockSignals(True)
        self.controls.mode_person.setChecked(runner.mode == BuyerMode.PERSON)
        self.controls.mode_ai.setChecked(runner.mode == BuyerMode.AI)
        self.controls.mode_person.blockSignals(False)
        if stored:
            self.composer.set_blocked(STORED_TIP)
        elif not running and state.finished:
            self.composer.set_blocked(ENDED_TIP)
        else:
            self.composer.set_blocked(None)
