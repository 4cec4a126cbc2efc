// The one helper the components use to make elements: a tag, its class and its text. Text is set with
// textContent, never parsed as markup (file names and messages are shown with it).

/** A new `tag` element with class `className` (if any) and text `text` (if any). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}
