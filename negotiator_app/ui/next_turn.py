"""Work split over event-loop turns runs its next slice after the paint that the current slice asked for."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


def after_paint(owner: QObject, callback: Callable[[], object]) -> None:
    """Call `callback` in a later loop turn, after the events queued now (a pending paint is one of them).

    QTimer.singleShot(0) is itself a queued event, and a paint request is queued at low priority: a slice
    scheduled that way runs before the paint of the previous one, so the two stall the window as one. A
    zero-interval timer fires after the queued events. Nothing is called once `owner` is deleted."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(0)
    timer.timeout.connect(callback)
    timer.timeout.connect(timer.deleteLater)
    timer.start()
