// The server's Prometheus exposition (GET /metrics, no login needed) read into samples, for
// the totals the history API does not carry: statements by protocol and status, memory,
// start time.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const row of text.split("\n")) {
    if (row.startsWith("#")) continue;
    const match = line.exec(row);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(label)) labels[key] = value.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

export function sum(samples: Sample[], name: string, keep: (labels: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && keep(s.labels)).reduce((total, s) => total + s.value, 0);
}

export async function fetchMetrics(): Promise<Sample[]> {
  const response = await fetch("/metrics");
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  return parseMetrics(await response.text());
}
