// Saved queries, kept by the server (GET and POST /api/v1/saved-queries) so dashboards and
// other users can use them.
import { apiFetch, failure } from "../api";
import { StoredChart } from "./chart_builder";

export interface SavedQuery {
  id?: string | number;
  name: string;
  sql: string;
  description?: string;
  chart?: StoredChart | null;
  shared?: boolean;
  owner?: string;
}

export class SavedQueriesUnavailable extends Error {}

export async function listSavedQueries(): Promise<SavedQuery[]> {
  const response = await apiFetch("/api/v1/saved-queries");
  if (response.status === 404) throw new SavedQueriesUnavailable("This server does not keep saved queries yet.");
  if (!response.ok) throw await failure(response);
  const body = await response.json();
  return (Array.isArray(body) ? body : (body.saved_queries ?? body.items ?? [])) as SavedQuery[];
}

export async function saveQuery(query: SavedQuery): Promise<SavedQuery> {
  const response = await apiFetch("/api/v1/saved-queries", { method: "POST", body: JSON.stringify(query) });
  if (response.status === 404) throw new SavedQueriesUnavailable("This server does not keep saved queries yet.");
  if (!response.ok) throw await failure(response);
  return (await response.json()) as SavedQuery;
}
