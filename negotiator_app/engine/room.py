"""A room's negotiation loop: buyer speaks → addressed sellers answer concurrently → buyer decides.

The runner owns one run at a time as an asyncio task. A person can pause, resume, stop, type buyer
messages, switch buyer mode and force a decision at any moment; every rule is enforced here, not by
the models. What the buyer may decide when, and how sellers concede, is the policy in policy.py.
"""
from __future__ import annotations

import asyncio
import logging
import random
import uuid
from bisect import insort
from collections.abc import Awaitable, Callable
from itertools import count
from typing import TypeVar

from ..domain import (
    MAX_MESSAGE_CHARS, AgentKind, BuyerMode, DecidedBy, Decision, Message, Offer, Outcome, OutcomeKind, Role, RoomPlan,
    RunSnapshot, RunState, SessionConfig, Violation, check_acceptance, check_offer, money, parse_mentions,
)
from ..domain.names import normalize_name, possessive
from ..llm import LLMClient
from . import policy, prompts
from . import strategy_moves as moves
from .agents import StrategyPlan, ask_agent, producer_for
from .disclosures import buyer_disclosures, seller_disclosures
from .bus import EventBus
from .context import fit_to_context
from .controls import ForceAccept, ForceBuyerDecides, ForceDecision, ForceNoDeal, InputError
from .events import (
    DecisionMade, DisclosureMade, ErrorRaised, OfferMade, RoundFinished, RunFinished, RunStarted, SellerSilent,
    StateChanged, ViolationRecorded,
)
from .limiter import FairLimiter
from .protocol import (
    OPENING_SCHEMA, SELLER_SCHEMA, BuyerReply, SellerReply, buyer_decision_schema, parse_buyer_reply, parse_seller_reply,
)
from .turns import Reply, RunContext, Spoken, TurnFailed, post_typed
from .views import buyer_history, seller_history

log = logging.getLogger(__name__)
T = TypeVar("T", bound=Spoken)


class _Forced(Exception):
    """Raised inside the loop when a person forces a decision."""


class _Fatal(Exception):
    pass


