// Calls to the AKKO HTTP API with the session's bearer token; a 401 renews the token once
// and retries, a second 401 ends the session.
import { accessToken, Identity, logout, refresh, userName } from "./session";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code = "",
    readonly sqlstate = "",
  ) {
    super(message);
  }
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => {
    const headers = new Headers(init.headers);
    const token = accessToken();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    return fetch(path, { ...init, headers });
  };
  let response = await send();
  if (response.status === 401 && (await refresh())) {
    response = await send();
  }
  if (response.status === 401) {
    logout();
  }
  return response;
}

export async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const error = JSON.parse(text).error;
    if (error?.message) return new ApiError(error.message, response.status, error.code, error.sqlstate);
  } catch {
    // not JSON: the status says it
  }
  return new ApiError(text.trim() || `HTTP ${response.status} ${response.statusText}`, response.status);
}

export interface Column {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: Column[];
  rows: unknown[][];
  row_count: number;
  command: string;
  elapsed_ms: number;
}

// Numbers JavaScript cannot hold exactly (BIGINT beyond 2^53, DECIMAL digits) stay as the
// server wrote them, in a string, rather than silently rounded.
function exact(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === "number" && context?.source !== undefined && String(value) !== context.source) {
    return context.source;
  }
  return value;
}

export function parseExact(text: string): any {
  return JSON.parse(text, exact as (key: string, value: unknown) => unknown);
}

// A whole result, for the cockpit's own small catalog queries.
export async function query(sql: string, parameters?: unknown[]): Promise<QueryResult> {
  const response = await apiFetch("/api/v1/query", { method: "POST", body: JSON.stringify({ sql, parameters }) });
  if (!response.ok) throw await failure(response);
  const result = parseExact(await response.text()) as QueryResult & { error?: { message: string; code: string; sqlstate?: string } };
  if (result.error) throw new ApiError(result.error.message, 500, result.error.code, result.error.sqlstate);
  return result;
}

// Rows as objects keyed by column name.
export function records(result: QueryResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column.name, row[i]])));
}

// GET /api/v1/me; on a server without it, the same facts through SQL.
export async function fetchIdentity(): Promise<Identity> {
  const response = await apiFetch("/api/v1/me");
  if (response.ok) {
    const body = await response.json();
    return { user: body.user, roles: body.roles ?? [], superuser: Boolean(body.superuser) };
  }
  if (response.status !== 404) throw await failure(response);
  const result = await query("SELECT current_user_roles() AS roles");
  const roles = (result.rows[0]?.[0] as string[] | null) ?? [];
  return { user: userName(), roles, superuser: roles.includes("akko-admin") };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
