"""PostgreSQL clients from PyPI against one workspace: psycopg 3, asyncpg,
SQLAlchemy 2 (Core, and pandas through it), and the catalog a GUI reads
first. SLUICE_WORKSPACE_URL is the workspace's connection string, as
Credentials & Access shows it. Each test makes its own tables and drops
them, so the file also passes against PostgreSQL itself."""

import asyncio
import os
import uuid

import asyncpg
import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa

URL = os.environ["SLUICE_WORKSPACE_URL"]


def table(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_psycopg_round_trips_typed_values():
    name = table("psy")
    with psycopg.connect(URL, connect_timeout=10) as conn:
        assert conn.info.transaction_status is not None
        conn.execute(
            f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, label TEXT NOT NULL,"
            " score DOUBLE PRECISION, active BOOLEAN, payload BYTEA)"
        )
        rows = [(1, "one", 1.5, True, b"\x00\x01"), (2, "two", None, False, None), (3, "three", -2.25, True, b"")]
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {name} (id, label, score, active, payload) VALUES (%s, %s, %s, %s, %s)", rows)
            cur.execute(f"SELECT id, label, score, active, payload FROM {name} WHERE id >= %s ORDER BY id", (2,))
            got = cur.fetchall()
        assert got == [(2, "two", None, False, None), (3, "three", -2.25, True, b"")]
        # Server-side prepared statements, as psycopg makes them for a repeated query.
        for i in range(6):
            row = conn.execute(f"SELECT label FROM {name} WHERE id = %s", (1,), prepare=True).fetchone()
            assert row == ("one",)
        conn.commit()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(f"INSERT INTO {name} (id, label) VALUES (%s, %s)", (1, "again"))
        conn.rollback()
        with conn.transaction():
            conn.execute(f"UPDATE {name} SET label = %s WHERE id = %s", ("uno", 1))
        assert conn.execute(f"SELECT label FROM {name} WHERE id = 1").fetchone() == ("uno",)
        conn.execute(f"DROP TABLE {name}")
        conn.commit()


def test_asyncpg_executemany_and_typed_parameters():
    async def run():
        name = table("apg")
        conn = await asyncpg.connect(URL, timeout=10)
        try:
            await conn.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, qty BIGINT, price DOUBLE PRECISION, note TEXT)")
            await conn.executemany(
                f"INSERT INTO {name} (id, qty, price, note) VALUES ($1, $2, $3, $4)",
                [(i, i * 10, i / 4, f"n{i}") for i in range(1, 51)],
            )
            assert await conn.fetchval(f"SELECT count(*) FROM {name} WHERE qty > $1", 100) == 40
            row = await conn.fetchrow(f"SELECT id, qty, price, note FROM {name} WHERE id = $1", 7)
            assert (row["id"], row["qty"], row["price"], row["note"]) == (7, 70, 1.75, "n7")
            stmt = await conn.prepare(f"SELECT note FROM {name} WHERE id = $1")
            assert [await stmt.fetchval(i) for i in (1, 2, 3)] == ["n1", "n2", "n3"]
            async with conn.transaction():
                await conn.execute(f"DELETE FROM {name} WHERE id > $1", 10)
            assert await conn.fetchval(f"SELECT count(*) FROM {name}") == 10
            with pytest.raises(asyncpg.exceptions.UniqueViolationError):
                await conn.execute(f"INSERT INTO {name} (id) VALUES ($1)", 1)
            await conn.execute(f"DROP TABLE {name}")
        finally:
            await conn.close()

    asyncio.run(run())


def sqlalchemy_url():
    return URL.replace("postgres://", "postgresql+psycopg://", 1)


