// Hash routing (#/workbench, #/catalog/banking/accounts): the server serves index.html for
// "/" and every page path alike, and a hash never reaches it.
export interface Page {
  // Renders into `root`; the returned function, if any, stops timers and requests.
  (root: HTMLElement, parameters: string[]): (() => void) | void;
}

export interface RouteEntry {
  path: string; // first segment after "#/"
  title: string;
  page: Page;
}

export function currentPath(): string[] {
  return location.hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((part) => part !== "")
    .map(decodeURIComponent);
}

export function navigate(...segments: string[]): void {
  location.hash = "#/" + segments.map(encodeURIComponent).join("/");
}

export function href(...segments: string[]): string {
  return "#/" + segments.map(encodeURIComponent).join("/");
}
