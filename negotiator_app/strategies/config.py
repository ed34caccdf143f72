"""Who plays an agent (a language model, a rule-based strategy, or both) and how a strategy is tuned."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AgentKind(StrEnum):
    LLM = "llm"  # the model decides and writes
    STRATEGY = "strategy"  # a strategy decides and writes from templates; no server needed
    HYBRID = "hybrid"  # a strategy decides the price, the model writes the words around it


class StrategyKind(StrEnum):
    BOULWARE = "boulware"  # concedes late
    LINEAR = "linear"  # concedes at a steady pace
    CONCEDER = "conceder"  # concedes early
    TIT_FOR_TAT = "tit_for_tat"  # mirrors the other side's concessions

    @property
    def time_dependent(self) -> bool:
        return self is not StrategyKind.TIT_FOR_TAT


# Concession exponents e of the time-dependent families, as in GENIUS's TimeDependentAgentBoulware
# (0.2) and TimeDependentAgentConceder (2); e = 1 is linear by definition. (NegMAS names 0.125 and 4:
# any e < 1 is Boulware and any e > 1 Conceder, so both are accepted as `exponent`.)
DEFAULT_EXPONENT = {StrategyKind.BOULWARE: 0.2, StrategyKind.LINEAR: 1.0, StrategyKind.CONCEDER: 2.0}


class StrategyConfig(BaseModel):
    """A strategy and its parameters. `exponent` (e) and `initial_concession` (k) shape F(t)."""

    model_config = ConfigDict(extra="forbid")

    kind: StrategyKind = StrategyKind.BOULWARE
    exponent: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    initial_concession: float = Field(default=0.0, ge=0, lt=1, allow_inf_nan=False)

    @model_validator(mode="after")
    def _exponent_fits_kind(self) -> StrategyConfig:
        if self.exponent is None:
            return self
        if not self.kind.time_dependent:
            raise ValueError("tit-for-tat has no concession exponent: leave 'exponent' empty")
        if self.kind is StrategyKind.BOULWARE and self.exponent >= 1:
            raise ValueError("a Boulware exponent must be below 1 (it concedes late)")
        if self.kind is StrategyKind.LINEAR and self.exponent != 1:
            raise ValueError("a Linear exponent is always 1")
        if self.kind is StrategyKind.CONCEDER and self.exponent <= 1:
            raise ValueError("a Conceder exponent must be above 1 (it concedes early)")
        return self

    @property
    def e(self) -> float:
        """The exponent in use (tit-for-tat has none and reports 1)."""
        return self.exponent if self.exponent is not None else DEFAULT_EXPONENT.get(self.kind, 1.0)


class AgentConfig(BaseModel):
    """How one agent is played. A strategy or hybrid agent needs a strategy; an LLM agent has none."""

    model_config = ConfigDict(extra="forbid")

    kind: AgentKind = AgentKind.LLM
    strategy: StrategyConfig | None = None

    @model_validator(mode="after")
    def _strategy_fits_kind(self) -> AgentConfig:
        if self.kind is AgentKind.LLM and self.strategy is not None:
            raise ValueError("a language-model agent has no strategy: choose 'strategy' or 'hybrid' to use one")
        if self.kind is not AgentKind.LLM and self.strategy is None:
            raise ValueError(f"a {self.kind.value} agent needs a strategy (boulware, linear, conceder or tit_for_tat)")
        return self
