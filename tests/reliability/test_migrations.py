"""C32: migrations build exactly the models' schema on both backends, with one head, and step down and up."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from portal import migrations
from portal.db import make_engine
from portal.services.search.index import include_name
from tests.conftest import BACKENDS, PG_URL, create_pg_database, drop_pg_database


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
    else:
        url = create_pg_database(PG_URL, "m")
        engine = make_engine(url)
        yield engine
        engine.dispose()
        drop_pg_database(PG_URL, url)


def test_single_head():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations.HERE))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1


def test_upgrade_head_matches_models(empty_engine):
    migrations.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []


def test_downgrade_to_base_and_up_again(empty_engine):
    migrations.upgrade(empty_engine)
    cfg = migrations.alembic_config(empty_engine)
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(empty_engine)
    assert "user_account" in inspect(empty_engine).get_table_names()


def test_each_revision_steps_down_and_up_with_data(empty_engine):
    """Upgrade with a row in place, then one step down and back up at every revision."""
    migrations.upgrade(empty_engine, "0001")
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (name, datacite_member_id, ror_id, country, notes, active, "
                          "created_at, updated_at) VALUES ('Kept', 'KEPT', '', 'DE', '', true, "
                          "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    migrations.upgrade(empty_engine)
    cfg = migrations.alembic_config(empty_engine)
    script = ScriptDirectory.from_config(cfg)
    revisions = [r.revision for r in script.walk_revisions()]
    for revision in revisions[:-1]:
        with empty_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, f"{revision}-1" if revision != revisions[-1] else "base")
        migrations.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM organisation")).scalar_one() == "Kept"
