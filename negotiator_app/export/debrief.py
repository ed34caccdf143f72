"""The AI debrief: on request the local model explains each item's negotiation and the session, citing
message numbers; every number it is given is computed here in code (metrics.py), never by the model.

Decisions (see also the tests in tests/export/test_debrief.py):
- Source: the latest run of each room (the one the summary shows). Rooms never run get no debrief.
- Operator's view: the prompt holds private numbers (floors, asks, the buyer's max), like the JSON log.
- The metrics go in as FACTS the model must use as given; it is asked for 3–6 sentences citing "#N".
- One user message, no system message (some servers drop system messages; see engine/context.py).
- The transcript is cut to the context budget: the opening messages and as many of the latest as fit,
  with a line saying which numbers were left out; each message is cut at MESSAGE_CHARS.
- Hidden reasoning is neither shown to the model nor kept: only ChatResult.content becomes the debrief.
- All or nothing: any failure (server error, empty reply) raises DebriefError and nothing is stored, so the
  previous debriefs stay; success replaces the whole set (regenerate = replace).
- Citation check: every "#N" (optionally "room-K #N") is looked up in the run it talks about; numbers that do
  not exist are kept in the text and listed in `unknown_citations`, so a reader can see the model slipped.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..domain import Role, money, percent, percent_points, plan_rooms
from ..engine.context import estimate_tokens
from ..llm import ChatRequest, LLMClient, LLMError, choose_model
from ..storage import Debrief, RunRecord, Store
from .metrics import RunMetrics, run_metrics
from .summary import SessionMetrics, session_metrics

REPLY_TOKENS = 700  # room for a short debrief, and for a reasoning model's thinking before it
TEMPERATURE = 0.3  # a debrief reports; it should not improvise
MESSAGE_CHARS = 600
MAX_DEBRIEF_CHARS = 4000  # a runaway reply is cut, not refused
KEEP_OPENING = 2  # messages always kept at the start of a long transcript
CITATION = re.compile(r"(?<![\w-])(?:(room-[1-9]\d*)\s*)?#(\d+)\b")
Progress = Callable[[str], None]
T = TypeVar("T")
OnStore = Callable[[Callable[[], Any]], Awaitable[Any]]  # runs one store call, maybe on another thread


class DebriefError(Exception):
    """The debrief could not be written; `user_message` says why and what to do. Nothing was stored.
    `reason`: "no_runs" (nothing to debrief), "server" (the model server failed) or "bad_output"."""

    def __init__(self, user_message: str, reason: str = "bad_output") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.reason = reason


def latest_runs(store: Store, session_id: int) -> list[RunRecord]:
    """The newest run of each room, in room order."""
    newest: dict[str, str] = {}
    for summary in store.list_runs(session_id):  # newest first
        newest.setdefault(summary.room_key, summary.run_id)
    return [store.load_run(newest[key]) for key in sorted(newest, key=lambda k: int(k.split("-")[1]))]


# ----- prompts ----------------------------------------------------------------------------------

def _p(value: float | None) -> str:
    return "n/a" if value is None else money(value)


def transcript_lines(record: RunRecord) -> list[str]:
    """One numbered line per message ("#3 r1 Acme → Pat: ..."), with the offer it carried."""
    buyer = record.config.buyer.name
    sellers = [p for p in record.participants if p != buyer]
    offers: dict[int, list[str]] = {}
    for o in record.offers:
        state = "binding" if o.binding else "NOT binding"
        offers.setdefault(o.message_seq, []).append(f"[offer {_p(o.price_per_unit)}/unit × {o.quantity}, {state}]")
    lines = []
    for m in record.messages:
        to = "everyone" if m.role == Role.BUYER and set(m.recipients) >= set(sellers) and len(sellers) > 1 \
            else ", ".join(m.recipients)
        text = " ".join(m.text.split())
        if len(text) > MESSAGE_CHARS:
            text = text[:MESSAGE_CHARS] + "…"
        tail = "".join(" " + o for o in offers.get(m.seq, []))
        lines.append(f"#{m.seq} r{m.round} {m.sender} → {to}: {text}{tail}")
    return lines


def _fit_transcript(lines: list[str], budget_tokens: int) -> list[str]:
    """The opening lines and as many of the latest as fit in the budget, saying which numbers were cut."""
    def cost(chunk: list[str]) -> int:
        return estimate_tokens([{"content": "\n".join(chunk)}])

    if cost(lines) <= budget_tokens:
        return lines
    head = lines[:KEEP_OPENING]
    tail: list[str] = []
    for line in reversed(lines[KEEP_OPENING:]):
        if cost(head + tail + [line, "[#0000–#0000 omitted]"]) > budget_tokens:
            break
        tail.insert(0, line)
    omitted = lines[len(head):len(lines) - len(tail)]
    if not omitted:
        return head + tail
    first, last = omitted[0].split(" ", 1)[0], omitted[-1].split(" ", 1)[0]
    return head + [f"[{first}–{last} omitted for length: {len(omitted)} messages]"] + tail


def _facts(record: RunRecord, m: RunMetrics) -> list[str]:
    outcome = record.outcome
    if outcome is None:
        result = f"no outcome: the run ended as '{record.state.value}'"
    elif m.bought:
        result = f"DEAL with {m.seller} at {_p(m.price_per_unit)} per unit × {outcome.quantity} = {_p(m.total)}"
        result += f" ({outcome.reason})" if outcome.reason else ""
    else:
        result = f"NO DEAL ({outcome.reason or 'no reason given'})"
    facts = [
        f"Outcome: {result}",
        f"Rounds used: {m.rounds} of {record.max_rounds}; messages: {m.messages}",
    ]
    if m.bought:
        facts += [
            f"Winning seller's ask: {_p(m.asking_price)}; floor: {_p(m.winning_floor)}",
            f"Saving against the ask: {_p(m.savings_per_unit)} per unit, {_p(m.savings_total)} in total"
            + (f" ({percent_points(m.savings_pct)})" if m.savings_pct is not None else ""),
            f"Where the price landed between the winner's floor (0%) and the buyer's max (100%): "
            f"{percent(m.price_position, missing="n/a")}",
            f"Buyer's share of the surplus (max − price) / (max − floor): {percent(m.buyer_surplus_share, missing="n/a")}",
            "Bought from the seller with the lowest floor: "
            + ("n/a" if m.went_to_lowest_floor is None else ("yes" if m.went_to_lowest_floor else "no")),
        ]
    facts.append(f"Lowest floor in the room: {', '.join(m.lowest_floor_sellers) or 'n/a'}")
    if record.violations:
        facts.append("Rule violations: " + "; ".join(
            f"{v.agent} {v.kind.value.replace('_', ' ')} ({v.attempted}; limit {v.limit})"
            + (f" at #{v.message_seq}" if v.message_seq else "") for v in record.violations))
    else:
        facts.append("Rule violations: none")
    if m.parse_failures:
        facts.append(f"Unreadable model replies: {m.parse_failures}")
    return facts


def item_prompt(record: RunRecord, metrics: RunMetrics | None = None, *, context_tokens: int | None = None,
                reply_tokens: int = REPLY_TOKENS) -> str:
    """The whole request for one item's debrief: setting, private numbers, numbered transcript, facts."""
    m = metrics or run_metrics(record)
    config = record.config
    plan = next((p for p in plan_rooms(config).rooms if p.key == record.room_key), None)
    item = plan.item if plan else None
    buyer = config.buyer.name
    sellers = []
    for name in (p for p in record.participants if p != buyer):
        stock = next((s.stock for s in plan.sellers if s.name == name), None) if plan else None
        if stock is None:
            sellers.append(f"- {name}: (no longer configured)")
            continue
        profile = config.seller(name).profile
        sellers.append(f"- {name}: floor {_p(stock.least_price)}, ask {_p(stock.selling_price)}, "
                       f"{stock.quantity_available} in stock; priority {profile.priority.value}, "
                       f"style {profile.speaking_style.value}")
    head = "\n".join([
        "You are reviewing a finished negotiation between AI agents for the person who ran it. "
        "Write a debrief of 3 to 6 sentences in plain prose (no headings, no lists): what each side did, "
        "the turning points, and who came out ahead and why. Cite the messages you refer to by their "
        "number, like #4. Use the FACTS exactly as given: they were computed by the app; do not recompute "
        "or contradict them, and do not invent numbers.",
        "",
        f"ITEM: {record.item}, quantity {record.quantity}",
        f"BUYER: {buyer}, may pay at most {_p(item.max_price) if item else 'n/a'} per unit "
        f"(hoped for {_p(item.min_price) if item else 'n/a'})",
        "SELLERS (private to each seller; the buyer never saw these):",
        *sellers,
        "",
        "FACTS:",
        *(f"- {f}" for f in _facts(record, m)),
        "",
        "TRANSCRIPT (#number, round, sender → recipients):",
    ])
    tail = "\nNow write the debrief (3 to 6 sentences, citing message numbers like #4)."
    budget = (context_tokens or config.llm.context_tokens) - reply_tokens - estimate_tokens(
        [{"content": head + tail}]) - 64
    lines = transcript_lines(record)
    return head + "\n" + ("\n".join(_fit_transcript(lines, max(budget, 0))) if lines else "(no messages)") + "\n" + tail


