// The statements this browser ran, newest first, kept in localStorage per user.
import { userName } from "../session";

export interface HistoryEntry {
  sql: string;
  at: number; // ms since the epoch
  state: "done" | "failed" | "canceled";
  rows: number;
  ms: number;
}

const limit = 100;

function key(): string {
  return `akko.history.${userName()}`;
}

export function readHistory(): HistoryEntry[] {
  try {
    return JSON.parse(localStorage.getItem(key()) ?? "[]") as HistoryEntry[];
  } catch {
    return [];
  }
}

export function remember(entry: HistoryEntry): void {
  const entries = readHistory().filter((old) => old.sql !== entry.sql);
  entries.unshift(entry);
  localStorage.setItem(key(), JSON.stringify(entries.slice(0, limit)));
}

export function clearHistory(): void {
  localStorage.removeItem(key());
}
