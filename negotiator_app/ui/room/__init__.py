"""A room's pane: live transcript, offers chart, controls, composer and the force-decision dialog.

Names are imported on first use: the summary's charts and the run picker need a room's small parts (chart,
state texts) before a session, and so the engine and the runtime the pane needs, is loaded."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...lazy_names import name_loader

if TYPE_CHECKING:
    from .force_dialog import ForceDecisionDialog
    from .pane import RoomPane
    from .transcript import TranscriptView

__all__ = ["ForceDecisionDialog", "RoomPane", "TranscriptView"]
__getattr__ = name_loader(__name__, {"force_dialog": ["ForceDecisionDialog"], "pane": ["RoomPane"],
                                     "transcript": ["TranscriptView"]}, globals())