def session_prompt(metrics: SessionMetrics, items: list[Debrief]) -> str:
    """The request for the session debrief: the code's totals and each item's debrief."""
    lines = [
        "You are reviewing a shopping session in which an AI buyer negotiated each item with AI sellers. "
        "Write a debrief of the whole session in 3 to 6 sentences of plain prose: how the buyer did overall, "
        "what worked and what did not across items, and who came out ahead. Cite messages as they are "
        "cited below, with their room, like room-1 #4. Use the FACTS exactly as given: they were computed "
        "by the app; do not recompute them or invent numbers.",
        "",
        "FACTS:",
        f"- Items bought: {metrics.items_bought} of {len(metrics.items)}",
        f"- Total spent: {money(metrics.total_spent)}; at the winning sellers' asks it would cost "
        f"{money(metrics.total_asking)}; saved {money(metrics.total_savings)}"
        + (f" ({percent_points(metrics.savings_pct)})" if metrics.savings_pct is not None else ""),
        f"- Average rounds: {'n/a' if metrics.average_rounds is None else f'{metrics.average_rounds:.1f}'}; "
        f"messages: {metrics.messages}",
        "- Rule violations: " + (", ".join(f"{k.replace('_', ' ')} {v}" for k, v in metrics.violations_by_kind.items())
                                 or "none"),
    ]
    for row in metrics.items:
        m = row.latest
        if row.status == "skipped":
            state = f"skipped ({row.skip_reason})"
        elif m is None:
            state = "not negotiated"
        elif m.bought:
            state = f"bought from {m.seller} at {_p(m.price_per_unit)} per unit, total {_p(m.total)}, " \
                    f"saved {_p(m.savings_total)}, buyer's surplus share {percent(m.buyer_surplus_share, missing="n/a")}"
        else:  # a stopped, interrupted or failed run is not a "no deal"
            state = "no deal" if row.status == "not_bought" else f"not finished ({row.status})"
        lines.append(f"- {row.room_key or '(no room)'} {row.item}: {state}")
    lines += ["", "ITEM DEBRIEFS:"]
    for d in items:
        cited = CITATION.sub(lambda mt: f"{mt.group(1) or d.room_key} #{mt.group(2)}", d.text)
        lines.append(f"[{d.room_key} {d.item}] {cited}")
    lines += ["", "Now write the session debrief (3 to 6 sentences)."]
    return "\n".join(lines)


