"""What a person can ask of a room: forced decisions, and the refusal raised for invalid input."""
from __future__ import annotations

from dataclasses import dataclass


class InputError(ValueError):
    """A person's request that cannot be carried out; the text says why and what to do instead."""


@dataclass(frozen=True)
class ForceAccept:
    seller: str
    reason: str = ""  # the person's words, kept with the decision and the outcome


@dataclass(frozen=True)
class ForceBuyerDecides:
    pass


@dataclass(frozen=True)
class ForceNoDeal:
    reason: str = "ended by the person"


ForceDecision = ForceAccept | ForceBuyerDecides | ForceNoDeal
