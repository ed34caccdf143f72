"""One agent turn: stream a reply from the model, show only its natural message, read its offer or
decision, and re-ask once when that cannot be read."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any, Generic, Protocol, TypeVar

from ..domain import Message, Production, Role, UsageInfo
from ..domain.names import possessive
from ..llm import ChatRequest, ChatResult, LLMClient, LLMError, MalformedReply
from . import policy
from .bus import EventBus
from .events import MessageCompleted, MessageDiscarded, MessageStarted, ParseFailed, TokenDelta, Waiting
from .limiter import FairLimiter
from .protocol import MessageTextExtractor, ParseError, strip_speaker_labels
from .prompts import reask

class Spoken(Protocol):
    message: str  # the text shown as the message; the rest is what the agent decided


T = TypeVar("T", bound=Spoken)


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
    # A reply cut off by a stop is kept as an interrupted message; the CancelledError that carries on cannot
    # return it, so the runner hears of it here and adds it to its transcript.
    on_interrupted: Callable[[Message], None] = lambda message: None
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
    producer: Production | None = None,
) -> Reply[T]:
    """Streams one reply as a message in the room, asking again (policy.READ_ATTEMPTS in all) while it cannot
    be read. `finalize` may set the message's round and recipients from what was parsed (a buyer's mentions,
    a decision). `producer` names the agent's model and temperature (default: the run's); the message records
    it with the latency and the attempts thrown away. Raises TurnFailed."""
    producer = producer or Production(model=ctx.model, temperature=ctx.temperature)
    turn = _Turn(sender, role, recipients, round_, producer)
    started_at = time.monotonic()
    for attempt in range(1, policy.READ_ATTEMPTS + 1):
        will_retry = attempt < policy.READ_ATTEMPTS
        stream = _Stream(ctx)
        made_by = producer if producer.failed_attempts == attempt - 1 else producer.model_copy(
            update={"failed_attempts": attempt - 1})
        turn = _Turn(sender, role, recipients, round_, made_by)
        result = await _stream_attempt(ctx, stream, turn, messages, schema, will_retry)
        if result is None:  # garbage from the model: discarded, asked again
            continue
        try:
            parsed = _read_reply(result.content, parse, ctx.speakers, messages)
        except ParseError as exc:
            _discard(ctx, stream.id, sender, f"unreadable reply: {exc}", result.content)
            ctx.bus.emit(ParseFailed(room=ctx.room, run_id=ctx.run_id, agent=sender, round=round_, reason=str(exc),
                                     raw=result.content[:2000], will_retry=will_retry))
            if not will_retry:
                raise TurnFailed(f"{possessive(sender)} reply could not be read twice ({exc})") from None
            messages = [*messages, {"role": "assistant", "content": result.content[:1500] or "(empty)"},
                        {"role": "user", "content": reask(str(exc))}]
            continue
        final_round, final_recipients = finalize(parsed) if finalize else (round_, recipients)
        made = producer.model_copy(update={"latency_s": round(time.monotonic() - started_at, 3),
                                           "failed_attempts": attempt - 1})
        done = _Turn(sender, role, final_recipients, final_round, made)
        return Reply(_complete(ctx, stream.id, done, parsed.message, result.reasoning, result,
                               seq=stream.seq), parsed)
    raise AssertionError("unreachable: the last attempt returns or raises")


@dataclass(frozen=True)
class _Turn:
    """Who speaks to whom in which round: what a message of this turn is stored with."""

    sender: str
    role: Role
    recipients: list[str]
    round: int
    producer: Production | None = None  # None: typed by a person


class _Stream:
    """One streamed attempt as it arrives: shows only the natural message, never a protocol field."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.id = next(ctx.stream_ids)
        self.seq: int | None = None  # taken when the message starts: stored order = the order shown live
        self.got_first = False
        self.arrivals = 0  # content or reasoning deltas so far: the wait notices watch it
        self._extractor = MessageTextExtractor()
        self._shown: list[str] = []
        # Deltas nobody watched live (no token listener): read for the message's text only if it is needed (a
        # reply broken off is kept as far as it went), not once per delta.
        self._unread: list[str] = []

    @property
    def shown(self) -> str:
        self._catch_up()
        return "".join(self._shown)

    def on_content(self, delta: str) -> None:
        if self.got_first:  # every delta but the first: what _first_token does then, without the call
            self.arrivals += 1
        else:
            self._first_token()
        if not self.ctx.bus.wants_tokens:
            self._unread.append(delta)
            return
        self._catch_up()
        visible = self._extractor.feed(delta)
        if visible:
            self._shown.append(visible)
            self._delta(visible, reasoning=False)

    def on_reasoning(self, delta: str) -> None:
        self._first_token()
        if self.ctx.bus.wants_tokens:
            self._delta(delta, reasoning=True)

    def _catch_up(self) -> None:
        if self._unread:
            visible = self._extractor.feed("".join(self._unread))
            self._unread.clear()
            if visible:
                self._shown.append(visible)

    def _first_token(self) -> None:
        self.arrivals += 1
        if not self.got_first:
            self.got_first = True
            self.ctx.on_activity(0, +1)

    def _delta(self, text: str, reasoning: bool) -> None:
        ctx = self.ctx
        ctx.bus.emit(TokenDelta(room=ctx.room, run_id=ctx.run_id, stream_id=self.id, text=text, reasoning=reasoning))


