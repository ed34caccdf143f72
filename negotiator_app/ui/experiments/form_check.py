"""The experiment form's data checked by the experiment file's own rules (Qt-free): a spec, or every problem with
the field it belongs to. Also how a form's agent choice is written as a file's override, and back."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ...domain import SessionConfig, plan_rooms
from ...domain.errors import describe_problem
from ...domain.names import normalize_name
from ...experiments.spec import AgentOverride, Arm, ExperimentError, ExperimentSpec, arm_config

Loc = tuple[Any, ...]
FIELD_NAMES = {"name": "name", "repetitions": "repetitions", "seed": "seed", "parallel_runs": "runs at once",
               "arms": "arms", "model": "model", "temperature": "temperature", "max_rounds": "round limit",
               "strategy": "strategy", "kind": "played by"}
DUPLICATE_NAMES = "Each arm needs its own name: two arms are called the same"
NO_SCENARIO = "Choose a scenario: a stored session, a scenario file or an example"


@dataclass(frozen=True, slots=True)
class Problem:
    loc: Loc  # where in the experiment file the problem is, e.g. ("arms", 1, "name")
    message: str


def _problem(err: Any) -> Problem:
    loc = tuple(err.get("loc", ()))
    what = describe_problem(err)
    if not loc:  # the spec's own rules
        if "'scenario'" in what:
            return Problem(("scenario",), NO_SCENARIO)
        if "arm names" in what:
            return Problem(("arms",), DUPLICATE_NAMES)
        return Problem((), what)
    if loc == ("arms",) and err.get("type") == "too_short":
        return Problem(loc, "An experiment compares at least 2 arms: add one.")
    field = next((FIELD_NAMES[p] for p in reversed(loc) if isinstance(p, str) and p in FIELD_NAMES), "")
    return Problem(loc, f"{field.capitalize()} {what}" if field else what)


def check_form(data: dict[str, Any], base: SessionConfig | None) -> tuple[ExperimentSpec | None, list[Problem]]:
    """The form's experiment, validated as a file would be and each arm applied to the scenario `base` (None while
    no scenario is chosen or it cannot be read); the spec only when there is no problem at all."""
    spec, problems = None, []
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err) for err in exc.errors(include_url=False)]
        # The spec's own rules run only once every field is valid: say about the arms' names at once all the same.
        names = [str(a.get("name", "")) for a in data.get("arms", []) if isinstance(a, dict)]
        if duplicate_arm_names(names) and not any(p.message == DUPLICATE_NAMES for p in problems):
            problems.append(Problem(("arms",), DUPLICATE_NAMES))
    if base is None:
        if not any(p.loc == ("scenario",) for p in problems):
            problems.insert(0, Problem(("scenario",), NO_SCENARIO))
        return None, problems
    if not plan_rooms(base).rooms:
        problems.append(Problem(("scenario",), "no seller in this scenario can supply any item: nothing to negotiate"))
    for index, arm_data in enumerate(data.get("arms", [])):
        try:  # each arm on its own, so that a problem elsewhere in the form does not hide its problems
            arm_config(base, Arm.model_validate(arm_data))
        except ValidationError:
            continue  # reported above, with its field
        except ExperimentError as exc:
            problems += [_arm_problem(index, message) for message in exc.errors]
    return (None if problems else spec), problems


def _arm_problem(index: int, message: str) -> Problem:
    """A problem applying an arm to the scenario; an unknown seller's own setting is pinned to that seller."""
    prefix = "per_seller: no seller named '"
    if message.startswith(prefix):
        name = message[len(prefix):].split("'")[0]
        return Problem(("arms", index, "per_seller", name), "N" + message[len("per_seller: n"):])
    return Problem(("arms", index), message)


def duplicate_arm_names(names: list[str]) -> set[int]:
    """Positions of the arms whose name another arm has too (compared as the spec compares them)."""
    keys = [normalize_name(n) or n for n in names]
    return {i for i, key in enumerate(keys) if keys.count(key) > 1}


def override_json(agent: dict[str, Any] | None) -> dict[str, Any] | None:
    """A form's agent choice ({kind, strategy: {kind, ...}, model, temperature}) as an experiment file writes it:
    the kind left out where it is inferred, and a plain strategy by its name alone."""
    if agent is None:
        return None
    out: dict[str, Any] = {}
    strategy = agent.get("strategy")
    if isinstance(strategy, dict) and set(strategy) == {"kind"}:
        strategy = strategy["kind"]
    inferred = "llm" if strategy is None else "hybrid" if agent.get("model") else "strategy"
    if agent.get("kind", inferred) != inferred:
        out["kind"] = agent["kind"]
    for key, value in (("model", agent.get("model")), ("temperature", agent.get("temperature")),
                       ("strategy", strategy)):
        if value is not None:
            out[key] = value
    return out


def editor_agent(override: AgentOverride | None) -> dict[str, Any] | None:
    """An override read from a file, as the form's agent editor shows it (kind spelled out, strategy an object)."""
    if override is None:
        return None
    agent = override.agent_json()
    if isinstance(agent.get("strategy"), str):
        agent["strategy"] = {"kind": agent["strategy"]}
    return agent
