"""A readable Markdown transcript of one run: who said what to whom, offers, violations, outcome, numbers."""
from __future__ import annotations

import math

from ..domain import Role, money, percent, percent_points
from ..storage import Debrief, RunRecord, Store
from .metrics import RunMetrics, run_metrics


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
    offers_by_seq = {}
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
        title = "Session" if d.is_session else f"{d.item} ({d.room_key}, run `{d.run_id}`)"
        lines += [f"### {title}", "", d.text, "",
                  f"_Written by the model `{d.model}` on {d.created_at:%Y-%m-%d %H:%M} UTC; "
                  "the numbers it was given were computed by Negotiator._"]
        if d.unknown_citations:
            lines.append(f"_Cites messages that do not exist in that run: {', '.join(d.unknown_citations)}._")
        lines.append("")
    return "\n".join(lines)


def session_markdown(store: Store, session_id: int) -> str:
    """The AI debrief (when one was written), then every run's transcript, latest run of each room first."""
    runs = store.list_runs(session_id)
    name = store.get_session(session_id).name
    debriefs = store.load_debriefs(session_id)
    parts = [f"# {name}\n"] + ([render_debriefs(debriefs)] if debriefs else [])
    parts += [render_run(store.load_run(r.run_id)).replace("\n# ", "\n## ", 1) for r in runs]
    return "\n\n".join(parts) if runs else parts[0] + "\nNo runs yet.\n"