WAIT_NOTICE_S = 5.0  # silence from the server after which a Waiting event says so (then again each period)


async def _noting_waits(ctx: RunContext, stream: _Stream, agent: str, call: Coroutine[Any, Any, ChatResult]
                        ) -> ChatResult:
    """Await the reply; each WAIT_NOTICE_S without a chunk emits Waiting, so a stalled server shows a sign of life.

    A timer watches instead of a task of its own around the request: a task would cost the hand-over of every
    request two more turns of the event loop (start and end), while a free server slot waits for them."""
    loop = asyncio.get_running_loop()
    period = WAIT_NOTICE_S
    seen, silent_s = stream.arrivals, 0.0
    timer: asyncio.TimerHandle | None = None

    def check() -> None:
        nonlocal seen, silent_s, timer
        silent_s = silent_s + period if stream.arrivals == seen else 0.0
        seen = stream.arrivals
        if silent_s:
            ctx.bus.emit(Waiting(room=ctx.room, run_id=ctx.run_id, agent=agent, seconds=round(silent_s)))
        timer = loop.call_later(period, check)

    timer = loop.call_later(period, check)
    try:
        return await call  # cancelled from outside (Stop): the request is cancelled with us
    finally:
        timer.cancel()


async def _stream_attempt(
    ctx: RunContext, stream: _Stream, turn: _Turn, messages: list[dict], schema: dict, will_retry: bool
) -> ChatResult | None:
    """One request to the model, streamed into the room. Returns the result, or None for a malformed reply that
    is to be asked again. Whatever was said before a stop or a server failure is kept, marked interrupted."""
    producer = turn.producer or Production(model=ctx.model, temperature=ctx.temperature)
    request = ChatRequest(
        model=producer.model or ctx.model, messages=messages,
        temperature=ctx.temperature if producer.temperature is None else producer.temperature, max_tokens=ctx.max_tokens,
        stream=True, json_schema=schema, schema_name=f"{turn.role.value}_reply",
    )
    started = False  # MessageStarted emitted: a slot was ours and the agent began to speak
    ctx.on_activity(+1, 0)
    try:
        async with ctx.limiter.slot(ctx.room):
            # Started only once a server slot is ours: a queued agent is not yet "typing".
            stream.seq = next(ctx.message_seqs)
            ctx.bus.emit(MessageStarted(room=ctx.room, run_id=ctx.run_id, stream_id=stream.id, sender=turn.sender,
                                        role=turn.role.value, recipients=turn.recipients, round=turn.round))
            started = True
            return await _noting_waits(ctx, stream, turn.sender, ctx.client.complete(
                request, on_content=stream.on_content, on_reasoning=stream.on_reasoning))
    except asyncio.CancelledError:
        if started:
            kept = _keep_partial(ctx, stream, turn)
            if kept is None:
                _discard(ctx, stream.id, turn.sender, "stopped before any text arrived", "")
            else:
                ctx.on_interrupted(kept)
        raise
    except MalformedReply as exc:
        # Garbage from the model (not the server failing): counted and asked again, like unreadable JSON.
        _discard(ctx, stream.id, turn.sender, exc.user_message, stream.shown)
        ctx.bus.emit(ParseFailed(room=ctx.room, run_id=ctx.run_id, agent=turn.sender, round=turn.round,
                                 reason=exc.user_message, raw=stream.shown[:2000], will_retry=will_retry))
        if will_retry:
            return None
        raise TurnFailed(exc.user_message, server_error=exc) from None
    except LLMError as exc:
        kept = _keep_partial(ctx, stream, turn)  # the server broke off mid-reply: kept as on Stop
        if kept is None:
            _discard(ctx, stream.id, turn.sender, exc.user_message, stream.shown)
        raise TurnFailed(exc.user_message, server_error=exc, kept=kept) from None
    finally:
        ctx.on_activity(-1, -1 if stream.got_first else 0)


