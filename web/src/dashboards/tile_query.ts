// A tile's statement: its saved query as written, or wrapped in a SELECT that applies the
// dashboard's filters to the columns its result has. Filter values travel as parameters
// ($1, $2, ...), never inside the SQL text.
import { ApiError, apiFetch, failure, parseExact, quoteIdent, QueryResult } from "../api";
import { Filter, filterActive, filterKind } from "./model";

export interface TileStatement {
  sql: string;
  parameters: unknown[];
  applied: Filter[]; // the filters this statement applies
}

// Trailing semicolons would end the subquery; a trailing line comment would swallow its
// closing parenthesis, hence the newline before it.
export function stripStatement(sql: string): string {
  return sql.trim().replace(/;+\s*$/, "").trimEnd();
}

export function filteredStatement(sql: string, filters: Filter[], columns: string[] | null): TileStatement {
  const applied = filters.filter((filter) => filterActive(filter) && columns?.includes(filter.column));
  if (applied.length === 0) return { sql, parameters: [], applied };
  const parameters: unknown[] = [];
  const next = (value: unknown) => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  const conditions = applied.map((filter) => {
    const column = `t.${quoteIdent(filter.column)}`;
    if (filterKind(filter) === "range") {
      const parts: string[] = [];
      if (filter.from) parts.push(`${column} >= CAST(${next(filter.from)} AS DATE)`);
      // Through the whole last day, also for timestamps.
      if (filter.to) parts.push(`${column} < CAST(${next(filter.to)} AS DATE) + 1`);
      return parts.join(" AND ");
    }
    // Compared as text: the values come from result cells, whatever the column's type.
    const values = (filter.values ?? []).map((value) => next(value));
    return `CAST(${column} AS VARCHAR) IN (${values.join(", ")})`;
  });
  return {
    sql: `SELECT * FROM (\n${stripStatement(sql)}\n) AS t\nWHERE ${conditions.join("\n  AND ")}`,
    parameters,
    applied,
  };
}

// The result's column names without its rows, to know which filters apply before the first run.
export function columnsProbe(sql: string): string {
  return `SELECT * FROM (\n${stripStatement(sql)}\n) AS t\nLIMIT 0`;
}

// One statement through POST /api/v1/query as the logged-in user; aborting `signal` closes
// the request, which cancels the statement on the server.
export async function runStatement(sql: string, parameters: unknown[], signal: AbortSignal): Promise<QueryResult> {
  const body = parameters.length ? { sql, parameters } : { sql };
  const response = await apiFetch("/api/v1/query", { method: "POST", body: JSON.stringify(body), signal });
  if (!response.ok) throw await failure(response);
  const result = parseExact(await response.text()) as QueryResult & { error?: { message: string; code: string; sqlstate?: string } };
  if (result.error) throw new ApiError(result.error.message, 500, result.error.code, result.error.sqlstate);
  return result;
}
