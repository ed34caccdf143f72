"""Short labels of who plays the buyer and the sellers in a configuration, for tables and cross-play."""
from __future__ import annotations

from ..domain import SessionConfig


def agent_label(agent, session_model: str) -> str:
    """'qwen3-1.7b', 'boulware', 'linear + qwen3-1.7b' (strategy deciding, model writing)."""
    model = session_model or "the session's model"
    if agent is None:
        return model
    kind = getattr(agent, "kind", "llm")
    own_model = getattr(agent, "model", None) or model
    strategy = getattr(agent, "strategy", None)
    family = str(getattr(strategy, "kind", "")) or "strategy"
    if kind == "strategy":
        return family
    if kind == "hybrid":
        return f"{family} + {own_model}"
    return own_model


def who_plays(config: SessionConfig) -> tuple[str, str]:
    """(buyer label, sellers label); the sellers' label is 'mixed' when they are played differently."""
    model = config.llm.model
    buyer = agent_label(getattr(config.buyer, "agent", None), model)
    sellers = {agent_label(getattr(s, "agent", None), model) for s in config.sellers}
    return buyer, sellers.pop() if len(sellers) == 1 else "mixed"
