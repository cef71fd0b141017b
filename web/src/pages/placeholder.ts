// The frame of a page a later issue builds: what it will show, and where the data will
// come from, so the navigation is whole from the start.
import { h } from "../dom";

export function placeholder(root: HTMLElement, summary: string, plans: string[]): void {
  root.append(
    h(
      "section",
      { class: "card placeholder", "data-testid": "placeholder" },
      h("span", { class: "pill muted" }, "Not built yet"),
      h("p", { class: "lead" }, summary),
      h("ul", {}, plans.map((plan) => h("li", {}, plan))),
    ),
  );
}