class RoomRunner:
    def __init__(
        self,
        plan: RoomPlan,
        config: SessionConfig,
        client: LLMClient,
        bus: EventBus,
        limiter: FairLimiter,
        resolve_model: Callable[[], Awaitable[str]],
        *,
        max_rounds: int | None = None,
    ) -> None:
        self.plan = plan
        self.config = config
        self.client = client
        self.bus = bus
        self.limiter = limiter
        self._resolve_model = resolve_model
        self.max_rounds = max_rounds or config.llm.max_rounds
        self.buyer = config.buyer.name
        self.mode = BuyerMode.AI
        self.retry_delays = policy.BUYER_RETRY_DELAYS  # tests shorten them
        self.seed: int | None = None  # the strategies' seed for the current run (stored with it)
        self._reset()
        self.task: asyncio.Task[RunState] | None = None

    # ----- state visible to the UI ---------------------------------------------------------------

    def _reset(self) -> None:
        self.run_id: str | None = None
        self.state = RunState.IDLE
        self.round = 0
        self.transcript: list[Message] = []
        self.offer_history: list[Offer] = []
        self.standing: dict[str, Offer] = {}
        self.violations: list[Violation] = []
        self.outcome: Outcome | None = None
        self._typed: list[str] = []
        self._forced: ForceDecision | None = None
        self._paused = False
        self._wake = asyncio.Event()
        self._in_flight = 0
        self._streaming = 0
        self._silent_rounds = 0
        self._note = ""
        self._failure = ""  # set by fail(): the cancellation ends the run in the error state, not stopped
        self._session_model = ""  # resolved when the run starts (empty when no agent here uses a model)

    def _keep(self, message: Message) -> None:
        """Messages stay in seq order (the order they started in, as shown live and as stored), also when a
        seller that started later finished first."""
        insort(self.transcript, message, key=lambda m: m.seq)

    @property
    def key(self) -> str:
        return self.plan.key

    @property
    def sellers(self) -> list[str]:
        return self.plan.seller_names

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def at_round_limit(self) -> bool:
        return self.round >= self.max_rounds

    # ----- controls ------------------------------------------------------------------------------

    def start(self, opening: str | None = None, resume: RunSnapshot | None = None,
              seed: int | None = None) -> asyncio.Task[RunState]:
        """Start a new run (or resume a stored one). The returned task is the run; cancel it to stop. Strategy
        agents are deterministic given `seed` (a new random one by default; a resumed run keeps its own)."""
        if self.running:
            raise InputError("This room is already negotiating. Stop it first to run it again.")
        self._reset()
        self.run_id = resume.run_id if resume else uuid.uuid4().hex
        if resume and resume.seed is not None:
            seed = resume.seed
        self.seed = seed if seed is not None else random.randrange(2**31)
        self.task = asyncio.ensure_future(self._run(opening, resume))
        return self.task

    def pause(self) -> None:
        self._paused = True
        self._poke()

    def resume(self) -> None:
        self._paused = False
        self._poke()

    def stop(self) -> None:
        """Stop at once; the partial message is kept, marked interrupted."""
        if self.running and self.task is not None:
            self.task.cancel()

    def fail(self, message: str) -> None:
        """End the run at once in the error state with `message` (e.g. storage that cannot take it)."""
        if self.task is not None and not self.task.done():
            self._failure = message
            self.task.cancel()

    def set_mode(self, mode: BuyerMode) -> None:
        self.mode = BuyerMode(mode)
        self._poke()

    def validate_message(self, text: str) -> str:
        text = text.strip()
        if not text:
            raise InputError("Type a message first.")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InputError(f"A message can have at most {MAX_MESSAGE_CHARS} characters (this one has {len(text)}).")
        unknown = parse_mentions(text, self.sellers).unknown
        if unknown:
            names = ", ".join(f"@{s}" for s in self.sellers)
            raise InputError(f"No seller called @{unknown[0]} in this room. You can address: {names}.")
        return text

    def send(self, text: str) -> None:
        """A buyer message typed by the person: replaces the AI's next turn, or starts a round."""
        text = self.validate_message(text)
        if not self.running:
            if self.state.finished:
                raise InputError("This negotiation has ended. Press Run again to start a new one.")
            self.start(opening=text)
            return
        if self.at_round_limit:
            raise InputError("The round limit is reached: accept an offer or end with no deal (Force decision).")
        self._typed.append(text)
        self._poke()

    @property
    def queued(self) -> list[str]:
        """Typed messages waiting for the current turn to end, oldest first."""
        return list(self._typed)

    def withdraw(self, text: str) -> bool:
        """Take back a typed message still waiting for its turn; False when it has been sent already."""
        text = text.strip()
        if text in self._typed:
            self._typed.remove(text)
            return True
        return False

    def force(self, decision: ForceDecision) -> None:
        if not self.running:
            raise InputError("Nothing to decide: start the negotiation first.")
        if isinstance(decision, ForceAccept):
            _, violation = self._check_accept(decision.seller)
            if violation:
                raise InputError(f"Cannot accept: {violation.attempted} — {violation.limit}.")
        self._forced = decision
        self._poke()

    def _poke(self) -> None:
        self._wake.set()

    # ----- the loop ------------------------------------------------------------------------------

    async def _run(self, opening: str | None, resume: RunSnapshot | None) -> RunState:
        try:
            model = self._session_model = await self._resolve_model() if self._needs_model() else ""
        except Exception as exc:  # noqa: BLE001 - reported to the person, never raised into the UI loop
            self._emit_run_started(model="", resumed=resume is not None)
            return self._finish_error(getattr(exc, "user_message", str(exc)))
        assert self.run_id is not None  # start() names the run before its task runs
        self.ctx = RunContext(
            bus=self.bus, client=self.client, limiter=self.limiter, room=self.key, run_id=self.run_id, model=model,
            temperature=self.config.llm.temperature, max_tokens=self.config.llm.max_tokens,
            on_activity=self._activity, speakers=(self.buyer, *self.sellers),
            on_interrupted=self._keep,
        )
        next_message = self._restore(resume) if resume else None
        self._emit_run_started(model=model, resumed=resume is not None)
        self._set_state(RunState.RUNNING)
        try:
            try:
                if next_message is None and not (resume and self.transcript):
                    self.round = max(1, self.round)
                    next_message = await self._opening(opening)
                while True:
                    if next_message is not None:
                        await self._sellers_answer(next_message)
                    reply = await self._decide()
                    if reply is None:  # ended: the outcome is set
                        break
                    next_message = reply
            except _Forced:
                await self._apply_force()
        except asyncio.CancelledError:
            if self._failure:
                return self._finish_error(self._failure)
            self._finish(RunState.STOPPED, None)
            return self.state
        except _Fatal as exc:
            return self._finish_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not take the window down with it
            log.exception("run %s in %s failed", self.run_id, self.key)
            return self._finish_error(f"Unexpected error: {exc}. The transcript so far is kept.")
        return self.state

    def _emit_run_started(self, model: str, resumed: bool) -> None:
        self._emit(RunStarted, item=self.plan.item.name, quantity=self.plan.item.quantity, sellers=self.sellers,
                   buyer=self.buyer, buyer_mode=self.mode.value, max_rounds=self.max_rounds, model=model,
                   resumed=resumed, from_round=self.round, seed=self.seed,
                   agents={name: self._producer(name).model_dump(mode="json", exclude_none=True)
                           for name in (self.buyer, *self.sellers)})

    def _restore(self, snap: RunSnapshot) -> Message | None:
        """Pick up a stored run: returns the buyer message the sellers still have to answer, if any."""
        self.transcript = list(snap.messages)
        self.offer_history = list(snap.offers)
        self.violations = list(snap.violations)
        for offer in snap.offers:
            if offer.binding:
                self.standing[offer.seller] = offer
        self.round = max((m.round for m in snap.messages), default=0)
        self.ctx.message_seqs = count(max((m.seq for m in snap.messages), default=0) + 1)
        self.bus.continue_sequence(snap.run_id, snap.last_event_seq)
        last = next((m for m in reversed(self.transcript) if m.text), None)
        if last and last.role == Role.BUYER and not last.interrupted:
            return last
        return None

    async def _opening(self, opening: str | None) -> Message:
        if opening is not None:
            return self._post_typed(opening)
        if self.mode == BuyerMode.PERSON or self._typed:
            return await self._person_message()
        reply = await self._buyer_turn(
            prompts.buyer_opening(), OPENING_SCHEMA, lambda raw: parse_buyer_reply(raw, list(policy.OPENING_DECISIONS)),
            plan=self._buyer_opening_plan,
        )
        return reply.message

    async def _decide(self, refusals: int = 0) -> Message | None:
        """End of a round: the buyer continues (returns its next message), accepts, or walks away."""
        await self._gate(allow_typed=True)
        while self.mode == BuyerMode.PERSON and not self._typed:
            if self.at_round_limit:
                self._set_state(RunState.AWAITING_PERSON, "round limit reached: accept an offer or end with no deal")
                await self._wait_for(lambda: self.mode == BuyerMode.AI)
            else:
                self._set_state(RunState.AWAITING_PERSON, "your turn: type a buyer message")
                await self._wait_for(lambda: bool(self._typed) or self.mode == BuyerMode.AI)
            self._set_state(RunState.RUNNING)
        if self._typed:
            return self._next_round_with(self._typed.pop(0))
        reply = await self._ai_decision(policy.allowed_decisions(self.round, self.max_rounds, refusals))
        return await self._act_on(reply.parsed, reply.message, by=DecidedBy.AI, refusals=refusals)

    async def _ai_decision(self, decisions: list[Decision]) -> Reply[BuyerReply]:
        note, self._note = self._note, ""
        turn = prompts.buyer_decision(self.round, self.max_rounds, self.plan.item, list(self.standing.values()),
                                      self.sellers, decisions, note)

        def finalize(parsed: BuyerReply) -> tuple[int, list[str]]:
            if parsed.decision == Decision.CONTINUE:
                return self.round + 1, self._recipients(parsed.message)
            return self.round, list(self.sellers)

        return await self._buyer_turn(turn, buyer_decision_schema(decisions),
                                      lambda raw: parse_buyer_reply(raw, decisions), finalize,
                                      plan=lambda: self._buyer_decision_plan(decisions))

    async def _act_on(self, reply: BuyerReply, message: Message, by: DecidedBy, refusals: int = 0) -> Message | None:
        if reply.decision == Decision.CONTINUE:
            self._next_round(by)
            return message
        if reply.decision == Decision.ACCEPT:
            violation = self._accept(reply.seller, by, reply.message, message.seq)
            if violation is None:
                return None
            # Refused and recorded; the buyer is told why and asked again (accepting stays open up to the cap).
            self._emit(DecisionMade, decision=Decision.REFUSED, by=by, round=self.round, seller=reply.seller,
                       reason=f"{violation.attempted}, but {violation.limit}")
            self._note = f"\nYour acceptance was refused: {violation.attempted}, but {violation.limit}."
            return await self._decide(refusals + 1)
        reason = "the buyer walked away" + (" at the round limit" if self.at_round_limit else "")
        self._end(OutcomeKind.NO_DEAL, reason, by)
        return None

    async def _apply_force(self) -> None:
        forced, self._forced = self._forced, None
        if isinstance(forced, ForceAccept):
            violation = self._accept(forced.seller, DecidedBy.FORCED, forced.reason or "accepted by the person",
                                     person_reason=forced.reason)
            if violation:  # the offer changed since the person chose it
                self._end(OutcomeKind.NO_DEAL, f"forced acceptance refused: {violation.limit}", DecidedBy.FORCED)
        elif isinstance(forced, ForceNoDeal):
            self._end(OutcomeKind.NO_DEAL, forced.reason, DecidedBy.FORCED)
        elif isinstance(forced, ForceBuyerDecides):
            try:
                reply = await self._ai_decision(list(policy.FINAL_DECISIONS))
            except _Forced:
                await self._apply_force()
                return
            if reply.parsed.decision == Decision.ACCEPT:
                violation = self._accept(reply.parsed.seller, DecidedBy.AI, reply.parsed.message, reply.message.seq)
                if violation:
                    self._end(OutcomeKind.NO_DEAL, f"the buyer's acceptance was refused: {violation.limit}",
                              DecidedBy.AI)
            else:
                self._end(OutcomeKind.NO_DEAL, "the buyer walked away when asked to decide", DecidedBy.AI)

    # ----- turns ---------------------------------------------------------------------------------

    async def _ask(self, sender: str, role: Role, recipients: list[str], messages: list[dict], schema: dict,
                   parse: Callable[[str], T], finalize: Callable[[T], tuple[int, list[str]]] | None = None,
                   plan: Callable[[], StrategyPlan[T]] | None = None) -> Reply[T]:
        """The one place an agent is asked for its reply: its model, its strategy (`plan`), or both, as its
        configuration says. Whoever answers, the reply is read and checked by the same rules."""
        reply = await ask_agent(self.ctx, self._producer(sender), sender=sender, role=role, recipients=recipients,
                                round_=self.round, messages=messages, schema=schema, parse=parse, finalize=finalize,
                                plan=plan)
        self._note_disclosures(reply.message, getattr(reply.parsed, "offer_price", None))
        return reply

    def _producer(self, name: str):
        return producer_for(self.config.agent(name), self._session_model, self.config.llm.temperature, self.seed)

    def _needs_model(self) -> bool:
        """Whether any agent in this room uses a model (a room of strategies never contacts the server)."""
        return any((a := self.config.agent(name)) is None or a.kind.uses_model for name in (self.buyer, *self.sellers))

    def _strategy(self, name: str):
        agent = self.config.agent(name)
        return agent.strategy if agent is not None and agent.kind is not AgentKind.LLM else None

    def _buyer_opening_plan(self) -> StrategyPlan[BuyerReply]:
        return moves.buyer_opening_plan(self._strategy(self.buyer), buyer=self.buyer, item=self.plan.item,
                                        max_rounds=self.max_rounds, seed=self.seed)

    def _buyer_decision_plan(self, decisions: list[Decision]) -> StrategyPlan[BuyerReply]:
        return moves.buyer_decision_plan(self._strategy(self.buyer), decisions, buyer=self.buyer, item=self.plan.item,
                                         round_=self.round, max_rounds=self.max_rounds, standing=self.standing,
                                         history=self.offer_history, seed=self.seed)

    def _seller_plan(self, name: str, stock) -> StrategyPlan[SellerReply]:
        return moves.seller_plan(self._strategy(name), seller=name, stock=stock, wanted=self.plan.item.quantity,
                                 round_=self.round, max_rounds=self.max_rounds,
                                 style=self.config.seller(name).profile.speaking_style, transcript=self.transcript,
                                 seed=self.seed)

    def _note_disclosures(self, message: Message, offer_price: float | None = None) -> None:
        """A message that states its sender's private numbers is recorded as a disclosure (not a violation)."""
        if not message.text:
            return
        public = [self.plan.item.name, self.buyer, *self.sellers]
        if message.role == Role.SELLER:
            seller = self.plan.seller(message.sender)
            if seller is None:
                return
            found = seller_disclosures(message.text, seller.stock, offer_price, public)
        else:
            quoted = [o.price_per_unit for o in self.standing.values()]
            found = buyer_disclosures(message.text, self.plan.item, quoted, public)
        for d in found:
            self._emit(DisclosureMade, agent=message.sender, round=message.round, message_seq=message.seq,
                       secret=d.secret.value, value=d.value, text=d.text)

    async def _buyer_turn(self, turn_prompt: str, schema: dict, parse, finalize=None,
                          plan=None) -> Reply[BuyerReply]:
        system = prompts.buyer_system(self.buyer, self.plan.item, self.sellers)
        messages = fit_to_context(system, buyer_history(self.transcript), turn_prompt,
                                  self.config.llm.context_tokens, self.config.llm.max_tokens)
        finalize = finalize or (lambda parsed: (self.round, self._recipients(parsed.message)))
        last_error = ""
        for delay in (0.0, *self.retry_delays):
            if delay:
                await self._interruptible(asyncio.sleep(delay))
            try:
                reply = await self._interruptible(
                    self._ask(self.buyer, Role.BUYER, list(self.sellers), messages, schema, parse, finalize, plan)
                )
            except TurnFailed as exc:
                if exc.kept:
                    self._keep(exc.kept)
                last_error = exc.reason
                self._emit(ErrorRaised, message=f"The buyer could not speak: {exc.reason}", fatal=False, agent=self.buyer)
                continue
            self._keep(reply.message)
            return reply
        raise _Fatal(f"The buyer could not speak after {len(self.retry_delays) + 1} attempts: {last_error}")

    async def _sellers_answer(self, buyer_message: Message) -> None:
        # A message typed while paused also releases a pending AI message: the person asked for a round.
        await self._gate(allow_typed=True, skip=buyer_message.typed_by_person and self._paused)
        addressed = [s for s in self.sellers if normalize_name(s) in {normalize_name(r) for r in buyer_message.recipients}]
        results = await self._interruptible(
            asyncio.gather(*(self._seller_turn(name) for name in addressed), return_exceptions=True)
        )
        answered = 0
        for name, result in zip(addressed, results):
            if isinstance(result, TurnFailed):
                self._emit(SellerSilent, seller=name, round=self.round, reason=result.reason)
            elif isinstance(result, BaseException):
                raise result
            else:
                answered += 1
        if addressed and not answered:
            self._silent_rounds += 1
            if self._silent_rounds >= policy.SILENT_ROUNDS_LIMIT:
                reason = results[-1].reason if results and isinstance(results[-1], TurnFailed) else "no reply"
                raise _Fatal(f"No seller has answered for {policy.SILENT_ROUNDS_LIMIT} rounds in a row. Last problem: {reason}")
        else:
            self._silent_rounds = 0

    async def _seller_turn(self, name: str) -> None:
        seller = self.config.seller(name)
        planned = self.plan.seller(name)
        assert planned is not None  # the room's sellers are the plan's
        stock = planned.stock
        profile = seller.profile
        target = policy.seller_target(stock, profile.priority, self.round, self.max_rounds)
        system = prompts.seller_system(name, self.buyer, self.plan.item.name, stock, profile.priority, profile.speaking_style)
        turn = prompts.seller_turn(self.round, self.max_rounds, target, self.standing.get(name))
        messages = fit_to_context(system, seller_history(self.transcript, name), turn,
                                  self.config.llm.context_tokens, self.config.llm.max_tokens)
        try:
            reply = await self._ask(name, Role.SELLER, [self.buyer], messages, SELLER_SCHEMA, parse_seller_reply,
                                    plan=lambda: self._seller_plan(name, stock))
        except TurnFailed as exc:
            if exc.kept:  # appended now, so the transcript stays in message order
                self._keep(exc.kept)
            raise
        self._keep(reply.message)
        if reply.parsed.offer_price is not None:
            self._record_offer(name, stock, reply.parsed.offer_price, reply.parsed.offer_quantity, reply.message.seq)

    def _record_offer(self, name: str, stock, price: float, quantity: int | None, seq: int) -> None:
        quantity = self.plan.item.quantity if quantity is None else quantity
        violation = check_offer(name, stock, price, quantity, self.round, seq)
        offer = Offer(seller=name, price_per_unit=price, quantity=quantity, round=self.round, message_seq=seq,
                      binding=violation is None)
        self.offer_history.append(offer)
        self._emit(OfferMade, offer=offer)
        if violation:
            self._record_violation(violation)  # not binding, not clamped: the previous offer still stands
        else:
            self.standing[name] = offer

    # ----- person in the loop --------------------------------------------------------------------

    async def _person_message(self) -> Message:
        """The opening typed by the person (Person mode, or a message typed before the AI spoke)."""
        self._set_state(RunState.AWAITING_PERSON, "your turn: type a buyer message")
        await self._wait_for(lambda: bool(self._typed))
        self._set_state(RunState.RUNNING)
        return self._post_typed(self._typed.pop(0))

    def _next_round_with(self, text: str) -> Message:
        self._next_round(DecidedBy.PERSON)
        return self._post_typed(text)

    def _post_typed(self, text: str) -> Message:
        message = post_typed(self.ctx, sender=self.buyer, recipients=self._recipients(text), round_=self.round, text=text)
        self._keep(message)
        self._note_disclosures(message)
        return message

    # ----- waiting -------------------------------------------------------------------------------

    async def _gate(self, allow_typed: bool, skip: bool = False) -> None:
        """Pause takes effect here, at a turn boundary; a typed message while paused starts a round."""
        if skip:
            return
        if self._paused:
            self._set_state(RunState.PAUSED)
            await self._wait_for(lambda: not self._paused or (allow_typed and bool(self._typed)))
            self._set_state(RunState.RUNNING)
        elif self._forced:
            raise _Forced

    async def _wait_for(self, condition: Callable[[], bool]) -> None:
        while not condition():
            if self._forced:
                raise _Forced
            self._wake.clear()
            await self._wake.wait()
        if self._forced:
            raise _Forced

    async def _interruptible(self, awaitable):
        """Await something a forced decision may cut short (cancelling it: partial messages are kept)."""
        task = asyncio.ensure_future(awaitable)
        while not task.done():
            if self._forced:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise _Forced
            self._wake.clear()
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({task, waker}, return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise
            finally:
                waker.cancel()
        return task.result()

    # ----- outcomes and bookkeeping --------------------------------------------------------------

    def _check_accept(self, seller: str | None, seq: int | None = None) -> tuple[Offer | None, Violation | None]:
        return check_acceptance(self.buyer, self.plan.item, seller, self.standing, self.sellers, self.round, seq)

    def _accept(self, seller: str | None, by: DecidedBy, reason: str, seq: int | None = None,
                person_reason: str = "") -> Violation | None:
        """Accept → check → deal, for every caller: the deal is made only if the rules allow it. Otherwise the
        violation is recorded and returned, and the caller decides what the refusal means for the run."""
        offer, violation = self._check_accept(seller, seq)
        if violation is not None:
            self._record_violation(violation)
            return violation
        assert offer is not None  # _check_accept names the offer whenever it finds no violation
        self._emit(DecisionMade, decision=Decision.ACCEPT, by=by, round=self.round, seller=offer.seller, reason=reason)
        why = f"accepted {possessive(offer.seller)} offer of {money(offer.price_per_unit)} per unit"
        outcome = Outcome(kind=OutcomeKind.DEAL, seller=offer.seller, price_per_unit=offer.price_per_unit,
                          quantity=self.plan.item.quantity,
                          reason=(f"{why}: {person_reason}" if person_reason else why)[:500])
        self._finish(RunState.DECIDED, outcome)
        return None

    def _next_round(self, by: DecidedBy) -> None:
        self._emit(DecisionMade, decision=Decision.CONTINUE, by=by, round=self.round)
        self._round_finished()
        self.round += 1

    def _end(self, kind: OutcomeKind, reason: str, by: DecidedBy) -> None:
        self._emit(DecisionMade, decision=Decision.WALK_AWAY, by=by, round=self.round, reason=reason)
        self._finish(RunState.NO_DEAL, Outcome(kind=kind, reason=reason[:500]))

    def _finish(self, state: RunState, outcome: Outcome | None) -> None:
        self.outcome = outcome
        self._set_state(state)
        self._emit(RunFinished, state=state, outcome=outcome, rounds=self.round)

    def _finish_error(self, message: str) -> RunState:
        self._emit(ErrorRaised, message=message, fatal=True)
        self._finish(RunState.ERROR, None)
        return self.state

    def _round_finished(self) -> None:
        self._emit(RoundFinished, round=self.round, standing_offers=list(self.standing.values()))

    def _record_violation(self, violation: Violation) -> None:
        self.violations.append(violation)
        self._emit(ViolationRecorded, violation=violation)

    def _recipients(self, text: str) -> list[str]:
        return parse_mentions(text, self.sellers).sellers or list(self.sellers)

    def _activity(self, requests: int, streaming: int) -> None:
        """'Waiting for server' while requests are out and none of them is producing tokens yet."""
        self._in_flight += requests
        self._streaming += streaming
        if self.state in (RunState.RUNNING, RunState.WAITING):
            waiting = self._in_flight > 0 and self._streaming == 0
            self._set_state(RunState.WAITING if waiting else RunState.RUNNING)

    def _set_state(self, state: RunState, detail: str = "") -> None:
        if state == self.state and not detail:
            return
        self.state = state
        self._emit(StateChanged, state=state, round=self.round, detail=detail)

    def _emit(self, cls, **fields) -> None:
        self.bus.emit(cls(room=self.key, run_id=self.run_id, **fields))
