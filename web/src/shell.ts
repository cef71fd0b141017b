// The frame around every page once logged in: the dark navigation on the left, the role
// badge, and the page itself.
import { h } from "./dom";
import { currentPath, href, RouteEntry } from "./router";
import { Identity, logout, mainRole } from "./session";

export interface NavSection {
  label: string;
  routes: RouteEntry[];
}

export class Shell {
  readonly content: HTMLElement;
  private readonly links = new Map<string, HTMLAnchorElement>();
  private readonly title: HTMLElement;

  constructor(root: HTMLElement, sections: NavSection[], who: Identity) {
    const nav = h(
      "nav",
      { class: "nav" },
      h("div", { class: "brand" }, h("span", { class: "brand-mark" }, "A"), h("span", {}, "AKKO"), h("small", {}, "cockpit")),
      sections.map((section) =>
        h(
          "div",
          { class: "nav-section" },
          h("div", { class: "nav-label" }, section.label),
          section.routes.map((route) => {
            const link = h("a", { href: href(route.path), "data-route": route.path }, route.title);
            this.links.set(route.path, link);
            return link;
          }),
        ),
      ),
    );
    const role = mainRole(who);
    const badge = h(
      "div",
      { class: "role-badge", "data-testid": "role-badge", title: who.roles.join(", ") },
      h("span", { class: "avatar" }, who.user.slice(0, 1).toUpperCase()),
      h("span", { class: "who" }, h("strong", {}, who.user), h("span", { class: `role role-${role}` }, role)),
    );
    this.title = h("h1", {});
    const top = h(
      "header",
      { class: "topbar" },
      this.title,
      h("div", { class: "topbar-right" }, badge, h("button", { class: "ghost", onclick: () => logout() }, "Log out")),
    );
    this.content = h("main", { class: "content" });
    root.replaceChildren(h("div", { class: "layout" }, nav, h("div", { class: "main" }, top, this.content)));
  }

  select(route: RouteEntry): void {
    for (const [path, link] of this.links) link.classList.toggle("active", path === route.path);
    this.title.textContent = route.title;
    document.title = `${route.title} · AKKO`;
  }
}

export function routePath(): string {
  return currentPath()[0] ?? "home";
}
