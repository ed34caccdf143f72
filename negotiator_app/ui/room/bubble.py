"""What one chat bubble knows (sender, streamed text, offer, violations) and the words shown around it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...domain import Message, Offer, Violation, money
from ..theme import SpeakerColors

VIOLATION_TITLES = {
    "offer_below_floor": "Offer below the seller's floor",
    "offer_above_ask": "Offer above the seller's asking price",
    "offer_exceeds_stock": "Offer exceeds the seller's stock",
    "offer_invalid_quantity": "Offer with an invalid quantity",
    "offer_invalid_price": "Offer with an invalid price",
    "accept_unknown_seller": "Accepted an unknown seller",
    "accept_no_offer": "Accepted without a standing offer",
    "accept_above_max": "Accepted above the buyer's max price",
    "accept_insufficient_quantity": "Accepted too few units",
}


@dataclass
class Bubble:
    key: int
    sender: str
    role: str
    round: int
    recipients: list[str]
    colors: SpeakerColors
    all_sellers: list[str]
    reasoning: str = ""
    message: Message | None = None
    offer: Offer | None = None
    violations: list[Violation] = field(default_factory=list)
    disclosures: list[str] = field(default_factory=list)  # lines saying which private number the sender stated
    discarded: str | None = None
    expanded: bool = False
    has_text: bool = False
    text: str = ""  # the body as streamed (then as completed): a bubble can be re-rendered from its state

    @property
    def streaming(self) -> bool:
        return self.message is None and self.discarded is None

    def header_suffix(self) -> str:
        """What follows the sender's name in the bubble header."""
        parts = []
        if self.role == "buyer" and sorted(self.recipients) != sorted(self.all_sellers):
            parts.append("→ " + ", ".join(self.recipients))
        parts.append(f"round {self.round}")
        if self.message is not None:
            parts.append(self.message.created_at.astimezone().strftime("%H:%M:%S"))
            if self.message.typed_by_person:
                parts.append("✎ typed by you")
        elif self.streaming:
            parts.append("thinking…" if self.reasoning and not self.has_text else "typing…")
        text = "  ·  ".join(parts)
        if self.message is not None and self.message.interrupted:
            text += "  (interrupted)"
        return text

    def tooltip(self) -> str:
        lines = [f"<b>{_esc(self.sender)}</b> — round {self.round}",
                 "to: " + _esc(", ".join(self.recipients)) if self.recipients else ""]
        message = self.message
        if message is not None:
            lines.append("sent " + message.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
            usage = message.usage
            if usage is not None:
                if usage.completion_tokens is not None:
                    lines.append(f"{usage.completion_tokens} tokens"
                                 + (f" (prompt {usage.prompt_tokens})" if usage.prompt_tokens else ""))
                if usage.tokens_per_s:
                    lines.append(f"{usage.tokens_per_s:.1f} tokens/s")
                if usage.time_to_first_token_s is not None:
                    lines.append(f"first token after {usage.time_to_first_token_s:.2f} s")
            made = message.produced_by
            if made is not None:
                lines.append(_produced_by(made))
            if message.typed_by_person:
                lines.append("typed by the person")
            if message.interrupted:
                lines.append("interrupted: stopped before it was finished")
        elif self.streaming:
            lines.append("streaming…")
        return "<br>".join(line for line in lines if line)

    def offer_line(self) -> str | None:
        if self.offer is None:
            return None
        offer = self.offer
        text = f"Offer: {money(offer.price_per_unit)} per unit × {offer.quantity}"
        return text if offer.binding else text + " — not binding (breaks a rule)"


SECRET_NAMES = {"cost": "cost price", "floor": "floor (least price)", "max_price": "max price"}


def disclosure_line(secret: str, text: str) -> str:
    """The small label under a message that states its sender's own private number (allowed, but counted)."""
    return f"ⓘ disclosed its {SECRET_NAMES.get(secret, secret)}: {text}"


def _produced_by(made) -> str:
    kind = made.agent_kind.value
    if kind == "strategy":
        return f"written by a strategy (seed {made.seed})"
    text = f"written by model {_esc(made.model or '?')}"
    if made.temperature is not None:
        text += f" at temperature {made.temperature:g}"
    if kind == "hybrid":
        text += ", price set by a strategy" + (" (its own words sent: the model missed the price)" if made.fallback else "")
    if made.failed_attempts:
        text += f"; {made.failed_attempts} attempt(s) thrown away"
    return text


def violation_line(violation: Violation) -> str:
    title = VIOLATION_TITLES.get(violation.kind.value, violation.kind.value.replace("_", " "))
    return f"⚠ {title}: {violation.attempted} — limit: {violation.limit}"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
