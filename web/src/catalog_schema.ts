// The lake's namespaces, tables and columns as the logged-in user may see them, read with
// SQL from information_schema (what the user cannot read is not listed).
import { query, records } from "./api";

export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  comment: string;
}

export interface TableInfo {
  namespace: string;
  name: string;
  kind: "table" | "view";
  comment: string;
  columns: ColumnInfo[];
}

export interface Namespace {
  name: string;
  tables: TableInfo[];
}

const hidden = ["information_schema", "pg_catalog"];

export async function loadCatalog(): Promise<Namespace[]> {
  const notHidden = hidden.map((name) => `'${name}'`).join(", ");
  const [schemata, tables, columns] = await Promise.all([
    query(`SELECT schema_name FROM information_schema.schemata
           WHERE catalog_name = current_database() AND schema_name NOT IN (${notHidden}) ORDER BY schema_name`),
    query(`SELECT table_schema, table_name, table_type, table_comment AS table_comment FROM information_schema.tables
           WHERE table_catalog = current_database() AND table_schema NOT IN (${notHidden}) ORDER BY table_schema, table_name`),
    query(`SELECT table_schema, table_name, column_name, data_type, is_nullable, column_comment AS column_comment FROM information_schema.columns
           WHERE table_catalog = current_database() AND table_schema NOT IN (${notHidden})
           ORDER BY table_schema, table_name, ordinal_position`),
  ]);
  const byName = new Map<string, Namespace>();
  for (const row of records(schemata)) {
    const name = String(row.schema_name);
    byName.set(name, { name, tables: [] });
  }
  const tableByKey = new Map<string, TableInfo>();
  for (const row of records(tables)) {
    const namespace = String(row.table_schema);
    if (!byName.has(namespace)) byName.set(namespace, { name: namespace, tables: [] });
    const table: TableInfo = {
      namespace,
      name: String(row.table_name),
      kind: String(row.table_type).includes("VIEW") ? "view" : "table",
      comment: (row.table_comment as string | null) ?? "",
      columns: [],
    };
    byName.get(namespace)!.tables.push(table);
    tableByKey.set(`${namespace}.${table.name}`, table);
  }
  for (const row of records(columns)) {
    tableByKey.get(`${row.table_schema}.${row.table_name}`)?.columns.push({
      name: String(row.column_name),
      type: String(row.data_type),
      nullable: row.is_nullable === "YES",
      comment: (row.column_comment as string | null) ?? "",
    });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// The shape @codemirror/lang-sql completes from: namespace -> table -> columns.
export function completionSchema(namespaces: Namespace[]): Record<string, Record<string, string[]>> {
  const schema: Record<string, Record<string, string[]>> = {};
  for (const namespace of namespaces) {
    schema[namespace.name] = Object.fromEntries(namespace.tables.map((table) => [table.name, table.columns.map((c) => c.name)]));
  }
  return schema;
}
