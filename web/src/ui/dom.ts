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

type Field = HTMLInputElement | HTMLSelectElement;

/**
 * Replaces a region's content, keeping focus on the element with the same
 * data-key, and what was typed or chosen in keyed fields and lists (a
 * redraw must not wipe a half-typed name or the phase chosen to jump to).
 */
export function replaceChildren(container: Element, ...children: Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined;
  const values = new Map<string, string>();
  for (const field of container.querySelectorAll<Field>("input[data-key], select[data-key]"))
    if (field.dataset.touched !== undefined) values.set(field.dataset.key!, field.value);
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  for (const field of fragment.querySelectorAll<Field>("input[data-key], select[data-key]")) {
    const value = values.get(field.dataset.key!);
    if (value !== undefined && (field instanceof HTMLInputElement || [...field.options].some((o) => o.value === value))) {
      field.value = value;
      field.dataset.touched = "";
    }
    // Only what the person changed is carried over; the rest shows the server's state.
    field.addEventListener("input", () => (field.dataset.touched = ""));
  }
  container.replaceChildren(fragment);
  if (key !== undefined) container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

/** A button that runs `action` on click (and Enter/Space, as every button does). */
export function button(label: string, action: () => void, props: Props = {}): HTMLButtonElement {
  return h("button", { type: "button", ...props, onclick: () => action() }, label);
}
