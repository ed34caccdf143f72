"""Agent and strategy configuration: what may be chosen, with messages that say how to fix a mistake."""
import pytest
from pydantic import ValidationError

from negotiator_app.strategies import DEFAULT_EXPONENT, AgentConfig, AgentKind, StrategyConfig, StrategyKind


def test_defaults_per_family():
    assert [StrategyConfig(kind=k).e for k in StrategyKind] == [0.2, 1.0, 2.0, 1.0]
    assert set(DEFAULT_EXPONENT) == {k for k in StrategyKind if k.time_dependent}
    assert StrategyConfig(kind=StrategyKind.CONCEDER, exponent=5).e == 5


@pytest.mark.parametrize(("fields", "says"), [
    ({"kind": "boulware", "exponent": 1.5}, "Boulware exponent must be below 1"),
    ({"kind": "conceder", "exponent": 0.5}, "Conceder exponent must be above 1"),
    ({"kind": "linear", "exponent": 2}, "Linear exponent is always 1"),
    ({"kind": "tit_for_tat", "exponent": 2}, "tit-for-tat has no concession exponent"),
    ({"kind": "boulware", "exponent": 0}, "greater than 0"),
    ({"kind": "linear", "initial_concession": 1}, "less than 1"),
    ({"kind": "stubborn"}, "'boulware', 'linear', 'conceder' or 'tit_for_tat'"),
])
def test_bad_strategy_settings_are_explained(fields, says):
    with pytest.raises(ValidationError, match=says):
        StrategyConfig(**fields)


def test_agent_kind_and_strategy_go_together():
    assert AgentConfig().kind is AgentKind.LLM
    assert AgentConfig(kind="hybrid", strategy={"kind": "linear"}).strategy.kind is StrategyKind.LINEAR
    with pytest.raises(ValidationError, match="a strategy agent needs a strategy"):
        AgentConfig(kind="strategy")
    with pytest.raises(ValidationError, match="a language-model agent has no strategy"):
        AgentConfig(kind="llm", strategy={"kind": "linear"})
    assert AgentConfig.model_validate_json(AgentConfig(kind="strategy", strategy={"kind": "conceder"}).model_dump_json()) \
        == AgentConfig(kind="strategy", strategy={"kind": "conceder"})
