"""A room pane's engine events: each event the bridge hands over becomes an edit of the transcript, the offers,
the banner or the queue (mixed into RoomPane, which owns those widgets)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, QTimer

from ...domain import DecidedBy, Decision, RunState
from ...engine import events as ev
from .bubble import disclosure_line
from .force_dialog import DEFAULT_NO_DEAL_REASON

if TYPE_CHECKING:
    from ...engine import RoomRunner
    from .banner import OutcomeBanner
    from .composer import Composer
    from .force_dialog import ForceDecisionDialog
    from .offers import OffersPanel
    from .queued import QueuedMessages
    from .transcript import TranscriptView
    from PySide6.QtWidgets import QLabel


class RoomEvents:
    """The `_on_<Event>` handlers of RoomPane, dispatched by `_on_event`."""

    if TYPE_CHECKING:  # RoomPane's, used here
        runner: RoomRunner
        transcript: TranscriptView
        offers: OffersPanel
        banner: OutcomeBanner
        queued: QueuedMessages
        composer: Composer
        waiting: QLabel
        _force_dialog: ForceDecisionDialog | None
        _history: Any
        _streams: dict[int, int]
        _last_seq: int
        _detail: str

        def catch_up(self) -> None: ...
        def refresh(self) -> None: ...
        def _clear(self) -> None: ...
        def _refresh_force_dialog(self) -> None: ...
        def _render_existing(self, messages, offers, violations) -> None: ...
        def _show_outcome(self, outcome) -> None: ...

    def _on_event(self, event: ev.Event) -> None:
        if not isinstance(event, ev.RunStarted):  # a new run clears the stored one: never lay it out first
            self.catch_up()
        self.waiting.setVisible(isinstance(event, ev.Waiting))  # any other news ends the silence
        if event.run_id == self.runner.run_id:
            self._last_seq = max(self._last_seq, event.seq)
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)
        if self._force_dialog is not None:
            # It follows offers that arrive, and the run ending, while open. Read once the engine has
            # finished this step: an offer's event comes before the offer stands.
            QTimer.singleShot(0, cast("QObject", self), self._refresh_force_dialog)
        self.refresh()

    def _on_RunStarted(self, event: ev.RunStarted) -> None:
        self._history = None
        self._clear()
        self._last_seq = event.seq
        if event.resumed:
            r = self.runner
            self._render_existing(r.transcript, r.offer_history, r.violations)
            self.transcript.add_note(f"— resumed in round {event.from_round} —")

    def _on_Waiting(self, event: ev.Waiting) -> None:
        self.waiting.setText(f"waiting for server ({event.seconds} s): no word from {event.agent} yet")

    def _on_StateChanged(self, event: ev.StateChanged) -> None:
        self._detail = event.detail

    def _on_MessageStarted(self, event: ev.MessageStarted) -> None:
        self._streams[event.stream_id] = self.transcript.begin_message(
            event.sender, event.role, event.round, event.recipients)

    def _on_streamed(self, batch: list[tuple[int, str, bool]]) -> None:
        self.waiting.hide()  # the server speaks again
        self._apply_streamed(batch)  # a hidden transcript keeps it for when it is shown

    def _apply_streamed(self, batch: list[tuple[int, str, bool]]) -> None:
        for stream_id, text, reasoning in batch:  # the transcript lays out a loop turn's edits once
            key = self._streams.get(stream_id)
            if key is None:
                continue
            if reasoning:
                self.transcript.append_reasoning(key, text)
            else:
                self.transcript.append_text(key, text)

    def _on_MessageCompleted(self, event: ev.MessageCompleted) -> None:
        if event.message.typed_by_person:
            self.queued.pop_sent(event.message.text)  # the queued bubble becomes the real message
        key = self._streams.pop(event.stream_id, None)
        if key is None:
            self.transcript.add_message(event.message)
        else:
            self.transcript.complete(key, event.message)

    def _on_MessageDiscarded(self, event: ev.MessageDiscarded) -> None:
        key = self._streams.pop(event.stream_id, None)
        if key is not None:
            self.transcript.discard(key, event.reason)

    def _on_OfferMade(self, event: ev.OfferMade) -> None:
        self.transcript.attach_offer(event.offer)
        self.offers.add_offer(event.offer)

    def _on_ViolationRecorded(self, event: ev.ViolationRecorded) -> None:
        self.transcript.attach_violation(event.violation)

    def _on_DisclosureMade(self, event: ev.DisclosureMade) -> None:
        self.transcript.attach_disclosure(event.message_seq, disclosure_line(event.secret, event.text))

    def _on_SellerSilent(self, event: ev.SellerSilent) -> None:
        self.transcript.add_note(f"{event.seller} did not answer in round {event.round}: {event.reason}")

    def _on_DecisionMade(self, event: ev.DecisionMade) -> None:
        if event.decision == Decision.REFUSED:
            self.transcript.add_note(f"The buyer's acceptance of {event.seller} was refused: {event.reason}", "violation")
        elif event.by == DecidedBy.FORCED:
            person_reason = event.reason if event.reason not in ("", "accepted by the person", DEFAULT_NO_DEAL_REASON) else ""
            self.transcript.add_note("Decision forced by you" + (f": {person_reason}" if person_reason else ""))

    def _on_ErrorRaised(self, event: ev.ErrorRaised) -> None:
        if event.fatal:
            self.banner.show_error(event.message)
        self.transcript.add_note(("⚠ " if event.fatal else "") + event.message, "error")

    def _on_RunFinished(self, event: ev.RunFinished) -> None:
        unsent = self.queued.take_all()
        if unsent:
            typed = self.composer.text().strip()
            self.composer.set_text("\n".join([typed, *unsent] if typed else unsent))
            self.transcript.add_note("Your queued message was not sent: the negotiation ended first. "
                                     "Its text is back in the composer.")
        if event.state in (RunState.DECIDED, RunState.NO_DEAL):
            self._show_outcome(event.outcome)
        elif event.state == RunState.STOPPED:
            self.transcript.add_note("Stopped by you — everything said so far is kept")
