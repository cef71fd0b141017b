const { Client } = require('pg');
(async () => {
  const c = new Client({ host: '127.0.0.1', port: +process.argv[2], user: 'akko', password: 'akko', database: 'akko', application_name: 'h_node' });
  await c.connect();
  const r = await c.query('SELECT $1::int AS n, current_database() AS db', [7]);
  console.log(JSON.stringify(r.rows));
  await c.end();
})().catch(e => { console.error(e); process.exit(1); });
