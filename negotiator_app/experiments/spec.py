"""The experiment file: a scenario, repetitions and two or more arms, and how an arm changes the scenario."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from ..domain import ScenarioError, SessionConfig, parse_config
from ..domain.errors import describe_validation_error
from ..domain.names import normalize_name

EXPERIMENT_VERSION = 1
MAX_REPETITIONS = 10_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgentOverride(_Model):
    """Who plays an agent in this arm. A strategy alone makes a rule-based agent; a strategy with a model makes
    a hybrid (the strategy decides, the model writes); a model or temperature alone keeps a language model."""

    kind: Literal["llm", "strategy", "hybrid"] | None = Field(
        default=None, description="empty: inferred (strategy → strategy, strategy + model → hybrid, else llm)")
    model: str | None = Field(default=None, max_length=200)
    temperature: float | None = Field(default=None, ge=0, le=2, allow_inf_nan=False)
    strategy: str | dict[str, Any] | None = Field(
        default=None, description="'boulware', 'linear', 'conceder', 'tit_for_tat', or {kind, exponent, ...}")

    def agent_json(self) -> dict[str, Any]:
        """The scenario's `agent` object for this override."""
        strategy = {"kind": self.strategy} if isinstance(self.strategy, str) else self.strategy
        kind = self.kind or ("llm" if strategy is None else "hybrid" if self.model else "strategy")
        agent: dict[str, Any] = {"kind": kind}
        for key, value in (("strategy", strategy), ("model", self.model), ("temperature", self.temperature)):
            if value is not None:
                agent[key] = value
        return agent


class Arm(_Model):
    """One named variation of who plays whom."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    model: str | None = Field(default=None, max_length=200, description="the session's model for every agent")
    temperature: float | None = Field(default=None, ge=0, le=2, allow_inf_nan=False)
    max_rounds: int | None = Field(default=None, ge=1, le=50, description="empty: the scenario's round limit")
    buyer: AgentOverride | None = None
    sellers: AgentOverride | None = Field(default=None, description="applies to every seller")
    per_seller: dict[str, AgentOverride] = Field(default_factory=dict,
                                                 description="by seller name; wins over 'sellers'")


class ExperimentSpec(_Model):
    """An experiment file. Give the scenario as a file path (relative to the experiment file) or a stored
    session id."""

    schema_version: Literal[1] = 1  # EXPERIMENT_VERSION
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    scenario: str | None = Field(default=None, description="path to a scenario JSON file")
    session_id: int | None = Field(default=None, ge=1, description="a stored session to use as the scenario")
    repetitions: int = Field(ge=1, le=MAX_REPETITIONS, description="runs per arm")
    arms: list[Arm] = Field(min_length=2, max_length=20)
    seed: int = Field(default=0, ge=0, description="the seed of every run's seed and seller order")
    parallel_runs: int = Field(default=1, ge=1, le=64,
                               description="runs negotiated at once; requests share the scenario's concurrency")

    @model_validator(mode="after")
    def _one_scenario_and_distinct_arms(self) -> ExperimentSpec:
        if (self.scenario is None) == (self.session_id is None):
            raise ValueError("give exactly one of 'scenario' (a file) and 'session_id' (a stored session)")
        names = [normalize_name(a.name) or a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError("arm names must be different from each other")
        return self


class ExperimentError(ValueError):
    """An experiment file or arm that cannot be used; `errors` lists every problem with its location."""

    def __init__(self, source: str, errors: list[str]):
        self.source, self.errors = source, errors
        super().__init__(f"{source} is not a valid experiment:\n" + "\n".join(f"- {e}" for e in errors))


def parse_experiment(data: Any, source: str = "experiment") -> ExperimentSpec:
    if not isinstance(data, dict):
        raise ExperimentError(source, ["the file must contain a JSON object with 'name', 'repetitions' and 'arms'"])
    try:
        return ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(source, describe_validation_error(exc, data)) from None


def load_experiment(path: str | Path) -> ExperimentSpec:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExperimentError(str(path), ["the file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExperimentError(str(path), [f"the file cannot be read ({exc})"]) from None
    except json.JSONDecodeError as exc:
        raise ExperimentError(path.name, [f"line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"]) from None
    spec = parse_experiment(data, path.name)
    if spec.scenario is not None and not Path(spec.scenario).is_absolute():
        spec = spec.model_copy(update={"scenario": str((path.parent / spec.scenario).resolve())})
    return spec


def arm_config(base: SessionConfig, arm: Arm) -> SessionConfig:
    """The scenario as this arm plays it: overrides applied to its JSON and validated like any scenario."""
    data = base.model_dump(mode="json")
    llm = data["llm"]
    for key, value in (("model", arm.model), ("temperature", arm.temperature), ("max_rounds", arm.max_rounds)):
        if value is not None:
            llm[key] = value
    if arm.buyer is not None:
        data["buyer"]["agent"] = arm.buyer.agent_json()
    by_name = {normalize_name(s["name"]): s for s in data["sellers"]}
    unknown = [n for n in arm.per_seller if normalize_name(n) not in by_name]
    if unknown:
        raise ExperimentError(f"arm '{arm.name}'", [f"per_seller: no seller named '{n}' in the scenario "
                                                    f"(sellers: {', '.join(s['name'] for s in data['sellers'])})"
                                                    for n in unknown])
    if arm.sellers is not None:
        for seller in data["sellers"]:
            seller["agent"] = arm.sellers.agent_json()
    for name, override in arm.per_seller.items():
        by_name[normalize_name(name)]["agent"] = override.agent_json()
    try:
        return parse_config(data, f"arm '{arm.name}'")
    except ScenarioError as exc:
        raise ExperimentError(f"arm '{arm.name}'", exc.errors) from None
