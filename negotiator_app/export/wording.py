"""A session's results in words, shared by the summary view and the Markdown export."""
from __future__ import annotations

from ..domain import money, percent_points
from .summary import ItemRow, SessionMetrics

STATUS_WORDS = {"bought": "Deal", "not_bought": "No deal", "stopped": "Stopped", "interrupted": "Interrupted",
                "error": "Error", "running": "Running", "not_run": "Not run yet", "skipped": "Skipped"}
RESULT_COLUMNS = ["Item", "Outcome", "Seller", "Price / unit", "Qty", "Total", "Saving vs ask", "Rounds"]


def status_words(row: ItemRow) -> str:
    """The item's result: a stopped run says "Stopped", never "No deal"."""
    if row.status == "skipped" and row.skip_reason:
        return f"Skipped: {row.skip_reason.split(': ', 1)[-1]}"
    return STATUS_WORDS.get(row.status, row.status)


def _num(value: float | None) -> str:
    return "—" if value is None else money(value)


def result_cells(row: ItemRow) -> list[str]:
    """One line of the results table, in RESULT_COLUMNS order."""
    latest = row.latest
    bought = latest if latest is not None and latest.bought else None
    return [row.item, status_words(row), (latest.seller if latest else None) or "—",
            _num(bought.price_per_unit if bought else None),
            str(bought.quantity if bought else row.quantity),
            _num(bought.total if bought else None),
            _num(bought.savings_total if bought else None),
            str(latest.rounds) if latest else "—"]


def totals_text(m: SessionMetrics) -> str:
    saving = f" — saved {money(m.total_savings)} against the asks" if m.total_asking else ""
    pct = f" ({percent_points(m.savings_pct)})" if m.savings_pct is not None else ""
    return f"Bought {m.items_bought} of {len(m.items)} items for {money(m.total_spent)}{saving}{pct}."
