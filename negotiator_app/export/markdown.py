"""Readable Markdown: one run's transcript (who said what to whom, offers, violations, outcome, numbers), and a
session's totals followed by its runs."""
from __future__ import annotations

import math

from ..domain import Offer, Role, money, percent, percent_points
from ..storage import Debrief, RunRecord, Store
from .metrics import RunMetrics, run_metrics
from .summary import SessionMetrics, session_metrics
from .wording import RESULT_COLUMNS, result_cells, totals_text


def _price(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else money(value)


def render_run(record: RunRecord, metrics: RunMetrics | None = None) -> str:
    m = metrics or run_metrics(record)
    lines = [
        f"# {record.item} × {record.quantity}",
        "",
        f"- Run `{record.run_id}` in {record.room_key}, model `{record.model or '?'}`",
        f"- Started {record.started_at:%Y-%m-%d %H:%M:%S} UTC"
        + (f", finished {record.finished_at:%H:%M:%S}" if record.finished_at else "")
        + f"; state **{record.state.value}** after {record.rounds} of {record.max_rounds} rounds",
        f"- Buyer: {record.config.buyer.name}; sellers: {', '.join(p for p in record.participants if p != record.config.buyer.name)}",
        "",
        "## Transcript",
        "",
    ]
    offers_by_seq: dict[int | None, list[Offer]] = {}
    for offer in record.offers:
        offers_by_seq.setdefault(offer.message_seq, []).append(offer)
    for msg in record.messages:
        to = "everyone" if msg.role == Role.BUYER and len(msg.recipients) > 1 else ", ".join(msg.recipients)
        tags = [t for t, on in (("typed by the person", msg.typed_by_person), ("interrupted", msg.interrupted)) if on]
        head = f"**{msg.sender}** → {to} · round {msg.round} · {msg.created_at:%H:%M:%S}"
        lines.append(head + (f" · _{', '.join(tags)}_" if tags else ""))
        lines.append("")
        lines.extend(f"> {line}" if line else ">" for line in msg.text.splitlines() or [""])
        for offer in offers_by_seq.get(msg.seq, []):
            state = "binding" if offer.binding else "NOT binding"
            lines.append(f">\n> _Offer: {_price(offer.price_per_unit)} per unit × {offer.quantity} ({state})_")
        lines.append("")
    if record.violations:
        lines += ["## Violations", ""]
        lines += [f"- Round {v.round}, {v.agent}: {v.kind.value} — {v.attempted}; limit: {v.limit}"
                  for v in record.violations]
        lines.append("")
    lines += ["## Outcome", ""]
    outcome = record.outcome
    if outcome is None:
        lines.append(f"No outcome: the run is {record.state.value}.")
    elif outcome.kind.value == "deal":
        lines.append(f"**Deal** with {outcome.seller}: {_price(outcome.price_per_unit)} per unit × {outcome.quantity}"
                     f" = {_price(outcome.total)}. {outcome.reason}")
    else:
        lines.append(f"**No deal**: {outcome.reason}")
    lines += [
        "", "## Numbers", "",
        "| | |", "|---|---|",
        f"| Asking price (winner) | {_price(m.asking_price)} |",
        f"| Savings | {_price(m.savings_total)} ({percent_points(m.savings_pct)}) |",
        f"| Price between floor and max | {percent(m.price_position)} |",
        f"| Buyer's share of the surplus | {percent(m.buyer_surplus_share)} |",
        f"| Went to the lowest floor | {'—' if m.went_to_lowest_floor is None else ('yes' if m.went_to_lowest_floor else 'no')} |",
        f"| Messages | {m.messages} |",
        f"| Violations | {m.violations} |",
        f"| Parse failures | {m.parse_failures} |",
        f"| Tokens (prompt / completion) | {m.prompt_tokens} / {m.completion_tokens} |",
        "",
    ]
    return "\n".join(lines)


def run_markdown(store: Store, run_id: str) -> str:
    return render_run(store.load_run(run_id))


def render_debriefs(debriefs: list[Debrief]) -> str:
    """The stored AI debriefs: the session's, then each item's, with the model and any unknown citations."""
    lines = ["## AI debrief", ""]
    for d in debriefs:
        title = "Session" if d.is_session else d.item
        lines += [f"### {title}", "", d.text, ""]
        if not d.is_session:
            lines += [f"_About run `{d.run_id}` of this item._"]
        lines.append(f"_Written by the model `{d.model}` on {d.created_at:%Y-%m-%d %H:%M} UTC; "
                     "the numbers it was given were computed by Negotiator._")
        if d.unknown_citations:
            lines.append(f"_Cites messages that do not exist in that run: {', '.join(d.unknown_citations)}._")
        lines.append("")
    return "\n".join(lines)


def _demote(markdown: str, levels: int) -> str:
    """Push a run's headings down under the session's (message text is quoted, so only headings start with #)."""
    return "\n".join("#" * levels + line if line.startswith("#") else line for line in markdown.splitlines())


def render_totals(m: SessionMetrics) -> str:
    """The session's totals as the summary view shows them: the sentence, then one line per item."""
    lines = ["## Totals", "", totals_text(m), "",
             "| " + " | ".join(RESULT_COLUMNS) + " |", "|" + "---|" * len(RESULT_COLUMNS)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in result_cells(row)) + " |" for row in m.items]
    lines += ["", "The totals count the latest run of each room; earlier runs are listed at the end.", ""]
    return "\n".join(lines)


def session_markdown(store: Store, session_id: int) -> str:
    """Totals first, then the AI debrief (when one was written), the latest run of each room, and the earlier
    runs under their own heading."""
    runs = store.list_runs(session_id)  # newest first
    name = store.get_session(session_id).name
    if not runs:
        return f"# {name}\n\nNo runs yet.\n"
    debriefs = store.load_debriefs(session_id)
    latest: dict[str, str] = {}
    for r in runs:
        latest.setdefault(r.room_key, r.run_id)
    metrics = session_metrics(store, session_id)
    order = {row.room_key: row.index for row in metrics.items if row.room_key}
    current = sorted(latest.items(), key=lambda kv: order.get(kv[0], len(order)))
    earlier = [r for r in runs if latest[r.room_key] != r.run_id]
    parts = [f"# {name}", render_totals(metrics)] + ([render_debriefs(debriefs)] if debriefs else [])
    parts.append("## Latest run of each room")
    parts += [_demote(render_run(store.load_run(run_id)), 2) for _key, run_id in current]
    if earlier:
        parts.append("## Earlier runs (replaced by a later run; not counted in the totals)")
        parts += [_demote(render_run(store.load_run(r.run_id)), 2).replace("### ", "### Earlier run: ", 1)
                  for r in sorted(earlier, key=lambda r: (order.get(r.room_key, len(order)), r.started_at))]
    return "\n\n".join(part.strip("\n") for part in parts) + "\n"
