// Architecture: the running server's components and their endpoints, drawn from the live
// configuration (GET /api/v1/architecture), and the same as a table.
import "../ops/ops.css";
import { apiFetch, failure } from "../api";
import { h } from "../dom";
import { architectureDiagram, Component, Edge, facts } from "../ops/architecture_diagram";
import { errorText } from "../ops/format";

const layers: Record<string, string> = { client: "client", adapter: "protocol adapter", core: "core", storage: "storage" };

function detailText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function architecturePage(root: HTMLElement): void {
  const diagram = h("section", { class: "card ops-diagram-card", "data-testid": "architecture" }, h("p", { class: "muted ops-pad" }, "Loading…"));
  const table = h("section", { class: "card ops-components" });
  root.append(
    h("p", { class: "lead" }, "One process: every protocol enters through its adapter, passes authentication, and reaches the same SQL engine and Iceberg catalog."),
    diagram,
    table,
  );
  apiFetch("/api/v1/architecture")
    .then(async (response) => {
      if (!response.ok) throw await failure(response);
      const { components, edges } = (await response.json()) as { components: Component[]; edges: Edge[] };
      diagram.replaceChildren(
        architectureDiagram(components, edges),
        h("div", { class: "ops-legend" }, Object.entries(layers).map(([layer, name]) => h("span", {}, h("i", { class: `ops-swatch ops-layer-${layer}` }), name)), h("span", { class: "muted" }, "hover a box or an arrow for the whole text")),
      );
      table.replaceChildren(
        h("div", { class: "ops-card-head" }, h("h2", {}, "Components"), h("span", { class: "muted" }, `${components.length} components, ${edges.length} connections`)),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "data-table ops-wrap", "data-testid": "components" },
            h("thead", {}, h("tr", {}, h("th", {}, "component"), h("th", {}, "layer"), h("th", {}, "endpoint"), h("th", {}, "facts"), h("th", {}, "details"))),
            h(
              "tbody",
              {},
              components.map((c) =>
                h(
                  "tr",
                  { "data-component": c.id },
                  h("td", {}, h("strong", {}, c.name), h("div", { class: "muted" }, h("code", {}, c.id))),
                  h("td", {}, h("span", { class: `pill ops-layer-pill ops-layer-${c.layer}` }, layers[c.layer] ?? c.layer)),
                  h("td", {}, c.endpoint ? h("code", { class: "endpoint" }, c.endpoint) : h("span", { class: "muted" }, "—")),
                  h("td", {}, facts(c).join(" · ") || "—"),
                  h("td", { class: "ops-details" }, Object.entries(c.details).map(([key, value]) => h("div", {}, h("span", { class: "muted" }, `${key}: `), detailText(value)))),
                ),
              ),
            ),
          ),
        ),
      );
    })
    .catch((error) => diagram.replaceChildren(h("div", { class: "error-box" }, `The architecture could not be read: ${errorText(error)}`)));
}
