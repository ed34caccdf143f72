"""The database itself refuses rows that break the domain rules (raw SQL, bypassing pydantic)."""
from __future__ import annotations

import sqlite3

import pytest

from tests.storage.support import RUN_CABLES, cable_events, record, small_config

NOW = "'2025-01-01T00:00:00+00:00'"


@pytest.fixture
def db(store):
    session_id = store.create_session(small_config()).id
    record(store, session_id, cable_events()[:6]).close()  # a run with participants and an offer
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn, session_id
    conn.close()


def seller_id(conn) -> int:
    return conn.execute("SELECT id FROM sellers ORDER BY id LIMIT 1").fetchone()[0]


BAD_ROWS = {
    "item min not below max": "INSERT INTO buyer_items (session_id, position, name, quantity, min_price, max_price) "
                              "VALUES ({s}, 9, 'X', 1, 5, 5)",
    "item negative min": "INSERT INTO buyer_items (session_id, position, name, quantity, min_price, max_price) "
                         "VALUES ({s}, 9, 'X', 1, -1, 5)",
    "item quantity zero": "INSERT INTO buyer_items (session_id, position, name, quantity, min_price, max_price) "
                          "VALUES ({s}, 9, 'X', 0, 1, 5)",
    "item name too long": "INSERT INTO buyer_items (session_id, position, name, quantity, min_price, max_price) "
                          "VALUES ({s}, 9, '" + "x" * 101 + "', 1, 1, 5)",
    "cost not below floor": "INSERT INTO inventory (seller_id, position, name, cost_price, least_price, selling_price,"
                            " quantity_available) VALUES ({v}, 9, 'X', 5, 5, 9, 1)",
    "floor not below ask": "INSERT INTO inventory (seller_id, position, name, cost_price, least_price, selling_price,"
                           " quantity_available) VALUES ({v}, 9, 'X', 1, 9, 9, 1)",
    "stock zero": "INSERT INTO inventory (seller_id, position, name, cost_price, least_price, selling_price,"
                  " quantity_available) VALUES ({v}, 9, 'X', 1, 2, 3, 0)",
    "seller name with @": "INSERT INTO sellers (session_id, position, name, name_key, priority, speaking_style) "
                          "VALUES ({s}, 9, 'a@b', 'ab', 'balanced', 'neutral')",
    "seller handle twice": "INSERT INTO sellers (session_id, position, name, name_key, priority, speaking_style) "
                           "VALUES ({s}, 9, 'BOLT', 'bolt', 'balanced', 'neutral')",
    "unknown priority": "INSERT INTO sellers (session_id, position, name, name_key, priority, speaking_style) "
                        "VALUES ({s}, 9, 'Zed', 'zed', 'greedy', 'neutral')",
    "item of a missing session": "INSERT INTO buyer_items (session_id, position, name, quantity, min_price, max_price)"
                                 " VALUES (999, 0, 'X', 1, 1, 5)",
    "unknown run state": "UPDATE runs SET state = 'exploded'",
    "binding offer below zero": f"INSERT INTO offers (run_id, seller, price_per_unit, quantity, round, message_seq,"
                                f" binding) VALUES ('{RUN_CABLES}', 'Bolt', -1, 10, 1, 2, 1)",
    "offer by a non-participant": f"INSERT INTO offers (run_id, seller, price_per_unit, quantity, round, message_seq,"
                                  f" binding) VALUES ('{RUN_CABLES}', 'Mallory', 5, 10, 1, 2, 1)",
    "message by a non-participant": f"INSERT INTO messages (run_id, seq, round, sender, role, text, reasoning,"
                                    f" typed_by_person, interrupted, created_at) VALUES ('{RUN_CABLES}', 99, 1,"
                                    f" 'Mallory', 'seller', 'hi', '', 0, 0, {NOW})",
    "seller message typed by a person": f"INSERT INTO messages (run_id, seq, round, sender, role, text, reasoning,"
                                        f" typed_by_person, interrupted, created_at) VALUES ('{RUN_CABLES}', 99, 1,"
                                        f" 'Bolt', 'seller', 'hi', '', 1, 0, {NOW})",
    "message seq twice": f"INSERT INTO messages (run_id, seq, round, sender, role, text, reasoning,"
                         f" typed_by_person, interrupted, created_at) VALUES ('{RUN_CABLES}', 1, 1,"
                         f" 'Bolt', 'seller', 'hi', '', 0, 0, {NOW})",
    "unknown violation kind": f"INSERT INTO violations (run_id, kind, agent, attempted, limit_text, round) "
                              f"VALUES ('{RUN_CABLES}', 'rudeness', 'Bolt', 'x', 'y', 1)",
    "deal without a binding offer": f"INSERT INTO outcomes (run_id, kind, seller, price_per_unit, quantity, reason)"
                                    f" VALUES ('{RUN_CABLES}', 'deal', 'Acme', 6, 10, '')",
    "deal at a price never offered": f"INSERT INTO outcomes (run_id, kind, seller, price_per_unit, quantity, reason)"
                                     f" VALUES ('{RUN_CABLES}', 'deal', 'Bolt', 6.5, 10, '')",
    "no-deal with a price": f"INSERT INTO outcomes (run_id, kind, seller, price_per_unit, quantity, reason)"
                            f" VALUES ('{RUN_CABLES}', 'no_deal', NULL, 6, NULL, '')",
    "negative tokens": "INSERT INTO usage (message_id, prompt_tokens) VALUES ((SELECT max(id) FROM messages), -5)",
}


@pytest.mark.parametrize("sql", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_database_rejects_rule_breaking_rows(db, sql):
    conn, session_id = db
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql.format(s=session_id, v=seller_id(conn)))


def test_the_matching_good_rows_are_accepted(db, store):
    """The rules above reject only what they should: a deal on Bolt's binding offer is fine."""
    conn, _ = db
    conn.execute(f"INSERT INTO outcomes (run_id, kind, seller, price_per_unit, quantity, reason)"
                 f" VALUES ('{RUN_CABLES}', 'deal', 'Bolt', 7.0, 10, '')")
    outcome = store.load_run(RUN_CABLES).outcome  # read back through the app's own store, from another connection
    assert (outcome.kind, outcome.seller, outcome.price_per_unit, outcome.quantity) == ("deal", "Bolt", 7.0, 10)


def test_at_most_ten_sellers(db):
    conn, session_id = db
    for n in range(8):
        conn.execute(f"INSERT INTO sellers (session_id, position, name, name_key, priority, speaking_style) "
                     f"VALUES ({session_id}, {n + 2}, 'S{n}', 's{n}', 'balanced', 'neutral')")
    with pytest.raises(sqlite3.IntegrityError, match="at most 10 sellers"):
        conn.execute(f"INSERT INTO sellers (session_id, position, name, name_key, priority, speaking_style) "
                     f"VALUES ({session_id}, 20, 'S11', 's11', 'balanced', 'neutral')")
