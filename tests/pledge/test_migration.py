"""0016: recorded pledge dates become signatures, and go back on downgrade."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from tests.test_migrations import fresh_database_url  # noqa: F401  (fixture)
from wg import create_app
from wg.config import TestConfig
from wg.extensions import db


def test_pledge_dates_move_into_signatures_and_back(fresh_database_url):  # noqa: F811
    app = create_app(TestConfig(fresh_database_url))
    with app.app_context():
        upgrade(revision="0015_perf_counts")
        engine = create_engine(fresh_database_url)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO participants (id, code, name, kind, pledge_signed_date) VALUES "
                "(1, 'MEX', 'Mexico', 'country', '2024-09-24'), "
                "(2, 'PER', 'Peru', 'country', NULL)"))
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT participant_id, signed_on, version FROM "
                                     "pledge_signatures")).all()
        assert [(r[0], str(r[1]), r[2]) for r in rows] == [(1, "2024-09-24", 1)]
        columns = {c["name"] for c in inspect(engine).get_columns("participants")}
        assert "pledge_signed_date" not in columns
        downgrade(revision="0015_perf_counts")
        with engine.connect() as conn:
            dates = conn.execute(text("SELECT code, pledge_signed_date FROM participants "
                                      "ORDER BY code")).all()
        assert [(r[0], r[1] and str(r[1])) for r in dates] == [("MEX", "2024-09-24"),
                                                                ("PER", None)]
        assert "pledge_signatures" not in inspect(engine).get_table_names()
        engine.dispose()
        db.engine.dispose()
