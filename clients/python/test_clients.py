"""PostgreSQL clients from PyPI against one workspace: psycopg 3, asyncpg,
SQLAlchemy 2 (Core, the ORM, and pandas through it), a Django project's
migrations and ORM, psql's \\copy, and the catalog a GUI reads first. SLUICE_WORKSPACE_URL is the workspace's connection string, as
Credentials & Access shows it. Each test makes its own tables and drops
them, so the file also passes against PostgreSQL itself."""

import asyncio
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timezone
from decimal import Decimal

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


def test_postgresql_types_ids_and_a_failed_transaction():
    name = table("types")
    with psycopg.connect(URL, connect_timeout=10) as conn:
        conn.execute(
            f"CREATE TABLE {name} (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY,"
            " price numeric(12, 2), tags text[], doc jsonb, at timestamptz DEFAULT now(), day date)"
        )
        row = conn.execute(
            f"INSERT INTO {name} (price, tags, doc, day) VALUES (%s, %s, %s, %s) RETURNING id, n, at",
            (Decimal("19.99"), ["a", "b"], psycopg.types.json.Jsonb({"k": [1, 2]}), "2024-01-31"),
        ).fetchone()
        assert row[0] == 1 and row[1] == 1
        assert abs((row[2] - datetime.now(timezone.utc)).total_seconds()) < 60
        got = conn.execute(
            f"SELECT price * 3, tags[2], doc -> 'k' ->> 1, day + 1, pg_typeof(price)::text FROM {name}"
        ).fetchone()
        assert got == (Decimal("59.97"), "b", "2", datetime(2024, 2, 1).date(), "numeric")
        conn.commit()
        # An error inside a transaction: COMMIT keeps nothing of it.
        conn.execute(f"INSERT INTO {name} (price) VALUES (1)")
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("SELECT 1 / 0")
        conn.rollback()
        assert conn.execute(f"SELECT count(*) FROM {name}").fetchone() == (1,)
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            conn.execute(f"CREATE TABLE {name}_v (s varchar(3))")
            conn.execute(f"INSERT INTO {name}_v VALUES ('toolong')")
        conn.rollback()
        conn.execute(f"DROP TABLE {name}")
        conn.commit()


def test_psql_copy_from_a_local_file(tmp_path):
    name = table("copy")
    data = tmp_path / "rows.csv"
    data.write_text("".join(f"{i},row {i}\n" for i in range(1, 1001)))
    script = f"CREATE TABLE {name} (id int PRIMARY KEY, label text);\n\\copy {name} FROM '{data}' WITH (FORMAT csv)\nSELECT count(*), max(label) FROM {name};\nDROP TABLE {name};\n"
    out = subprocess.run(
        ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", URL],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    assert out.returncode == 0, out.stderr
    assert "COPY 1000" in out.stdout and "1000|row 999" in out.stdout, out.stdout


def test_sqlalchemy_orm_with_a_relationship():
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

    suffix = uuid.uuid4().hex[:8]

    class Base(DeclarativeBase):
        pass

    class Author(Base):
        __tablename__ = f"author_{suffix}"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        books: Mapped[list["Book"]] = relationship(back_populates="author", cascade="all, delete-orphan")

    class Book(Base):
        __tablename__ = f"book_{suffix}"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]
        author_id: Mapped[int] = mapped_column(sa.ForeignKey(f"author_{suffix}.id"))
        author: Mapped[Author] = relationship(back_populates="books")

    engine = sa.create_engine(URL.replace("postgres://", "postgresql+psycopg://", 1))
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            ada = Author(name="Ada", books=[Book(title="Notes"), Book(title="Sketches")])
            session.add(ada)
            session.commit()
            assert ada.id is not None and all(b.id is not None for b in ada.books)
        with Session(engine) as session:
            found = session.scalars(sa.select(Author).where(Author.name == "Ada")).one()
            assert sorted(b.title for b in found.books) == ["Notes", "Sketches"]
            session.delete(found)
            session.commit()
            assert session.scalar(sa.select(sa.func.count()).select_from(Book)) == 0
    finally:
        Base.metadata.drop_all(engine)
        engine.dispose()


def test_a_django_project_migrates_and_uses_its_orm(tmp_path):
    """startproject, one app with one model, makemigrations, migrate, then
    rows made and read through the ORM, as a new Django user would. In a
    schema of its own, dropped at the end."""
    suffix = uuid.uuid4().hex[:6]
    app, schema = f"notes{suffix}", f"django_{suffix}"
    site = tmp_path / "site"
    site.mkdir()

    def django(*args, cwd=site):
        out = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    django("-m", "django", "startproject", "site_cfg", str(site), cwd=tmp_path)
    django("manage.py", "startapp", app)
    settings = site / "site_cfg" / "settings.py"
    text = settings.read_text().replace("INSTALLED_APPS = [", f"INSTALLED_APPS = [\n    '{app}',", 1)
    text += textwrap.dedent(
        f"""
        import os
        from urllib.parse import urlsplit, parse_qs
        _u = urlsplit(os.environ["SLUICE_WORKSPACE_URL"])
        DATABASES = {{"default": {{
            "ENGINE": "django.db.backends.postgresql", "NAME": _u.path.lstrip("/"),
            "USER": _u.username, "PASSWORD": _u.password, "HOST": _u.hostname, "PORT": _u.port,
            "OPTIONS": {{**{{k: v[0] for k, v in parse_qs(_u.query).items()}}, "options": "-c search_path={schema}"}},
        }}}}
        """
    )
    settings.write_text(text)
    (site / app / "models.py").write_text(
        textwrap.dedent(
            """
            from django.db import models

            class Note(models.Model):
                title = models.CharField(max_length=20)
                body = models.TextField(blank=True)
                created = models.DateTimeField(auto_now_add=True)
                price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
            """
        )
    )
    with psycopg.connect(URL, connect_timeout=10, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        django("manage.py", "makemigrations", app)
        assert f"Applying {app}.0001_initial... OK" in django("manage.py", "migrate")
        out = django(
            "manage.py",
            "shell",
            "-c",
            f"from {app}.models import Note\n"
            "a = Note.objects.create(title='first', price='2.50')\n"
            "Note.objects.create(title='second')\n"
            "print('ids', a.id, Note.objects.count(), Note.objects.get(title='first').price)\n",
        )
        assert "ids 1 2 2.50" in out, out
    finally:
        with psycopg.connect(URL, connect_timeout=10, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
