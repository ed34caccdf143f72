"""What an experiment's report needs of each stored run, read with a few aggregate queries.

Loading whole transcripts (every message, recipient and event as models) costs tens of milliseconds per run;
a report over a thousand runs needs only counts, the outcome and the configuration, which SQLite groups in
one pass over each table's run_id index.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection

from ..domain import Outcome, RunState
from .db import sqlite_connection
from .store import Store

CHUNK = 500  # run ids per query: well under SQLite's limit on bound parameters


@dataclass(slots=True)
class RunFacts:
    run_id: str
    room_key: str
    item: str
    quantity: int
    state: RunState
    rounds: int
    parse_failures: int
    config_json: str
    outcome: Outcome | None = None
    messages: int = 0
    seller_messages: int = 0
    model_messages: int = 0  # not written by a strategy (a model's, or typed by a person)
    violations_by_agent: dict[str, int] = field(default_factory=dict)
    disclosures: int = 0
    silent_without_parse_failure: int = 0  # seller_silent events with no parse failure of that agent and round
    timed_usage: list[tuple[int, float]] = field(default_factory=list)  # (completion tokens, seconds), in seq order


_RUNS = """
SELECT r.id, rm.room_key, r.item, r.quantity, r.state, r.rounds, r.parse_failures, r.config_json,
       o.kind, o.seller, o.price_per_unit, o.quantity, o.reason
FROM runs r JOIN rooms rm ON rm.id = r.room_id LEFT JOIN outcomes o ON o.run_id = r.id
WHERE r.id IN ({ids})"""
_MESSAGES = """
SELECT m.run_id, count(*), sum(m.role = 'seller'), sum(p.agent_kind IS NULL OR p.agent_kind != 'strategy')
FROM messages m LEFT JOIN message_productions p ON p.message_id = m.id
WHERE m.run_id IN ({ids}) GROUP BY m.run_id"""
_VIOLATIONS = "SELECT run_id, agent, count(*) FROM violations WHERE run_id IN ({ids}) GROUP BY run_id, agent"
_DISCLOSURES = "SELECT run_id, count(*) FROM disclosures WHERE run_id IN ({ids}) GROUP BY run_id"
_SILENT = """
SELECT s.run_id, count(*) FROM run_events s
WHERE s.run_id IN ({ids}) AND s.kind = 'seller_silent' AND NOT EXISTS (
    SELECT 1 FROM run_events f WHERE f.run_id = s.run_id AND f.kind = 'parse_failed'
    AND f.agent IS s.agent AND f.round IS s.round)
GROUP BY s.run_id"""
_TIMED = """
SELECT m.run_id, u.completion_tokens, u.duration_s FROM usage u JOIN messages m ON m.id = u.message_id
WHERE m.run_id IN ({ids}) AND u.completion_tokens AND u.duration_s ORDER BY m.run_id, m.seq"""


def run_facts(store: Store, run_ids: list[str]) -> dict[str, RunFacts]:
    """The facts of each of `run_ids` that is stored (a missing one is left out)."""
    found: dict[str, RunFacts] = {}
    with store.reading() as conn:
        for start in range(0, len(run_ids), CHUNK):
            _read_chunk(conn, run_ids[start:start + CHUNK], found)
    return found


def _read_chunk(conn: Connection, run_ids: list[str], found: dict[str, RunFacts]) -> None:
    sql = sqlite_connection(conn)  # plain reads of plain columns: no statement building per chunk

    def query(template: str):
        return sql.execute(template.format(ids=", ".join("?" * len(run_ids))), run_ids)

    for (run_id, room_key, item, quantity, state, rounds, parse_failures, config_json,
         kind, seller, price, deal_quantity, reason) in query(_RUNS):
        outcome = None if kind is None else Outcome(kind=kind, seller=seller, price_per_unit=price,
                                                    quantity=deal_quantity, reason=reason)
        found[run_id] = RunFacts(run_id, room_key, item, quantity, RunState(state), rounds, parse_failures,
                                 config_json, outcome)
    for run_id, messages, sellers, by_models in query(_MESSAGES):
        facts = found[run_id]
        facts.messages, facts.seller_messages, facts.model_messages = messages, sellers, by_models
    by_agent: dict[str, dict[str, int]] = defaultdict(dict)
    for run_id, agent, n in query(_VIOLATIONS):
        by_agent[run_id][agent] = n
    for run_id, agents in by_agent.items():
        found[run_id].violations_by_agent = agents
    for run_id, n in query(_DISCLOSURES):
        found[run_id].disclosures = n
    for run_id, n in query(_SILENT):
        found[run_id].silent_without_parse_failure = n
    for run_id, tokens, seconds in query(_TIMED):
        found[run_id].timed_usage.append((tokens, seconds))
