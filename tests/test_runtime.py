"""The opened-session runtime pauses its rooms when the database stops taking writes."""
import asyncio

from negotiator_app.domain import RunState
from negotiator_app.runtime import SessionRuntime, client_factory
from negotiator_app.storage import Store
from tests.engine.support import Script, make_config
from tests.fakes.fake_lmstudio import FakeLMStudio
from tests.hardening.test_storage_faults import _install_fault


def test_a_database_that_stops_taking_writes_pauses_the_running_rooms(tmp_path):
    db = tmp_path / "negotiator.sqlite3"
    with FakeLMStudio(per_token_delay_s=0.002) as fake:
        fake.responder = Script(decide=lambda r, b: {"decision": "continue", "seller": None, "message": "Lower?"})

        async def main():
            store = Store.open(db)
            session_id = store.create_session(make_config(2, items=2, rounds=30)).id
            errors = []
            runtime = SessionRuntime(store, session_id, client_factory(fake.base_url), on_storage_error=errors.append)
            fault = _install_fault(store, db, "read_only")
            runtime.engine.start_all()
            rooms = list(runtime.engine.rooms.values())
            while min(r.round for r in rooms) < 2:
                await asyncio.sleep(0.005)
            fault["switch"](True)
            for _ in range(1000):
                if errors and all(r.state == RunState.PAUSED for r in rooms):
                    break
                await asyncio.sleep(0.01)
            states = [r.state for r in rooms]
            fault["switch"](False)
            await runtime.close()
            store.close()
            return errors, states
        errors, states = asyncio.run(main())
    assert errors and "read-only" in errors[0].user_message
    assert states == [RunState.PAUSED, RunState.PAUSED]
