"""What each agent may see of the transcript, as chat history: a seller sees only the buyer messages
addressed to it and its own; the buyer sees everything said in the room."""
from __future__ import annotations

from ..domain import Message, Role
from ..domain.names import normalize_name


def buyer_history(transcript: list[Message]) -> list[dict]:
    """The buyer sees every message in the room: its own, and every seller's, labelled by name."""
    history = []
    for m in transcript:
        if not m.text:
            continue
        if m.role == Role.BUYER:
            history.append({"role": "assistant", "content": m.text})
        else:
            history.append({"role": "user", "content": f"[{m.sender}]: {m.text}"})
    return history


def seller_history(transcript: list[Message], seller: str) -> list[dict]:
    """A seller sees buyer messages addressed to it (or broadcast) and its own messages, nothing else."""
    key = normalize_name(seller)
    history = []
    for m in transcript:
        if not m.text:
            continue
        if m.role == Role.BUYER and key in {normalize_name(r) for r in m.recipients}:
            history.append({"role": "user", "content": m.text})
        elif m.role == Role.SELLER and normalize_name(m.sender) == key:
            history.append({"role": "assistant", "content": m.text})
    return history