# ----- checking ---------------------------------------------------------------------------------

def unknown_citations(text: str, seqs_by_room: dict[str, set[int]], room_key: str | None = None) -> list[str]:
    """Cited message numbers that do not exist: in `room_key`'s run for an item debrief; for the session
    debrief (room_key None) in the named room's run, or in any run when no room is named."""
    out: list[str] = []
    for match in CITATION.finditer(text):
        room, seq = match.group(1), int(match.group(2))
        if room_key is not None:
            known = (room is None or room == room_key) and seq in seqs_by_room.get(room_key, set())
        elif room is not None:
            known = seq in seqs_by_room.get(room, set())
        else:
            known = any(seq in seqs for seqs in seqs_by_room.values())
        label = f"{room} #{seq}" if room else f"#{seq}"
        if not known and label not in out:
            out.append(label)
    return out


def _clean(text: str, what: str, finish_reason: str | None) -> str:
    text = text.strip()
    if not text:
        hint = (" It used all its tokens (probably on hidden reasoning): try a model without reasoning, or one "
                "that thinks less." if finish_reason == "length" else " Try again, or choose another model.")
        raise DebriefError(f"The model returned an empty debrief for {what}.{hint} Nothing was stored.")
    return text if len(text) <= MAX_DEBRIEF_CHARS else text[:MAX_DEBRIEF_CHARS].rstrip() + "…"


