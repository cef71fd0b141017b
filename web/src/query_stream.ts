// Runs a statement through POST /api/v1/query and reads the JSON answer as it streams, so the
// workbench shows rows and counts before the statement ends. The server writes the header
// ({"columns":[...],"rows":[) then one row per line ("\n[..]" separated by commas), then the
// trailer ("],"row_count":..,"command":..,"elapsed_ms":..}" or "],"error":{..}}").
import { ApiError, apiFetch, Column, failure, parseExact } from "./api";

export interface StreamHandlers {
  onColumns(columns: Column[]): void;
  onRows(rows: unknown[][]): void;
}

export interface StreamEnd {
  rowCount: number;
  command: string;
  elapsedMs: number;
}

export class QueryCanceled extends Error {
  constructor() {
    super("canceled");
  }
}

// Parses the body piece by piece. Lines normally hold one row each; a JSON value holding a
// raw newline (a JSON column's own text) splits a row over lines, so a line that does not
// parse waits for the next one.
export class ResultStreamParser {
  private buffer = "";
  private headerDone = false;
  private pending = "";
  end: StreamEnd | null = null;
  error: ApiError | null = null;

  constructor(private readonly handlers: StreamHandlers) {}

  push(text: string): void {
    this.buffer += text;
    if (!this.headerDone) {
      const newline = this.buffer.indexOf("\n");
      if (newline < 0) return;
      const first = this.buffer.slice(0, newline);
      const marker = first.indexOf(',"rows":[');
      if (marker < 0 || first.length > marker + ',"rows":['.length) {
        // No rows: the whole answer is this line.
        const parsed = tryParse(first);
        if (parsed === undefined) return;
        this.buffer = this.buffer.slice(newline + 1);
        this.headerDone = true;
        this.handlers.onColumns(parsed.columns ?? []);
        this.finish(parsed, []);
        return;
      }
      this.handlers.onColumns(JSON.parse(first.slice(0, marker) + "}").columns);
      this.buffer = this.buffer.slice(newline + 1);
      this.headerDone = true;
    }
    const rows: unknown[][] = [];
    let newline: number;
    while (!this.end && !this.error && (newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.pending + this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const row = tryParse(line.endsWith(",") ? line.slice(0, -1) : line);
      if (Array.isArray(row)) {
        rows.push(row);
        this.pending = "";
        continue;
      }
      const last = tryParse('{"rows":[' + line);
      if (last !== undefined) {
        this.pending = "";
        this.finish(last, rows);
        return;
      }
      this.pending = line + "\n";
    }
    if (rows.length) this.handlers.onRows(rows);
  }

  private finish(trailer: Record<string, any>, rows: unknown[][]): void {
    rows.push(...((trailer.rows as unknown[][]) ?? []));
    if (rows.length) this.handlers.onRows(rows);
    if (trailer.error) {
      const e = trailer.error;
      this.error = new ApiError(e.message ?? "the statement failed", 500, e.code ?? "", e.sqlstate ?? "");
      return;
    }
    this.end = { rowCount: trailer.row_count ?? 0, command: trailer.command ?? "", elapsedMs: trailer.elapsed_ms ?? 0 };
  }
}

function tryParse(text: string): any {
  try {
    return parseExact(text);
  } catch {
    return undefined;
  }
}

// Streams one statement; aborting `signal` closes the request, which cancels the statement
// on the server.
export async function streamQuery(sql: string, handlers: StreamHandlers, signal: AbortSignal): Promise<StreamEnd> {
  let response: Response;
  try {
    response = await apiFetch("/api/v1/query", { method: "POST", body: JSON.stringify({ sql }), signal });
  } catch (error) {
    if (signal.aborted) throw new QueryCanceled();
    throw error;
  }
  if (!response.ok) throw await failure(response);
  const parser = new ResultStreamParser(handlers);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(value);
      if (parser.error) throw parser.error;
      if (parser.end) return parser.end;
    }
  } catch (error) {
    if (signal.aborted) throw new QueryCanceled();
    throw error;
  }
  if (signal.aborted) throw new QueryCanceled();
  throw new ApiError("the server ended the answer early", 502);
}

// The whole CSV answer, for export.
export async function fetchCsv(sql: string): Promise<Blob> {
  const response = await apiFetch("/api/v1/query", { method: "POST", body: JSON.stringify({ sql, format: "csv" }) });
  if (!response.ok) throw await failure(response);
  return await response.blob();
}