def _keep_partial(ctx: RunContext, stream: _Stream, turn: _Turn) -> Message | None:
    """The text shown before a reply broke off, completed as an interrupted message; None if nothing was shown."""
    partial = stream.shown.strip()
    if not partial:
        return None
    return _complete(ctx, stream.id, turn, partial, "", None, interrupted=True, seq=stream.seq)


def _read_reply(content: str, parse: Callable[[str], T], speakers: tuple[str, ...], messages: list[dict]) -> T:
    """The parsed reply, its message cleaned of other speakers' labels and refused if it only echoes. Raises
    ParseError."""
    parsed = parse(content)
    # A reply may not speak for anyone else: leading "[Seller B]:" / "Buyer:" labels are dropped.
    parsed.message = strip_speaker_labels(parsed.message, speakers)
    _reject_echo(parsed.message, messages)
    return parsed


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
    ctx: RunContext, stream_id: int, turn: _Turn, text: str, reasoning: str, result: ChatResult | None,
    *, interrupted: bool = False, typed: bool = False, seq: int | None = None,
) -> Message:
    """`seq` is the one taken when the message started: a message that started earlier but ended later (sellers
    answer concurrently) keeps its place, as on screen, also when the run is loaded again."""
    message = Message(
        seq=seq if seq is not None else next(ctx.message_seqs),
        round=turn.round, sender=turn.sender, role=turn.role, recipients=turn.recipients,
        text=text, reasoning=reasoning, typed_by_person=typed, interrupted=interrupted, created_at=datetime.now(UTC),
        usage=_usage(result), produced_by=turn.producer,
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
    return _complete(ctx, stream_id, _Turn(sender, Role.BUYER, recipients, round_), text, "", None, typed=True)


def post_scripted(
    ctx: RunContext,
    *,
    sender: str,
    role: Role,
    recipients: list[str],
    round_: int,
    parsed: T,
    producer: Production,
    finalize: Callable[[T], tuple[int, list[str]]] | None = None,
) -> Reply[T]:
    """A reply a strategy wrote: it enters the room exactly like a model's (started, its text, completed),
    without a server request."""
    stream_id = next(ctx.stream_ids)
    final_round, final_recipients = finalize(parsed) if finalize else (round_, recipients)
    ctx.bus.emit(MessageStarted(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, sender=sender,
                                role=role.value, recipients=final_recipients, round=final_round))
    if ctx.bus.wants_tokens:
        ctx.bus.emit(TokenDelta(room=ctx.room, run_id=ctx.run_id, stream_id=stream_id, text=parsed.message))
    turn = _Turn(sender, role, final_recipients, final_round, producer)
    return Reply(_complete(ctx, stream_id, turn, parsed.message, "", None), parsed)
