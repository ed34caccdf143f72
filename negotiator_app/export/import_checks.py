"""Checks an imported session log against the session's room plan and the negotiation rules, replaying
every run's offers and outcome through the same domain rules the engine enforces."""
from __future__ import annotations

import math

from ..domain import (
    MAX_MESSAGE_CHARS, OutcomeKind, Role, RoomPlan, SessionConfig, ViolationKind, check_acceptance, check_offer,
    plan_rooms,
)
from ..domain.names import clip
from .documents import OfferDoc, RunDoc, SessionLog

# The engine caps a finished message at MAX_MESSAGE_CHARS; a reply cut off mid-stream keeps what was shown,
# which is bounded by the model's max_tokens, so it gets a wider (but still finite) cap.
MAX_INTERRUPTED_CHARS = 20 * MAX_MESSAGE_CHARS
MAX_REASONING_CHARS = 200_000
# 50 rounds × (1 buyer + 10 sellers) messages, with room for typed messages and retries.
MAX_MESSAGES_PER_RUN = 2_000
MAX_OFFERS_PER_RUN = 1_000
MAX_EVENTS_PER_RUN = 20_000
MAX_NOTE_CHARS = 5 * MAX_MESSAGE_CHARS  # a parse failure keeps up to 2,000 characters of the raw reply


def num(value: float | None) -> str:
    """999.0 -> '999', 3.5 -> '3.5': numbers read the way a person writes them."""
    if value is None or not math.isfinite(value):
        return str(value)
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def q(name: str) -> str:
    return f"'{clip(name)}'"


def session_problems(doc: SessionLog) -> list[str]:
    config = doc.session.config
    plan = {room.key: room for room in plan_rooms(config).rooms}
    out: list[str] = []
    seen: set[str] = set()
    for r, room in enumerate(doc.rooms):
        at = f"rooms[{r}]"
        planned = plan.get(room.room_key)
        if planned is None:
            known = ", ".join(plan) or "none"
            out.append(f"{at}.room_key: {q(room.room_key)} is not a room of this session (its rooms: {known})")
            continue
        if room.room_key in seen:
            out.append(f"{at}.room_key: {room.room_key} is listed twice")
        seen.add(room.room_key)
        if room.item != planned.item.name:
            out.append(f"{at}.item: {q(room.item)}, but {room.room_key} is the room of {q(planned.item.name)}")
        for i, run in enumerate(room.runs):
            out += run_problems(run, planned, config, f"{at}.runs[{i}]")
    return out


def run_problems(run: RunDoc, plan: RoomPlan, config: SessionConfig, at: str) -> list[str]:
    out = _placement_problems(run, plan, config, at)
    buyer = config.buyer.name
    sellers = {name for name in run.participants if name != buyer}
    if buyer not in run.participants:
        out.append(f"{at}.participants: must include the buyer {q(buyer)}")
    for name in sellers:
        if plan.seller(name) is None:
            out.append(f"{at}.participants: {q(name)} is not a seller in {plan.key} "
                       f"(its sellers: {', '.join(clip(s) for s in plan.seller_names)})")
    if len(set(run.participants)) != len(run.participants):
        out.append(f"{at}.participants: a name is listed twice")
    people = set(run.participants)
    out += _size_problems(run, at)
    out += _message_problems(run, people, buyer, at)
    senders = {m.seq: m.sender for m in run.messages}
    for j, offer in enumerate(run.offers):
        out += _offer_problems(offer, plan, senders, sellers, f"{at}.offers[{j}]")
    out += [f"{at}.violations[{j}].agent: {q(v.agent)} is not a participant of this run"
            for j, v in enumerate(run.violations) if v.agent not in people]
    out += _text_problems(run, at)
    out += _outcome_problems(run, plan, buyer, at)
    return out


