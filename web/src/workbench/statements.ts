// Where statements start and end in the editor's text, so Ctrl+Enter runs the one under the
// cursor. Semicolons inside quotes, dollar quotes and comments do not split.
export interface Span {
  from: number;
  to: number;
}

export function splitStatements(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "'" || c === '"') {
      i = closing(text, i + 1, c);
    } else if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? text.length : end + tag[0].length;
      } else {
        i++;
      }
    } else if (c === ";") {
      spans.push({ from: start, to: i });
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  spans.push({ from: start, to: text.length });
  return spans.filter((span) => meaningful(text.slice(span.from, span.to)));
}

// After `from`, past the quote that closes it ('' and "" escape the quote).
function closing(text: string, from: number, quote: string): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

function meaningful(statement: string): boolean {
  return statement.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "").trim() !== "";
}

// The statement the cursor is in or just after; the last one when the cursor is past them all.
export function statementAt(text: string, cursor: number): string {
  const spans = splitStatements(text);
  if (spans.length === 0) return "";
  const found = spans.find((span) => cursor >= span.from && cursor <= span.to + 1) ?? (cursor < spans[0].from ? spans[0] : spans[spans.length - 1]);
  return text.slice(found.from, found.to).trim();
}
