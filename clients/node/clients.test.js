// PostgreSQL drivers from npm against one workspace: node-postgres (pg),
// postgres.js, and knex's migrations and query builder. SLUICE_WORKSPACE_URL is the workspace's connection
// string, as Credentials & Access shows it. Each test makes its own table
// and drops it, so the file also passes against PostgreSQL itself.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import knex from "knex";
import { test } from "node:test";
import pg from "pg";
import postgres from "postgres";

const url = process.env.SLUICE_WORKSPACE_URL;
assert.ok(url, "SLUICE_WORKSPACE_URL is the workspace's connection string");
const table = (prefix) => `${prefix}_${randomBytes(4).toString("hex")}`;

// node-postgres reads sslmode=require as "verify the certificate"; libpq
// and the other drivers read it as "encrypt". Say what libpq means.
const pgConfig = () => {
  const u = new URL(url);
  const tls = u.searchParams.get("sslmode") === "require";
  u.search = "";
  return { connectionString: u.toString(), ssl: tls ? { rejectUnauthorized: false } : false };
};

test("node-postgres: parameters, types, transactions", async () => {
  const client = new pg.Client(pgConfig());
  await client.connect();
  const name = table("pgn");
  try {
    await client.query(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, label TEXT NOT NULL, score DOUBLE PRECISION, active BOOLEAN)`);
    for (const [id, label, score, active] of [[1, "one", 1.5, true], [2, "two", null, false], [3, "three", 7, true]]) {
      await client.query(`INSERT INTO ${name} (id, label, score, active) VALUES ($1, $2, $3, $4)`, [id, label, score, active]);
    }
    const res = await client.query(`SELECT id, label, score, active FROM ${name} WHERE id > $1 ORDER BY id`, [1]);
    assert.deepEqual(res.rows, [{ id: 2, label: "two", score: null, active: false }, { id: 3, label: "three", score: 7, active: true }]);
    // A named (prepared) statement, run twice.
    for (const id of [1, 3]) {
      const one = await client.query({ name: `label_of_${name}`, text: `SELECT label FROM ${name} WHERE id = $1`, values: [id] });
      assert.equal(one.rows[0].label, id === 1 ? "one" : "three");
    }
    await client.query("BEGIN");
    await client.query(`DELETE FROM ${name} WHERE id = $1`, [1]);
    await client.query("ROLLBACK");
    assert.equal((await client.query(`SELECT count(*) AS n FROM ${name}`)).rows[0].n, "3");
    await assert.rejects(client.query(`INSERT INTO ${name} (id, label) VALUES ($1, $2)`, [1, "again"]), (e) => e.code === "23505");
    await client.query(`DROP TABLE ${name}`);
  } finally {
    await client.end();
  }
});

test("postgres.js: tagged queries, inserts of objects, transactions", async () => {
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  const name = table("pjs");
  try {
    await sql`CREATE TABLE ${sql(name)} (id INTEGER PRIMARY KEY, city TEXT NOT NULL, people BIGINT, coastal BOOLEAN)`;
    const cities = [
      { id: 1, city: "Lisbon", people: 545000, coastal: true },
      { id: 2, city: "Quito", people: 2800000, coastal: false },
    ];
    for (const c of cities) {
      await sql`INSERT INTO ${sql(name)} ${sql(c, "id", "city", "people", "coastal")}`;
    }
    const big = await sql`SELECT id, city, coastal FROM ${sql(name)} WHERE people > ${1000000}`;
    assert.deepEqual([...big], [{ id: 2, city: "Quito", coastal: false }]);
    await sql.begin(async (tx) => {
      await tx`UPDATE ${sql(name)} SET people = people + ${1} WHERE id = ${1}`;
    });
    const [lisbon] = await sql`SELECT people FROM ${sql(name)} WHERE id = ${1}`;
    assert.equal(String(lisbon.people), "545001");
    await assert.rejects(sql`INSERT INTO ${sql(name)} (id, city) VALUES (${1}, ${"again"})`, (e) => e.code === "23505");
    await sql`DROP TABLE ${sql(name)}`;
  } finally {
    await sql.end();
  }
});

test("knex: a migration, then the query builder", async () => {
  const dir = mkdtempSync(join(tmpdir(), "knex-"));
  const name = table("kx");
  const migrations = `${name}_migrations`;
  writeFileSync(
    join(dir, "20240101000000_notes.cjs"),
    `exports.up = (k) => k.schema.createTable("${name}", (t) => {
       t.increments("id");
       t.string("title", 20).notNullable();
       t.decimal("price", 8, 2);
       t.jsonb("meta");
       t.timestamp("created_at", { useTz: true }).defaultTo(k.fn.now());
     });
     exports.down = (k) => k.schema.dropTable("${name}");`,
  );
  const db = knex({ client: "pg", connection: pgConfig(), migrations: { directory: dir, tableName: migrations } });
  try {
    const [, applied] = await db.migrate.latest();
    assert.equal(applied.length, 1);
    const [row] = await db(name).insert({ title: "first", price: "2.50", meta: { tags: ["a"] } }).returning("*");
    assert.equal(row.id, 1);
    assert.equal(row.price, "2.50");
    assert.deepEqual(row.meta, { tags: ["a"] });
    assert.ok(row.created_at instanceof Date);
    await db.transaction(async (trx) => {
      await trx(name).insert({ title: "second" });
    });
    await assert.rejects(
      db.transaction(async (trx) => {
        await trx(name).insert({ title: "never" });
        await trx.raw("SELECT 1 / 0");
      }),
    );
    const titles = (await db(name).orderBy("id").pluck("title"));
    assert.deepEqual(titles, ["first", "second"]);
    await db.migrate.rollback(undefined, true);
  } finally {
    await db.schema.dropTableIfExists(migrations);
    await db.schema.dropTableIfExists(`${migrations}_lock`);
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