# ----- writing ----------------------------------------------------------------------------------

async def _ask(client: LLMClient, model: str, prompt: str, what: str) -> str:
    request = ChatRequest(model=model, messages=[{"role": "user", "content": prompt}], temperature=TEMPERATURE,
                          max_tokens=REPLY_TOKENS)
    try:
        result = await client.complete(request)
    except LLMError as exc:
        # One message: what failed, then the server's own sentence (which already says what to do).
        cause = exc.user_message.strip()
        raise DebriefError(f"No debrief was written for {what}: {cause}{'' if cause.endswith('.') else '.'}",
                           "server") from exc
    return _clean(result.content, what, result.finish_reason)  # result.reasoning is deliberately dropped


async def _model(client: LLMClient, records: list[RunRecord], configured: str, explicit: str | None) -> str:
    """The person's choice, else the session's model, else the one that negotiated last, else the server's."""
    recorded = next((r.model for r in sorted(records, key=lambda r: r.started_at, reverse=True) if r.model), "")
    try:
        return await choose_model(client, explicit, configured, recorded)
    except LLMError as exc:
        raise DebriefError(f"No model to write the debrief with: {exc.user_message}", "server") from exc


async def _inline(read: Callable[[], T]) -> T:
    return read()


async def generate_debriefs(store: Store, session_id: int, client: LLMClient, *, model: str | None = None,
                            on_progress: Progress | None = None, on_store: OnStore = _inline) -> list[Debrief]:
    """Ask the model for one debrief per run room (latest run) and one for the session; stores nothing.
    `on_store` runs each store call (a window passes its store thread's, so the loop never waits on disk)."""
    progress = on_progress or (lambda _text: None)
    session = await on_store(lambda: store.get_session(session_id))
    records = await on_store(lambda: latest_runs(store, session_id))
    if not records:
        raise DebriefError("No room of this session has been negotiated yet: run at least one room, then ask "
                           "for the debrief.", "no_runs")
    chosen = await _model(client, records, session.config.llm.model, model)
    seqs = {r.room_key: {m.seq for m in r.messages} for r in records}
    items: list[Debrief] = []
    for n, record in enumerate(records, 1):
        what = f"“{record.item}”"
        progress(f"Writing the debrief for {what} ({n} of {len(records)})…")
        text = await _ask(client, chosen, item_prompt(record), what)
        items.append(Debrief(room_key=record.room_key, item=record.item, run_id=record.run_id, model=chosen,
                             created_at=datetime.now(UTC), text=text,
                             unknown_citations=unknown_citations(text, seqs, record.room_key)))
    progress("Writing the session debrief…")
    metrics = await on_store(lambda: session_metrics(store, session_id))
    text = await _ask(client, chosen, session_prompt(metrics, items), "the session")
    overall = Debrief(model=chosen, created_at=datetime.now(UTC), text=text,
                      unknown_citations=unknown_citations(text, seqs))
    return [overall, *items]


async def write_debriefs(store: Store, session_id: int, client: LLMClient, *, model: str | None = None,
                         on_progress: Progress | None = None, on_store: OnStore = _inline) -> list[Debrief]:
    """Generate the debriefs and store them in place of any earlier ones; returns them (session first)."""
    debriefs = await generate_debriefs(store, session_id, client, model=model, on_progress=on_progress,
                                       on_store=on_store)

    def save() -> list[Debrief]:
        store.save_debriefs(session_id, debriefs)
        return store.load_debriefs(session_id)

    return await on_store(save)
