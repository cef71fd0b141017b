// A padlock drawn in SVG: the pages use system fonts only, and those may have no emoji.
export function lockIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const icon = document.createElementNS(ns, "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("class", "ops-lock");
  icon.setAttribute("aria-hidden", "true");
  const shackle = document.createElementNS(ns, "path");
  shackle.setAttribute("d", "M7 11V8a5 5 0 0 1 10 0v3");
  const body = document.createElementNS(ns, "rect");
  for (const [name, value] of Object.entries({ x: "4.5", y: "11", width: "15", height: "10", rx: "2" })) body.setAttribute(name, value);
  icon.append(shackle, body);
  return icon;
}