def test_sqlalchemy_core_creates_reflects_and_queries():
    engine = sa.create_engine(sqlalchemy_url())
    meta = sa.MetaData()
    name = table("sa")
    things = sa.Table(
        name,
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("weight", sa.Float),
        sa.Column("fragile", sa.Boolean),
    )
    try:
        meta.create_all(engine)
        meta.create_all(engine)  # checks first, so the second does nothing
        with engine.begin() as conn:
            conn.execute(things.insert(), [{"id": i, "name": f"t{i}", "weight": i * 0.5, "fragile": i % 2 == 0} for i in range(1, 21)])
        with engine.connect() as conn:
            heavy = conn.execute(sa.select(things.c.name).where(things.c.weight > 8).order_by(things.c.id)).scalars().all()
            assert heavy == ["t17", "t18", "t19", "t20"]
            total = conn.execute(sa.select(sa.func.count()).select_from(things).where(things.c.fragile)).scalar()
            assert total == 10
        inspector = sa.inspect(engine)
        assert name in inspector.get_table_names()
        columns = {c["name"]: c for c in inspector.get_columns(name)}
        assert list(columns) == ["id", "name", "weight", "fragile"]
        assert isinstance(columns["id"]["type"], sa.Integer)
        assert isinstance(columns["name"]["type"], sa.String)
        assert columns["name"]["nullable"] is False
        assert columns["id"]["nullable"] is False
    finally:
        meta.drop_all(engine)
        engine.dispose()
    assert name not in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_pandas_to_sql_and_read_sql():
    engine = sa.create_engine(sqlalchemy_url())
    name = table("pd")
    frame = pd.DataFrame({"city": ["Lisbon", "Oslo", "Quito"], "people": [545_000, 709_000, 2_800_000], "rain_mm": [774.0, 763.5, 1_070.2], "coastal": [True, True, False]})
    try:
        frame.to_sql(name, engine, index=False)
        frame.to_sql(name, engine, index=False, if_exists="append")
        back = pd.read_sql(sa.text(f"SELECT city, people, rain_mm, coastal FROM {name} WHERE people > :n ORDER BY city"), engine, params={"n": 600_000})
        assert back["city"].tolist() == ["Oslo", "Oslo", "Quito", "Quito"]
        assert back["people"].tolist() == [709_000, 709_000, 2_800_000, 2_800_000]
        assert back["rain_mm"].tolist() == [763.5, 763.5, 1_070.2, 1_070.2]
        assert back["coastal"].tolist() == [True, True, False, False]
        whole = pd.read_sql(sa.select(sa.text("*")).select_from(sa.table(name)), engine)
        assert len(whole) == 6 and list(whole.columns) == ["city", "people", "rain_mm", "coastal"]
        frame.head(2).to_sql(name, engine, index=False, if_exists="append", method="multi")
        assert len(pd.read_sql(f"SELECT * FROM {name}", engine)) == 8
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
        engine.dispose()


def test_a_gui_first_look_at_the_catalog():
    name = table("gui")
    with psycopg.connect(URL, connect_timeout=10, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, title VARCHAR(80) NOT NULL, body TEXT)")
        version = conn.execute("SELECT version()").fetchone()[0]
        assert version.startswith("PostgreSQL ")
        database, schema, user = conn.execute("SELECT current_database(), current_schema(), current_user").fetchone()
        assert database == conn.info.dbname and schema == "public" and user == conn.info.user
        assert conn.execute("SHOW server_version").fetchone()[0][:2].isdigit()
        assert conn.execute("SELECT set_config('application_name', 'gui', false)").fetchone() == ("gui",)
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )]
        assert name in tables
        columns = conn.execute(
            "SELECT column_name, data_type, is_nullable, ordinal_position FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
            (name,),
        ).fetchall()
        assert [(c[0], c[2], c[3]) for c in columns] == [("id", "NO", 1), ("title", "NO", 2), ("body", "YES", 3)]
        assert columns[0][1] == "integer" and columns[2][1] == "text"
        schemas = [r[0] for r in conn.execute("SELECT nspname FROM pg_catalog.pg_namespace ORDER BY nspname")]
        assert "public" in schemas
        conn.execute(f"DROP TABLE {name}")
