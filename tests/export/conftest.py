"""Storage fixtures: a real SQLite file in tmp_path."""
import pytest

from negotiator_app.storage import Store


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "test.sqlite3") as s:
        yield s
