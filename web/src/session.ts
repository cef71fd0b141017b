// Who is logged in: the token pair from POST /api/v1/auth/login, renewed before the access
// token expires, kept in sessionStorage so a reload keeps the tab logged in (and closing
// it logs out).
const storageKey = "akko.session";

interface Stored {
  user: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number; // ms since the epoch
}

export interface Identity {
  user: string;
  roles: string[];
  superuser: boolean;
}

export class AuthError extends Error {}

let stored: Stored | null = load();
let refreshTimer: number | undefined;
let refreshing: Promise<boolean> | null = null;
const listeners: (() => void)[] = [];

function load(): Stored | null {
  try {
    const text = sessionStorage.getItem(storageKey);
    return text ? (JSON.parse(text) as Stored) : null;
  } catch {
    return null;
  }
}

function save(next: Stored | null): void {
  stored = next;
  if (next) sessionStorage.setItem(storageKey, JSON.stringify(next));
  else sessionStorage.removeItem(storageKey);
  scheduleRefresh();
}

// Renews at 80% of the token's life (at least 5 s ahead), so requests never meet an
// expired token while the tab stays open.
function scheduleRefresh(): void {
  window.clearTimeout(refreshTimer);
  if (!stored) return;
  const lead = Math.max(5000, (stored.expiresAt - Date.now()) * 0.2);
  const delay = Math.max(0, stored.expiresAt - Date.now() - lead);
  refreshTimer = window.setTimeout(() => void refresh(), delay);
}

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = await response.json();
    return body?.error?.message ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

function accept(user: string, answer: TokenAnswer): void {
  save({
    user,
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
  });
}

export async function login(user: string, password: string): Promise<void> {
  const response = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  if (response.status === 429) {
    const wait = response.headers.get("Retry-After");
    throw new AuthError(`Too many failed attempts: try again${wait ? ` in ${wait} s` : " later"}.`);
  }
  if (!response.ok) {
    throw new AuthError(response.status === 401 ? "Wrong user name or password." : await errorMessage(response));
  }
  accept(user, (await response.json()) as TokenAnswer);
}

// The outcome of single sign-on, which the server puts in the URL's fragment when the
// provider sends the browser back (GET /api/v1/auth/sso/callback): the provider's access
// token, or why the login failed. Returns that reason, or null.
export function acceptSingleSignOn(): string | null {
  const prefix = "#sso=";
  if (!location.hash.startsWith(prefix)) return null;
  const text = decodeURIComponent(location.hash.slice(prefix.length));
  history.replaceState(null, "", location.pathname + location.search);
  try {
    const outcome = JSON.parse(text) as { access_token?: string; expires_in?: number; user?: string; error?: string };
    if (!outcome.access_token || !outcome.user) return outcome.error ?? "single sign-on failed";
    save({
      user: outcome.user,
      accessToken: outcome.access_token,
      refreshToken: "",
      expiresAt: Date.now() + (outcome.expires_in || 300) * 1000,
    });
    return null;
  } catch {
    return "single sign-on failed: the answer could not be read";
  }
}

// True when a new pair was had. One refresh at a time: the refresh token is single-use.
// A single sign-on session has none: it ends with the provider's token, and signing on again
// is one click while the provider's own session lasts.
export function refresh(): Promise<boolean> {
  if (refreshing) return refreshing;
  const current = stored;
  if (!current) return Promise.resolve(false);
  if (!current.refreshToken) {
    logout();
    return Promise.resolve(false);
  }
  refreshing = (async () => {
    try {
      const response = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      });
      if (!response.ok) {
        if (response.status === 401) logout();
        return false;
      }
      accept(current.user, (await response.json()) as TokenAnswer);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export function logout(): void {
  const was = stored !== null;
  save(null);
  identity = null;
  if (was) listeners.forEach((listener) => listener());
}

export function onLogout(listener: () => void): void {
  listeners.push(listener);
}

export function loggedIn(): boolean {
  return stored !== null;
}

export function accessToken(): string | null {
  return stored?.accessToken ?? null;
}

export function userName(): string {
  return stored?.user ?? "";
}

let identity: Identity | null = null;

export function currentIdentity(): Identity | null {
  return identity;
}

export function setIdentity(next: Identity): void {
  identity = next;
}

// The highest built-in role, for the badge; a custom role when there is none.
export function mainRole(who: Identity): string {
  if (who.superuser) return "admin";
  for (const role of ["akko-admin", "akko-engineer", "akko-analyst", "akko-user", "akko-viewer"]) {
    if (who.roles.includes(role)) return role.slice("akko-".length);
  }
  return who.roles.find((role) => role !== "public") ?? "no role";
}

scheduleRefresh();
