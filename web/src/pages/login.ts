// The login form: the built-in identity (POST /api/v1/auth/login).
import { h } from "../dom";
import { login } from "../session";

// Offers single sign-on when the server has it (GET /api/v1/auth/sso); the provider's login page
// sends the browser back to the cockpit through the server.
async function addSingleSignOn(form: HTMLElement, before: HTMLElement): Promise<void> {
  try {
    const response = await fetch("/api/v1/auth/sso");
    const answer = (await response.json()) as { enabled?: boolean; issuer?: string };
    if (!response.ok || !answer.enabled) return;
    const button = h("button", { type: "button", class: "wide sso" }, "Sign in with single sign-on");
    button.addEventListener("click", () => location.assign("/api/v1/auth/sso/start"));
    form.insertBefore(h("div", { class: "sso-block" }, button, h("p", { class: "muted" }, answer.issuer ?? ""), h("div", { class: "or" }, "or with a password")), before);
  } catch {
    // No single sign-on to offer: the password form is all there is.
  }
}

export function loginPage(root: HTMLElement, done: () => void, problem: string | null = null): void {
  const user = h("input", { name: "user", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const message = h("div", { class: "form-error", role: "alert" }, problem ?? "");
  const submit = h("button", { type: "submit", class: "primary wide" }, "Log in");
  const form = h(
    "form",
    { class: "login-card" },
    h("div", { class: "login-brand" }, h("span", { class: "brand-mark big" }, "A"), h("div", {}, h("h1", {}, "AKKO"), h("p", {}, "Analytics Kernel, Keep Ownership"))),
    h("label", {}, "User", user),
    h("label", {}, "Password", password),
    message,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    submit.disabled = true;
    try {
      await login(user.value.trim(), password.value);
      done();
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
      submit.disabled = false;
    }
  });
  document.title = "Log in · AKKO";
  root.replaceChildren(h("div", { class: "login-screen" }, form));
  void addSingleSignOn(form, form.querySelector("label")!);
  user.focus();
}
