"""Session rows: a SessionConfig written into (and read back from) the buyer, seller and inventory tables."""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select, text, update

from ..domain import AgentConfig
from ..domain.config import STORED, SessionConfig
from ..domain.names import normalize_name
from .models import SessionSummary, StoredSession
from .schema import agent_configs, buyer_items, inventory, sellers, sessions


def now() -> datetime:
    return datetime.now(UTC)


def insert_session(conn: Connection, config: SessionConfig, created_at: datetime | None = None) -> int:
    at = created_at or now()
    session_id = conn.execute(insert(sessions).values(  # type: ignore[index]  # typed Optional; set for every single-row INSERT
        name=config.name, buyer_name=config.buyer.name, llm_json=_llm_json(config), created_at=at, updated_at=at,
    )).inserted_primary_key[0]
    _insert_parts(conn, session_id, config)
    return session_id


def replace_config(conn: Connection, session_id: int, config: SessionConfig) -> None:
    """Edits replace the buyer, sellers and inventory; stored runs keep the configuration they used."""
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(
        name=config.name, buyer_name=config.buyer.name, llm_json=_llm_json(config), updated_at=now()))
    conn.execute(delete(buyer_items).where(buyer_items.c.session_id == session_id))
    conn.execute(delete(agent_configs).where(agent_configs.c.session_id == session_id))
    conn.execute(delete(sellers).where(sellers.c.session_id == session_id))  # inventory cascades
    _insert_parts(conn, session_id, config)


def _llm_json(config: SessionConfig) -> str:
    return json.dumps(config.llm.model_dump(mode="json"))  # api_key is excluded by the model itself


def _insert_agent(conn: Connection, session_id: int, seller_id: int | None, agent: AgentConfig | None) -> None:
    if agent is not None:  # none: the session's model
        conn.execute(insert(agent_configs).values(session_id=session_id, seller_id=seller_id,
                                                  agent_json=agent.model_dump_json(exclude_none=True)))


def _insert_parts(conn: Connection, session_id: int, config: SessionConfig) -> None:
    _insert_agent(conn, session_id, None, config.buyer.agent)
    for pos, item in enumerate(config.buyer.items):
        conn.execute(insert(buyer_items).values(session_id=session_id, position=pos, **item.model_dump()))
    for pos, seller in enumerate(config.sellers):
        seller_id = conn.execute(insert(sellers).values(  # type: ignore[index]  # typed Optional; set for every single-row INSERT
            session_id=session_id, position=pos, name=seller.name, name_key=normalize_name(seller.name),
            priority=seller.profile.priority.value, speaking_style=seller.profile.speaking_style.value,
        )).inserted_primary_key[0]
        _insert_agent(conn, session_id, seller_id, seller.agent)
        for ipos, stock in enumerate(seller.inventory):
            conn.execute(insert(inventory).values(seller_id=seller_id, position=ipos, **stock.model_dump()))


def read_config(conn: Connection, session_id: int) -> tuple[SessionConfig, dict]:
    row = conn.execute(select(sessions).where(sessions.c.id == session_id)).mappings().first()
    if row is None:
        raise KeyError(session_id)
    items = conn.execute(select(buyer_items).where(buyer_items.c.session_id == session_id)
                         .order_by(buyer_items.c.position)).mappings().all()
    seller_rows = conn.execute(select(sellers).where(sellers.c.session_id == session_id)
                               .order_by(sellers.c.position)).mappings().all()
    stock = conn.execute(select(inventory).join(sellers).where(sellers.c.session_id == session_id)
                         .order_by(inventory.c.position)).mappings().all()
    agents = {r["seller_id"]: json.loads(r["agent_json"]) for r in conn.execute(
        select(agent_configs).where(agent_configs.c.session_id == session_id)).mappings()}
    item_fields = ("name", "quantity", "min_price", "max_price")
    stock_fields = ("name", "cost_price", "least_price", "selling_price", "quantity_available")
    data = {
        "name": row["name"],
        "buyer": {"name": row["buyer_name"], "items": [{k: i[k] for k in item_fields} for i in items],
                  "agent": agents.get(None)},
        "sellers": [
            {"name": s["name"], "profile": {"priority": s["priority"], "speaking_style": s["speaking_style"]},
             "inventory": [{k: v[k] for k in stock_fields} for v in stock if v["seller_id"] == s["id"]],
             "agent": agents.get(s["id"])}
            for s in seller_rows
        ],
        "llm": json.loads(row["llm_json"]),
    }
    return SessionConfig.model_validate(data, context=STORED), dict(row)  # bounds added later never lock it out


def get_session(conn: Connection, session_id: int) -> StoredSession:
    config, row = read_config(conn, session_id)
    arm = conn.execute(text(_ARM_SQL), {"id": session_id}).first()
    return StoredSession(id=session_id, name=row["name"], config=config, created_at=row["created_at"],
                         updated_at=row["updated_at"], experiment_id=arm[0] if arm else None, arm=arm[1] if arm else None)


# An experiment stores each arm's configuration as a session of its own; this finds the arm a session is.
_ARM_SQL = "SELECT a.experiment_id, a.name FROM experiment_arms a WHERE a.session_id = :id"


_SUMMARY_SQL = """
SELECT s.id, s.name, s.created_at, s.updated_at,
  (SELECT count(*) FROM buyer_items b WHERE b.session_id = s.id) AS items,
  (SELECT count(*) FROM sellers v WHERE v.session_id = s.id) AS sellers,
  (SELECT count(*) FROM runs r JOIN rooms m ON r.room_id = m.id WHERE m.session_id = s.id) AS runs,
  (SELECT max(coalesce(r.finished_at, r.started_at)) FROM runs r JOIN rooms m ON r.room_id = m.id
     WHERE m.session_id = s.id) AS last_run,
  (SELECT max(g.created_at) FROM messages g JOIN runs r ON g.run_id = r.id JOIN rooms m ON r.room_id = m.id
     WHERE m.session_id = s.id) AS last_message,
  a.experiment_id, a.name AS arm
FROM sessions s LEFT JOIN experiment_arms a ON a.session_id = s.id
"""


def list_summaries(conn: Connection, session_id: int | None = None) -> list[SessionSummary]:
    sql, params = _SUMMARY_SQL, {}
    if session_id is not None:
        sql, params = sql + " WHERE s.id = :id", {"id": session_id}
    out = []
    for r in conn.execute(text(sql), params).mappings():
        # Times are stored as ISO-8601 UTC text, so max() over text is the latest moment.
        moments = [datetime.fromisoformat(v) for v in (r["updated_at"], r["last_run"], r["last_message"]) if v]
        out.append(SessionSummary(id=r["id"], name=r["name"], item_count=r["items"], seller_count=r["sellers"],
                                  run_count=r["runs"], created_at=datetime.fromisoformat(r["created_at"]),
                                  last_activity=max(moments), experiment_id=r["experiment_id"], arm=r["arm"]))
    out.sort(key=lambda s: (s.last_activity, s.id), reverse=True)
    return out
