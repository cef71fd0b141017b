// Every change Governance makes goes through here: the statement is shown as it will run,
// and runs only when the admin says so, as that admin, through POST /api/v1/query.
import { query } from "../api";
import { h } from "../dom";
import { Statement } from "./access_sql";
import { errorText } from "./format";

// Resolves true when the statement ran, false when the admin canceled it.
export function confirmAndRun(statement: Statement, title: string): Promise<boolean> {
  return new Promise((resolve) => {
    const error = h("div", { class: "error-box hidden", "data-testid": "sql-error" });
    const run: HTMLButtonElement = h("button", { class: "primary", type: "submit", "data-testid": "run-sql" }, "Run");
    const cancel = h("button", { type: "button", onclick: () => finish(false) }, "Cancel");
    const dialog = h(
      "dialog",
      { class: "dialog ops-confirm" },
      h(
        "form",
        { method: "dialog" },
        h("h2", {}, title),
        h("p", { class: "muted" }, "This statement will run as you:"),
        h("pre", { class: "ops-sql", "data-testid": "sql-preview" }, statement.shown),
        error,
        h("div", { class: "dialog-actions" }, cancel, run),
      ),
    );
    const finish = (ran: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ran);
    };
    dialog.addEventListener("cancel", () => finish(false));
    dialog.querySelector("form")!.addEventListener("submit", async (event) => {
      event.preventDefault();
      run.disabled = true;
      run.textContent = "Running…";
      try {
        await query(statement.sql);
        finish(true);
      } catch (failure) {
        error.textContent = errorText(failure);
        error.classList.remove("hidden");
        run.disabled = false;
        run.textContent = "Run";
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
