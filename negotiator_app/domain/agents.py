"""Who plays an agent (a language model, a rule-based strategy, or both) and how a strategy is tuned."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AgentKind(StrEnum):
    LLM = "llm"  # the model decides and writes
    STRATEGY = "strategy"  # a strategy decides and writes from templates; no server needed
    HYBRID = "hybrid"  # a strategy decides the price, the model writes the words around it

    @property
    def uses_model(self) -> bool:
        return self is not AgentKind.STRATEGY


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
    """How one agent is played. A strategy or hybrid agent needs a strategy; an LLM agent has none. A model
    and a temperature (LLM and hybrid agents only) override the session's; left empty, the session's apply."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AgentKind = AgentKind.LLM
    strategy: StrategyConfig | None = None
    model: str | None = Field(default=None, max_length=200, description="empty: the session's model")
    temperature: float | None = Field(default=None, ge=0, le=2, allow_inf_nan=False,
                                      description="empty: the session's temperature")

    @model_validator(mode="after")
    def _strategy_fits_kind(self) -> AgentConfig:
        if self.model == "":
            self.model = None
        if self.kind is AgentKind.LLM and self.strategy is not None:
            raise ValueError("a language-model agent has no strategy: choose 'strategy' or 'hybrid' to use one")
        if self.kind is not AgentKind.LLM and self.strategy is None:
            raise ValueError(f"a {self.kind.value} agent needs a strategy (boulware, linear, conceder or tit_for_tat)")
        if self.kind is AgentKind.STRATEGY and (self.model is not None or self.temperature is not None):
            raise ValueError("a strategy agent uses no model: leave 'model' and 'temperature' empty "
                             "(or choose 'hybrid' to have a model write its messages)")
        return self


LLM_AGENT = AgentConfig()  # what an agent without a configuration is: the session's model


def describe_agent(agent: AgentConfig | None, session_model: str = "") -> str:
    """A short label: 'model qwen3-1.7b', 'Boulware strategy', 'Linear strategy + model qwen3'."""
    agent = agent or LLM_AGENT
    model = agent.model or session_model or "the session's model"
    if agent.kind is AgentKind.LLM:
        return f"model {model}"
    family = _family_name(agent.strategy)
    if agent.kind is AgentKind.STRATEGY:
        return f"{family} strategy"
    return f"{family} strategy + model {model}"


def _family_name(strategy: StrategyConfig | None) -> str:
    kind = strategy.kind if strategy else StrategyKind.BOULWARE
    return "Tit-for-tat" if kind is StrategyKind.TIT_FOR_TAT else kind.value.capitalize()