def _placement_problems(run: RunDoc, plan: RoomPlan, config: SessionConfig, at: str) -> list[str]:
    out = []
    if run.room_key != plan.key:
        out.append(f"{at}.room_key: {q(run.room_key)}, but the run is filed under {plan.key}")
    if run.item != plan.item.name:
        out.append(f"{at}.item: {q(run.item)}, but {plan.key} is the room of {q(plan.item.name)}")
    if run.quantity != plan.item.quantity:
        out.append(f"{at}.quantity: {run.quantity}, but the buyer needs {plan.item.quantity} of {q(plan.item.name)}")
    # The session's name and LLM settings may change between runs (rename, --model); who negotiates may not.
    for part in ("buyer", "sellers"):
        if getattr(run.config, part) != getattr(config, part):
            out.append(f"{at}.config.{part}: differs from the session's configuration")
    return out


def _size_problems(run: RunDoc, at: str) -> list[str]:
    limits = (("messages", MAX_MESSAGES_PER_RUN), ("offers", MAX_OFFERS_PER_RUN), ("events", MAX_EVENTS_PER_RUN))
    return [f"{at}.{field}: {len(getattr(run, field)):,} entries, more than a run can have ({limit:,})"
            for field, limit in limits if len(getattr(run, field)) > limit]


def _message_problems(run: RunDoc, people: set[str], buyer: str, at: str) -> list[str]:
    out, seqs = [], set()
    for j, m in enumerate(run.messages):
        where = f"{at}.messages[{j}]"
        if m.sender not in people:
            out.append(f"{where}.sender: {q(m.sender)} is not a participant of this run")
        else:
            role = Role.BUYER if m.sender == buyer else Role.SELLER
            if m.role != role:
                out.append(f"{where}.role: {m.role.value}, but {q(m.sender)} is the {role.value}")
        out += [f"{where}.recipients: {q(r)} is not a participant of this run" for r in m.recipients if r not in people]
        if m.seq in seqs:
            out.append(f"{where}.seq: {m.seq} appears twice")
        seqs.add(m.seq)
        cap = MAX_INTERRUPTED_CHARS if m.interrupted else MAX_MESSAGE_CHARS
        if len(m.text) > cap:
            out.append(f"{where}.text: {len(m.text):,} characters, more than a message can have ({cap:,})")
        if len(m.reasoning) > MAX_REASONING_CHARS:
            out.append(f"{where}.reasoning: {len(m.reasoning):,} characters, more than kept ({MAX_REASONING_CHARS:,})")
    return out


def _text_problems(run: RunDoc, at: str) -> list[str]:
    """Texts the engine writes itself (violation wording, event notes) are short; a huge one is not a real log."""
    fields = [(f"violations[{j}].{name}", getattr(v, name)) for j, v in enumerate(run.violations)
              for name in ("attempted", "limit")]
    fields += [(f"events[{j}].{name}", getattr(e, name)) for j, e in enumerate(run.events) for name in ("text", "detail")]
    return [f"{at}.{where}: {len(text):,} characters, more than the app writes ({MAX_NOTE_CHARS:,})"
            for where, text in fields if len(text) > MAX_NOTE_CHARS]


_OFFER_FIELD = {
    ViolationKind.OFFER_INVALID_QUANTITY: "quantity", ViolationKind.OFFER_EXCEEDS_STOCK: "quantity",
    ViolationKind.OFFER_INVALID_PRICE: "price_per_unit", ViolationKind.OFFER_BELOW_FLOOR: "price_per_unit",
    ViolationKind.OFFER_ABOVE_ASK: "price_per_unit",
}


