"""Live preview of the rooms a configuration makes: who negotiates which item, what is skipped and why."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ...domain import SessionConfig, SessionPlan, plan_rooms, money


def describe_plan(plan: SessionPlan) -> list[str]:
    """Plain lines (tests and screen readers read these): one per room, one per skipped item."""
    lines = []
    for room in plan.rooms:
        names = ", ".join(room.seller_names)
        lines.append(f"Room {room.index + 1}: {room.item.name} ×{room.item.quantity} — {names}")
    for skipped in plan.skipped:
        lines.append(f"Skipped: {skipped.item.name} — {skipped.detail}")
    return lines


class RoomPreview(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.lines: list[str] = []
        self.show_invalid()

    def show_invalid(self) -> None:
        self.lines = []
        self.setText("<i>Fix the problems listed below to see which rooms this session makes.</i>")

    def show_unfinished(self) -> None:
        self.lines = []
        self.setText("<i>Fill in the shopping list and the sellers' stock to see which rooms this session makes."
                     "</i>")

    def show_config(self, config: SessionConfig) -> None:
        plan = plan_rooms(config)
        self.lines = describe_plan(plan)
        parts = []
        if plan.rooms:
            parts.append(f"<b>{len(plan.rooms)} room{'s' if len(plan.rooms) != 1 else ''}</b><ul>")
            for room in plan.rooms:
                sellers = ", ".join(
                    f"{escape(s.name)} <span style='color:gray'>(asks {money(s.stock.selling_price)}, "
                    f"{s.stock.quantity_available} in stock)</span>" for s in room.sellers)
                parts.append(f"<li><b>{escape(room.item.name)}</b> ×{room.item.quantity}: {sellers}</li>")
            parts.append("</ul>")
        else:
            parts.append("<b>No room</b>: no item can be negotiated with these sellers.")
        if plan.skipped:
            parts.append(f"<b>Skipped ({len(plan.skipped)})</b><ul>")
            for skipped in plan.skipped:
                parts.append(f"<li>{escape(skipped.item.name)}: {escape(skipped.detail)}</li>")
            parts.append("</ul>")
        self.setText("".join(parts))
