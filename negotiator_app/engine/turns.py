"""One agent turn: stream a reply from the model, show only its natural message, read its offer or
decision, and re-ask once when that cannot be read."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Generic, TypeVar

from ..domain import Message, Role, UsageInfo
from ..llm import ChatRequest, ChatResult, LLMClient, LLMError, MalformedReply
from .bus import EventBus
from .events import MessageCompleted, MessageDiscarded, MessageStarted, ParseFailed, TokenDelta
from .limiter import FairLimiter
from .protocol import MessageTextExtractor, ParseError, strip_speaker_labels
from .prompts import reask

T = TypeVar("T")


class TurnFailed(Exception):
    """An agent could not produce a usable reply this turn; `reason` is for a person to read."""

    def __init__(self, reason: str, *, server_error: LLMError | None = None, kept: Message | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.server_error = server_error
        self.kept = kept  # the part of the reply said before the server broke off (interrupted), if any


@dataclass
class RunContext:
    """What every turn of one run shares."""

    bus: EventBus
    client: LLMClient
    limiter: FairLimiter
    room: str
    run_id: str
    model: str
    temperature: float
    max_tokens: int
    on_activity: Callable[[int, int], None] = lambda requests, streaming: None  # counts in flight / streaming
    speakers: tuple[str, ...] = ()  # everyone in the room: labels naming them are not part of a message
    stream_ids: count = field(default_factory=lambda: count(1))
    message_seqs: count = field(default_factory=lambda: count(1))


@dataclass
class Reply(Generic[T]):
    message: Message
    parsed: T


async def speak(
    ctx: RunContext,
    *,
    sender: str,
    role: Role,
    recipients: list[str],
    round_: int,
    messages: list[dict],
    schema: dict,
    parse: Callable[[str], T],
    finalize: Callable[[T], tuple[int, list[str]]] | None = None,
) -> Reply[T]:
    """Streams one reply as a message in the room. `finalize` may set the message's round and recipients
    from what was parsed (a buyer's mentions, a decision). Raises TurnFailed."""
    for attempt in (1, 2):
        stream_id = next(ctx.stream_ids)
        extractor = MessageTextExtractor()
        shown: list[str] = []
        got_first = False

        def first_token() -> None:
            nonlocal got_first
            if not got_first:
                got_first = True
                ctx.on_activity(0, +1)

        def on_content(delta: str) -> None:
            first_token()
            visible = extractor.feed(delta)
            if visible:
                shown.append(visible)
                ctx.bus.emit(TokenDelta(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, text=visible))

        def on_reasoning(delta: str) -> None:
            first_token()
            ctx.bus.emit(TokenDelta(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, text=delta, reasoning=True))

        request = ChatRequest(
            model=ctx.model, messages=messages, temperature=ctx.temperature, max_tokens=ctx.max_tokens,
            stream=True, json_schema=schema, schema_name=f"{role.value}_reply",
        )
        started = False  # MessageStarted emitted: a slot was ours and the agent began to speak
        ctx.on_activity(+1, 0)
        try:
            async with ctx.limiter.slot(ctx.room):
                # Started only once a server slot is ours: a queued agent is not yet "typing".
                ctx.bus.emit(
                    MessageStarted(
                        room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, sender=sender, role=role.value,
                        recipients=recipients, round=round_,
                    )
                )
                started = True
                result = await ctx.client.complete(request, on_content=on_content, on_reasoning=on_reasoning)
        except asyncio.CancelledError:
            if started:
                partial = "".join(shown).strip()
                if partial:  # stopped mid-stream: what was said so far is kept, marked interrupted
                    _complete(ctx, stream_id, sender, role, recipients, round_, partial, "", None, interrupted=True)
                else:
                    _discard(ctx, stream_id, sender, "stopped before any text arrived", "")
            raise
        except MalformedReply as exc:
            # Garbage from the model (not the server failing): counted and asked again, like unreadable JSON.
            _discard(ctx, stream_id, sender, exc.user_message, "".join(shown))
            ctx.bus.emit(ParseFailed(room=ctx.room, run_id=ctx.run_id, agent=sender, round=round_,
                                     reason=exc.user_message, raw="".join(shown)[:2000], will_retry=attempt == 1))
            if attempt == 1:
                continue
            raise TurnFailed(exc.user_message, server_error=exc) from None
        except LLMError as exc:
            partial, kept = "".join(shown).strip(), None
            if partial:  # the server broke off mid-reply: what was said is kept, marked interrupted (as on Stop)
                kept = _complete(ctx, stream_id, sender, role, recipients, round_, partial, "", None, interrupted=True)
            else:
                _discard(ctx, stream_id, sender, exc.user_message, "".join(shown))
            raise TurnFailed(exc.user_message, server_error=exc, kept=kept) from None
        finally:
            ctx.on_activity(-1, -1 if got_first else 0)
        try:
            parsed = parse(result.content)
            # A reply may not speak for anyone else: leading "[Seller B]:" / "Buyer:" labels are dropped.
            parsed.message = strip_speaker_labels(parsed.message, ctx.speakers)
            _reject_echo(parsed.message, messages)
        except ParseError as exc:
            retry = attempt == 1
            _discard(ctx, stream_id, sender, f"unreadable reply: {exc}", result.content)
            ctx.bus.emit(
                ParseFailed(room=ctx.room, run_id=ctx.run_id, agent=sender, round=round_, reason=str(exc),
                            raw=result.content[:2000], will_retry=retry)
            )
            if not retry:
                raise TurnFailed(f"{sender}'s reply could not be read twice ({exc})") from None
            messages = [*messages, {"role": "assistant", "content": result.content[:1500] or "(empty)"},
                        {"role": "user", "content": reask(str(exc))}]
            continue
        final_round, final_recipients = finalize(parsed) if finalize else (round_, recipients)
        message = _complete(
            ctx, stream_id, sender, role, final_recipients, final_round, getattr(parsed, "message"),
            result.reasoning, result, interrupted=False,
        )
        return Reply(message, parsed)
    raise AssertionError("unreachable")


def _reject_echo(text: str, messages: list[dict]) -> None:
    """Small models often parrot their instructions; such a reply says nothing and may leak private numbers.
    A reply that only repeats what another agent said is no answer either (and reads as that agent's words)."""
    said = " ".join(text.split()).casefold()
    if len(said) < 20:
        return
    for message in messages:
        if message["role"] == "assistant":
            continue
        prompt = " ".join(message["content"].split()).casefold()
        if message["role"] == "system" or prompt.startswith("["):
            if said in prompt or any(said[i : i + 40] in prompt for i in range(0, max(1, len(said) - 40), 20)):
                raise ParseError("the reply repeats the instructions instead of answering")
        elif said in prompt:
            raise ParseError("the reply repeats another agent's message instead of answering")


def _usage(result: ChatResult | None) -> UsageInfo | None:
    if result is None:
        return None
    u = result.usage
    return UsageInfo(
        prompt_tokens=u.prompt_tokens, completion_tokens=u.completion_tokens,
        time_to_first_token_s=u.time_to_first_token_s, duration_s=u.duration_s, tokens_per_s=u.tokens_per_s,
    )


def _complete(
    ctx: RunContext, stream_id: int, sender: str, role: Role, recipients: list[str], round_: int, text: str,
    reasoning: str, result: ChatResult | None, *, interrupted: bool, typed: bool = False,
) -> Message:
    message = Message(
        seq=next(ctx.message_seqs), round=round_, sender=sender, role=role, recipients=recipients, text=text,
        reasoning=reasoning, typed_by_person=typed, interrupted=interrupted, created_at=datetime.now(UTC),
        usage=_usage(result),
    )
    ctx.bus.emit(MessageCompleted(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, message=message))
    return message


def _discard(ctx: RunContext, stream_id: int, sender: str, reason: str, raw: str) -> None:
    ctx.bus.emit(MessageDiscarded(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, sender=sender, reason=reason, raw=raw[:2000]))


def post_typed(ctx: RunContext, *, sender: str, recipients: list[str], round_: int, text: str) -> Message:
    """A buyer message typed by the person: it enters the transcript as-is."""
    stream_id = next(ctx.stream_ids)
    ctx.bus.emit(
        MessageStarted(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, sender=sender, role=Role.BUYER.value,
                       recipients=recipients, round=round_)
    )
    return _complete(ctx, stream_id, sender, Role.BUYER, recipients, round_, text, "", None, interrupted=False, typed=True)
