"""Who plays an agent and how a strategy is tuned: the configuration lives in the domain (sessions own it)."""
from ..domain.agents import DEFAULT_EXPONENT, AgentConfig, AgentKind, StrategyConfig, StrategyKind

__all__ = ["DEFAULT_EXPONENT", "AgentConfig", "AgentKind", "StrategyConfig", "StrategyKind"]
