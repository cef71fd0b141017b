// node-postgres checks for tests/integration/test_node_pg.py: prints one JSON object of
// section -> result; the same script runs against akko and PostgreSQL and the outputs are compared.
'use strict';
const { Client } = require('pg');
const Cursor = require('pg-cursor');

function plain(value) {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return 'hex:' + value.toString('hex');
  if (value instanceof Date) return 'date:' + value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

function readBatch(cursor, n) {
  return new Promise((resolve, reject) => cursor.read(n, (err, rows) => (err ? reject(err) : resolve(rows))));
}

async function section(results, name, body) {
  try {
    results[name] = plain(await body());
  } catch (err) {
    results[name] = { error: err.code || String(err) };
  }
}

async function main() {
  const config = JSON.parse(process.argv[2]);
  const client = new Client(config);
  await client.connect();
  const results = {};

  await section(results, 'params', async () => {
    const r = await client.query(
      'SELECT $1::integer + 1 AS a, $2::text AS b, $3::float8 AS c, $4::boolean AS d, $5::date AS e, ' +
        '$6::bytea AS f, $7::numeric(10,3) AS g, $8::text AS h, $9::bigint AS i, $10::timestamp AS j',
      [41, 'héllo \'q\' "d"\t', 1.5, true, '2024-02-29', Buffer.from([0, 1, 254, 255]), '123.456', null,
        '-9007199254740993', '2024-03-10 08:30:00.25']);
    return { rows: r.rows, fields: r.fields.map((f) => [f.name, f.dataTypeID]), command: r.command, rowCount: r.rowCount };
  });

  await section(results, 'named', async () => {
    const out = [];
    for (let i = 0; i < 4; i++) {
      const r = await client.query({ name: 'sq', text: 'SELECT $1::integer * 2 AS v', values: [i] });
      out.push(r.rows[0].v);
    }
    return out;
  });

  await section(results, 'array_mode', async () => {
    const r = await client.query({ text: 'SELECT 1 AS x, NULL::text AS y, ARRAY[1,2,3] AS z', rowMode: 'array' });
    return r.rows;
  });

  await section(results, 'dml', async () => {
    await client.query('DROP TABLE IF EXISTS node_t');
    await client.query('CREATE TABLE node_t (id integer PRIMARY KEY, v text)');
    const ins = await client.query('INSERT INTO node_t VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    const upd = await client.query('UPDATE node_t SET v = $1 WHERE id >= $2', ['z', 1]);
    const del = await client.query('DELETE FROM node_t WHERE id = $1', [2]);
    const sel = await client.query('SELECT * FROM node_t ORDER BY id');
    return [[ins.command, ins.rowCount], [upd.command, upd.rowCount], [del.command, del.rowCount], sel.rows];
  });

  await section(results, 'cursor', async () => {
    await client.query('BEGIN');
    const cursor = client.query(new Cursor('SELECT g::integer AS g FROM generate_series(1, 1005) AS t(g) ORDER BY g'));
    const sizes = [];
    let sum = 0;
    for (;;) {
      const rows = await readBatch(cursor, 100);
      if (rows.length === 0) break;
      sizes.push(rows.length);
      for (const row of rows) sum += row.g;
    }
    await new Promise((resolve) => cursor.close(resolve));
    await client.query('COMMIT');
    return { sizes, sum };
  });

  await section(results, 'errors', async () => {
    const codes = [];
    for (const sql of ['SELECT * FROM no_such_table_n', 'SELEC 1', "SELECT 'x'::integer"]) {
      try {
        await client.query(sql);
        codes.push('ok');
      } catch (err) {
        codes.push(err.code);
      }
    }
    try {
      await client.query('SELECT $1::integer', ['not a number']);
      codes.push('ok');
    } catch (err) {
      codes.push(err.code);
    }
    await client.query('BEGIN');
    try {
      await client.query('INSERT INTO node_t VALUES (1, $1)', ['dup']);
    } catch (err) {
      codes.push(err.code);
    }
    try {
      await client.query('SELECT 1');
    } catch (err) {
      codes.push(err.code);
    }
    await client.query('ROLLBACK');
    const r = await client.query('SELECT count(*)::integer AS n FROM node_t');
    codes.push(r.rows[0].n);
    return codes;
  });

  await section(results, 'multi', async () => {
    const r = await client.query('SELECT 1 AS a; SELECT 2 AS b, 3 AS c');
    return r.map((x) => x.rows);
  });

  await client.end();
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
