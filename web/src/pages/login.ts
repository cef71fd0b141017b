// The login form: the built-in identity (POST /api/v1/auth/login).
import { h } from "../dom";
import { login } from "../session";

export function loginPage(root: HTMLElement, done: () => void): void {
  const user = h("input", { name: "user", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const message = h("div", { class: "form-error", role: "alert" });
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
  user.focus();
}
