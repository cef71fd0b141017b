// The SQL workbench: editor, run and cancel, the streamed result grid, EXPLAIN, CSV export,
// history, saved queries and the chart builder.
import { ApiError, query } from "../api";
import { completionSchema, loadCatalog } from "../catalog_schema";
import { formatCount, formatMs, h } from "../dom";
import { navigate } from "../router";
import { userName } from "../session";
import { fetchCsv, QueryCanceled, streamQuery } from "../query_stream";
import { ChartBuilder, ChartSpec, fromStoredChart, toStoredChart } from "../workbench/chart_builder";
import { clearHistory, readHistory, remember } from "../workbench/history";
import { ResultGrid } from "../workbench/result_grid";
import { listSavedQueries, SavedQueriesUnavailable, saveQuery, SavedQuery } from "../workbench/saved_queries";
import { SqlEditor } from "../workbench/sql_editor";

const draftKey = () => `akko.draft.${userName()}`;
const handoffKey = "akko.workbench.open";
const welcome = "-- Ctrl+Enter runs the statement under the cursor (or the selection).\nSELECT 42 AS answer;\n";

// Opens the workbench with `sql` in the editor (from the catalog and elsewhere).
export function openInWorkbench(sql: string): void {
  sessionStorage.setItem(handoffKey, sql);
  navigate("workbench");
}

