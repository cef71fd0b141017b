-- The schema every pg_catalog fixture was harvested against: run on PostgreSQL 15 (in
-- schema public) and on AKKO (in schema main) before replaying the client statements.
-- It stays within what both accept and both represent alike: strings are TEXT (DuckDB has
-- one string type, unbounded, shown to clients as text; it drops varchar(n)'s length).
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,
    balance NUMERIC(12,2) DEFAULT 0,
    created_at TIMESTAMP,
    active BOOLEAN
);
CREATE TABLE orders (
    order_id BIGINT PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    amount DOUBLE PRECISION,
    placed DATE,
    note TEXT
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE TABLE kinds (
    k_smallint SMALLINT,
    k_integer INTEGER,
    k_bigint BIGINT,
    k_real REAL,
    k_double DOUBLE PRECISION,
    k_numeric NUMERIC(18,4),
    k_bool BOOLEAN,
    k_text TEXT,
    k_bytea BYTEA,
    k_date DATE,
    k_time TIME,
    k_timestamp TIMESTAMP,
    k_timestamptz TIMESTAMPTZ,
    k_interval INTERVAL,
    k_uuid UUID,
    k_json JSON,
    k_int_array INTEGER[],
    k_text_array TEXT[]
);
CREATE VIEW big_orders AS SELECT order_id, amount FROM orders WHERE amount > 100;
