"""A room's pane: live transcript, offers chart, controls, composer and the force-decision dialog."""
from .force_dialog import ForceDecisionDialog
from .pane import RoomPane
from .transcript import TranscriptView

__all__ = ["ForceDecisionDialog", "RoomPane", "TranscriptView"]