export function workbenchPage(root: HTMLElement): () => void {
  const handed = sessionStorage.getItem(handoffKey);
  sessionStorage.removeItem(handoffKey);
  const editorHost = h("div", { class: "editor-host", "data-testid": "sql-editor" });
  const grid = new ResultGrid();
  const chart = new ChartBuilder();
  let controller: AbortController | null = null;
  let chartSpecOfSaved: ChartSpec | null = null;

  const runButton = h("button", { class: "primary", "data-testid": "run", title: "Ctrl+Enter" }, "▶ Run");
  const cancelButton = h("button", { class: "danger", "data-testid": "cancel", disabled: true }, "■ Cancel");
  const explainButton = h("button", { "data-testid": "explain" }, "Explain");
  const csvButton = h("button", { "data-testid": "export-csv" }, "Export CSV");
  const saveButton = h("button", { "data-testid": "save-query" }, "Save…");
  const notice = h("span", { class: "toolbar-notice" });

  const resultsTab = h("button", { class: "tab active" }, "Results");
  const chartTab = h("button", { class: "tab", "data-testid": "chart-tab" }, "Chart");
  const resultPane = h("div", { class: "pane" }, grid.element);
  const chartPane = h("div", { class: "pane hidden" }, chart.element);
  const showTab = (which: "results" | "chart") => {
    resultsTab.classList.toggle("active", which === "results");
    chartTab.classList.toggle("active", which === "chart");
    resultPane.classList.toggle("hidden", which !== "results");
    chartPane.classList.toggle("hidden", which !== "chart");
    if (which === "chart") chart.show(grid.columns, grid.rows, chartSpecOfSaved);
    chartSpecOfSaved = null;
  };
  resultsTab.addEventListener("click", () => showTab("results"));
  chartTab.addEventListener("click", () => showTab("chart"));

  const savedList = h("div", { class: "side-list", "data-testid": "saved-queries" });
  const historyList = h("div", { class: "side-list", "data-testid": "history" });
  const savedTab = h("button", { class: "tab active" }, "Saved");
  const historyTab = h("button", { class: "tab" }, "History");
  const sideTab = (which: "saved" | "history") => {
    savedTab.classList.toggle("active", which === "saved");
    historyTab.classList.toggle("active", which === "history");
    savedList.classList.toggle("hidden", which !== "saved");
    historyList.classList.toggle("hidden", which !== "history");
  };
  savedTab.addEventListener("click", () => sideTab("saved"));
  historyTab.addEventListener("click", () => sideTab("history"));
  historyList.classList.add("hidden");

  root.append(
    h(
      "div",
      { class: "workbench" },
      h("aside", { class: "card wb-side" }, h("div", { class: "tabs" }, savedTab, historyTab), savedList, historyList),
      h(
        "section",
        { class: "wb-main" },
        h("div", { class: "card editor-card" }, editorHost),
        h("div", { class: "toolbar" }, runButton, cancelButton, explainButton, h("span", { class: "spacer" }), notice, saveButton, csvButton),
        h("div", { class: "card result-card" }, h("div", { class: "tabs" }, resultsTab, chartTab), resultPane, chartPane),
      ),
    ),
  );

  const editor = new SqlEditor(editorHost, handed ?? localStorage.getItem(draftKey()) ?? welcome, () => void run());

  const setRunning = (running: boolean) => {
    runButton.disabled = running;
    explainButton.disabled = running;
    cancelButton.disabled = !running;
  };

  const flash = (text: string) => {
    notice.textContent = text;
    window.setTimeout(() => notice.textContent === text && (notice.textContent = ""), 4000);
  };

  async function run(): Promise<void> {
    if (controller) return;
    const sql = editor.statement();
    if (!sql) return;
    localStorage.setItem(draftKey(), editor.text());
    controller = new AbortController();
    setRunning(true);
    showTab("results");
    grid.begin();
    const started = performance.now();
    try {
      const end = await streamQuery(sql, { onColumns: (columns) => grid.setColumns(columns), onRows: (rows) => grid.addRows(rows) }, controller.signal);
      grid.finish("done", { command: end.command, elapsedMs: end.elapsedMs });
      remember({ sql, at: Date.now(), state: "done", rows: grid.rowCount, ms: performance.now() - started });
    } catch (error) {
      const canceled = error instanceof QueryCanceled;
      grid.finish(canceled ? "canceled" : "failed", { message: describe(error) });
      remember({ sql, at: Date.now(), state: canceled ? "canceled" : "failed", rows: grid.rowCount, ms: performance.now() - started });
    } finally {
      controller = null;
      setRunning(false);
      renderHistory();
    }
  }

  async function explain(): Promise<void> {
    const sql = editor.statement();
    if (!sql) return;
    showTab("results");
    grid.begin();
    try {
      const result = await query(`EXPLAIN ${sql}`);
      grid.finish("done", { command: "EXPLAIN" });
      const value = result.columns.findIndex((c) => c.name === "explain_value");
      grid.showText(result.rows.map((row) => String(row[value < 0 ? row.length - 1 : value])).join("\n"));
    } catch (error) {
      grid.finish("failed", { message: describe(error) });
    }
  }

  async function exportCsv(): Promise<void> {
    const sql = editor.statement();
    if (!sql) return;
    csvButton.disabled = true;
    try {
      const blob = await fetchCsv(sql);
      const link = h("a", { href: URL.createObjectURL(blob), download: "result.csv" });
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      flash("CSV downloaded");
    } catch (error) {
      flash(`CSV export failed: ${describe(error)}`);
    } finally {
      csvButton.disabled = false;
    }
  }

  function openSaveDialog(): void {
    const name = h("input", { name: "name", required: true, placeholder: "Monthly volume by merchant category" });
    const description = h("textarea", { name: "description", rows: 2 });
    const shared = h("input", { type: "checkbox", name: "shared" });
    const withChart = h("input", { type: "checkbox", name: "chart", checked: chart.current() !== null });
    const message = h("div", { class: "form-error" });
    const dialog = h("dialog", { class: "dialog" });
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", {}, "Save query"),
      h("label", {}, "Name", name),
      h("label", {}, "Description", description),
      h("label", { class: "check" }, shared, "Shared with every user"),
      h("label", { class: "check" }, withChart, "Keep the chart settings"),
      message,
      h("div", { class: "dialog-actions" }, h("button", { type: "button", class: "ghost", onclick: () => dialog.close() }, "Cancel"), h("button", { type: "submit", class: "primary" }, "Save")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await saveQuery({
          name: name.value.trim(),
          sql: editor.text().trim(),
          description: description.value.trim(),
          shared: shared.checked,
          chart: withChart.checked && chart.current() ? toStoredChart(chart.current()!) : null,
        });
        dialog.close();
        flash("Saved");
        void renderSaved();
      } catch (error) {
        message.textContent = describe(error);
      }
    });
    dialog.append(form);
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    name.focus();
  }

  function open(saved: SavedQuery): void {
    editor.setText(saved.sql);
    chartSpecOfSaved = fromStoredChart(saved.chart);
    editor.focus();
  }

  async function renderSaved(): Promise<void> {
    try {
      const saved = await listSavedQueries();
      savedList.replaceChildren(
        ...(saved.length
          ? saved.map((entry) =>
              h(
                "button",
                { class: "side-item", title: entry.description || entry.sql, onclick: () => open(entry) },
                h("strong", {}, entry.name),
                h("small", {}, [entry.shared ? "shared" : "private", entry.owner].filter(Boolean).join(" · ")),
              ),
            )
          : [h("p", { class: "muted" }, "No saved queries yet: Save… keeps the editor's text.")]),
      );
    } catch (error) {
      saveButton.disabled = error instanceof SavedQueriesUnavailable;
      savedList.replaceChildren(h("p", { class: "muted" }, describe(error)));
    }
  }

  function renderHistory(): void {
    const entries = readHistory();
    historyList.replaceChildren(
      ...entries.map((entry) =>
        h(
          "button",
          { class: `side-item history-${entry.state}`, title: entry.sql, onclick: () => editor.setText(entry.sql) },
          h("code", {}, entry.sql.length > 120 ? entry.sql.slice(0, 120) + "…" : entry.sql),
          h("small", {}, `${new Date(entry.at).toLocaleString()} · ${entry.state === "done" ? `${formatCount(entry.rows)} rows` : entry.state} · ${formatMs(entry.ms)}`),
        ),
      ),
      entries.length
        ? h("button", { class: "ghost small", onclick: () => (clearHistory(), renderHistory()) }, "Clear history")
        : h("p", { class: "muted" }, "Statements you run appear here."),
    );
  }

  runButton.addEventListener("click", () => void run());
  cancelButton.addEventListener("click", () => controller?.abort());
  explainButton.addEventListener("click", () => void explain());
  csvButton.addEventListener("click", () => void exportCsv());
  saveButton.addEventListener("click", openSaveDialog);
  renderHistory();
  void renderSaved();
  loadCatalog()
    .then((namespaces) => editor.setSchema(completionSchema(namespaces), "main"))
    .catch(() => undefined);
  editor.focus();

  return () => {
    controller?.abort();
    localStorage.setItem(draftKey(), editor.text());
    grid.dispose();
    chart.dispose();
    editor.view.destroy();
  };
}

function describe(error: unknown): string {
  if (error instanceof ApiError && error.sqlstate) return `${error.message} (SQLSTATE ${error.sqlstate})`;
  return error instanceof Error ? error.message : String(error);
}