def _offer_problems(offer: OfferDoc, plan: RoomPlan, senders: dict[int, str], sellers: set[str], at: str) -> list[str]:
    room_seller = plan.seller(offer.seller)
    if offer.seller not in sellers or room_seller is None:
        return [f"{at}.seller: {q(offer.seller)} is not a seller taking part in this run"]
    out = []
    if offer.message_seq not in senders:
        out.append(f"{at}.message_seq: there is no message {offer.message_seq} in this run")
    elif senders[offer.message_seq] != offer.seller:
        out.append(f"{at}.message_seq: message {offer.message_seq} was written by {q(senders[offer.message_seq])}, "
                   f"not by {q(offer.seller)}")
    if not offer.binding:
        return out  # a refused offer is kept as it was said: it only has to point at its message
    if offer.price_per_unit is None:
        return out + [f"{at}.price_per_unit: a binding offer needs a price"]
    stock = room_seller.stock
    violation = check_offer(offer.seller, stock, offer.price_per_unit, offer.quantity, offer.round, offer.message_seq)
    if violation is not None:
        limit = {
            ViolationKind.OFFER_INVALID_QUANTITY: "a binding offer needs at least 1 unit",
            ViolationKind.OFFER_EXCEEDS_STOCK: f"is more than seller {q(offer.seller)} has in stock "
                                               f"({stock.quantity_available})",
            ViolationKind.OFFER_INVALID_PRICE: "is not a finite price",
            ViolationKind.OFFER_BELOW_FLOOR: f"is below the least price of seller {q(offer.seller)} ({num(stock.least_price)})",
            ViolationKind.OFFER_ABOVE_ASK: f"is above the selling price of seller {q(offer.seller)} "
                                           f"({num(stock.selling_price)})",
        }[violation.kind]
        field = _OFFER_FIELD[violation.kind]
        value = offer.quantity if field == "quantity" else num(offer.price_per_unit)
        out.append(f"{at}.{field}: {value} {limit} (marked binding)")
    return out


def _outcome_problems(run: RunDoc, plan: RoomPlan, buyer: str, at: str) -> list[str]:
    outcome = run.outcome
    if outcome is None or outcome.kind != OutcomeKind.DEAL:
        return []
    where = f"{at}.outcome"
    if outcome.seller is None or outcome.price_per_unit is None or outcome.quantity is None:
        return [f"{where}: a deal needs a seller, a price per unit and a quantity"]
    standing = {}
    for offer in run.offers:  # in the order they were made: a seller's latest binding offer stands
        if offer.binding and offer.price_per_unit is not None:
            standing[offer.seller] = offer.to_offer()
    accepted, violation = check_acceptance(buyer, plan.item, outcome.seller, standing, plan.seller_names, run.rounds)
    if violation is not None:
        field, text = {
            ViolationKind.ACCEPT_UNKNOWN_SELLER: ("seller", f"{q(outcome.seller)} is not a seller in {plan.key}"),
            ViolationKind.ACCEPT_NO_OFFER: ("seller", f"{q(outcome.seller)} has no standing binding offer in this run"),
            ViolationKind.ACCEPT_ABOVE_MAX: ("price_per_unit", f"the standing offer of {q(outcome.seller)} is above "
                                                               f"the buyer's max price {num(plan.item.max_price)}"),
            ViolationKind.ACCEPT_INSUFFICIENT_QUANTITY: ("quantity", f"the standing offer covers fewer units than the "
                                                                     f"buyer needs ({plan.item.quantity})"),
        }[violation.kind]
        return [f"{where}.{field}: {text}"]
    assert accepted is not None  # check_acceptance names the offer whenever it finds no violation
    floor = plan.seller(accepted.seller)
    assert floor is not None  # an acceptable offer comes from a seller of this room
    out = []
    price = outcome.price_per_unit
    if price > plan.item.max_price:
        out.append(f"{where}.price_per_unit: {num(price)} is above the buyer's max price {num(plan.item.max_price)}")
    elif price < floor.stock.least_price:
        out.append(f"{where}.price_per_unit: {num(price)} is below the least price of seller {q(accepted.seller)} "
                   f"({num(floor.stock.least_price)})")
    elif price != accepted.price_per_unit:
        out.append(f"{where}.price_per_unit: {num(price)} is not the standing offer of {q(accepted.seller)} "
                   f"({num(accepted.price_per_unit)}); a deal must accept a binding offer made in this run")
    if outcome.quantity != plan.item.quantity:
        out.append(f"{where}.quantity: {outcome.quantity:,} units, but the buyer needs {plan.item.quantity}")
    return out
