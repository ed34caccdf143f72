"""Who produces an agent's reply: the model on the server, a strategy, or both (hybrid).

A strategy's move arrives as the reply a model would have given (message, offer, decision), so the room
applies the same rules, visibility, events and storage whoever produced it. A hybrid agent's model is told
the strategy's move and must keep to it: a reply that does not (wrong price, price not stated) is asked
again like an unreadable one, and when every attempt failed the strategy's own message is sent instead,
so the decided move is made and the run goes on (the message records this as a fallback).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain import AgentConfig, AgentKind, Production, Role
from ..domain.agents import LLM_AGENT
from ..llm import MalformedReply
from . import policy
from .protocol import ParseError
from .turns import Reply, RunContext, Spoken, TurnFailed, post_scripted, speak

T = TypeVar("T", bound=Spoken)


@dataclass(frozen=True)
class StrategyPlan(Generic[T]):
    """A strategy's move for this turn: the reply it makes, what a hybrid agent's model is told, and the check
    the model's reply must pass (None: kept to the move, else what is wrong)."""

    reply: T
    instruction: str
    check: Callable[[T], str | None]


def producer_for(agent: AgentConfig | None, model: str, temperature: float, seed: int | None) -> Production:
    """How this agent's messages are produced: the agent's own model and temperature, else the session's."""
    agent = agent or LLM_AGENT
    if agent.kind is AgentKind.STRATEGY:
        return Production(agent_kind=agent.kind, seed=seed)
    return Production(agent_kind=agent.kind, model=agent.model or model,
                      temperature=temperature if agent.temperature is None else agent.temperature,
                      seed=seed if agent.kind is AgentKind.HYBRID else None)


async def ask_agent(
    ctx: RunContext,
    producer: Production,
    *,
    sender: str,
    role: Role,
    recipients: list[str],
    round_: int,
    messages: list[dict],
    schema: dict,
    parse: Callable[[str], T],
    finalize: Callable[[T], tuple[int, list[str]]] | None = None,
    plan: Callable[[], StrategyPlan[T]] | None = None,
) -> Reply[T]:
    """The agent's reply this turn; `plan` gives the strategy's move (strategy and hybrid agents). Raises
    TurnFailed like a model's turn."""
    turn = _Who(sender, role, recipients, round_)
    if producer.agent_kind is AgentKind.LLM or plan is None:
        return await speak(ctx, sender=sender, role=role, recipients=recipients, round_=round_, messages=messages,
                           schema=schema, parse=parse, finalize=finalize, producer=producer)
    started = time.monotonic()
    move = plan()
    if producer.agent_kind is AgentKind.STRATEGY:
        made = producer.model_copy(update={"latency_s": round(time.monotonic() - started, 3)})
        return _scripted(ctx, turn, move.reply, made, finalize)
    return await _hybrid(ctx, producer, move, messages, schema, parse, started, turn, finalize)


@dataclass(frozen=True)
class _Who:
    sender: str
    role: Role
    recipients: list[str]
    round: int


def _scripted(ctx: RunContext, who: _Who, reply: T, producer: Production,
              finalize: Callable[[T], tuple[int, list[str]]] | None) -> Reply[T]:
    return post_scripted(ctx, sender=who.sender, role=who.role, recipients=who.recipients, round_=who.round,
                         parsed=reply, producer=producer, finalize=finalize)


async def _hybrid(ctx: RunContext, producer: Production, move: StrategyPlan[T], messages: list[dict], schema: dict,
                  parse: Callable[[str], T], started: float, turn: _Who,
                  finalize: Callable[[T], tuple[int, list[str]]] | None) -> Reply[T]:
    *before, last = messages
    told = [*before, {**last, "content": f"{last['content']}\n{move.instruction}"}]

    def parse_and_check(raw: str) -> T:
        parsed = parse(raw)
        problem = move.check(parsed)
        if problem:
            raise ParseError(f"the reply must keep to the decided move: {problem}")
        return parsed

    try:
        return await speak(ctx, sender=turn.sender, role=turn.role, recipients=turn.recipients, round_=turn.round,
                           messages=told, schema=schema, parse=parse_and_check, finalize=finalize, producer=producer)
    except TurnFailed as exc:
        model_kept_failing = exc.kept is None and (exc.server_error is None or isinstance(exc.server_error, MalformedReply))
        if not model_kept_failing:
            raise  # the server failed: handled as for any model agent
    made = producer.model_copy(update={"latency_s": round(time.monotonic() - started, 3), "fallback": True,
                                       "failed_attempts": policy.READ_ATTEMPTS})
    return _scripted(ctx, turn, move.reply, made, finalize)
