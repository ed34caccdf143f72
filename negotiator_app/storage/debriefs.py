"""Debrief rows: the stored AI debriefs of a session, replaced as a whole set when regenerated."""
from __future__ import annotations

import json

from sqlalchemy import Connection, delete, insert, select

from .models import Debrief
from .schema import debriefs, rooms, runs


def replace_debriefs(conn: Connection, session_id: int, items: list[Debrief]) -> None:
    """Deletes the session's debriefs and writes `items` (run ids must be runs of that session's rooms)."""
    for d in items:
        if d.run_id is None:
            continue
        room = conn.execute(select(rooms.c.session_id, rooms.c.room_key).join(runs, runs.c.room_id == rooms.c.id)
                            .where(runs.c.id == d.run_id)).first()
        if room is None or room.session_id != session_id or room.room_key != d.room_key:
            raise ValueError(f"run {d.run_id} is not a run of {d.room_key} in session {session_id}")
    conn.execute(delete(debriefs).where(debriefs.c.session_id == session_id))
    for d in items:
        conn.execute(insert(debriefs).values(
            session_id=session_id, room_key=d.room_key, item=d.item, run_id=d.run_id, model=d.model,
            created_at=d.created_at, text=d.text, unknown_citations=json.dumps(d.unknown_citations)))


def load_debriefs(conn: Connection, session_id: int) -> list[Debrief]:
    """The session debrief first, then the items in room order."""
    rows = conn.execute(select(debriefs).where(debriefs.c.session_id == session_id)).mappings().all()
    out = [Debrief(room_key=r["room_key"], item=r["item"], run_id=r["run_id"], model=r["model"],
                   created_at=r["created_at"], text=r["text"], unknown_citations=json.loads(r["unknown_citations"]))
           for r in rows]
    out.sort(key=lambda d: -1 if d.room_key is None else int(d.room_key.split("-")[1]))
    return out

