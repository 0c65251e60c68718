// A few lines of DOM building, so views read as what they draw:
//   h("button", { type: "button", onclick: pass }, "Pass")
// Regions are redrawn whole on every state; `replaceChildren` keeps the
// keyboard focus on the element with the same data-key, so redrawing never
// throws a keyboard user back to the top of the page.

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) return child.forEach((c) => append(parent, c));
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (name === "value") (element as HTMLInputElement).value = String(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Replaces a region's content, keeping focus on the element with the same data-key. */
export function replaceChildren(container: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined;
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  container.replaceChildren(fragment);
  if (key !== undefined) container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

/** A button that runs `action` on click (and Enter/Space, as every button does). */
export function button(label: string, action: () => void, props: Props = {}): HTMLButtonElement {
  return h("button", { type: "button", ...props, onclick: () => action() }, label);
}
