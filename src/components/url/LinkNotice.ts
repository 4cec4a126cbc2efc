// The line above a figure that says what of a link could not be shown (linkFallbacks in viewState.ts),
// with a Dismiss button; an empty element when the link was followed.
import {el} from "../dom/el.js";
import {textButton} from "../inputs/textButton.js";

export function LinkNotice(notes: readonly string[]): HTMLElement {
  const node = el("div", "link-notice");
  node.dataset.testid = "link-notice";
  node.setAttribute("role", "status");
  if (!notes.length) return (node.hidden = true), node;
  const text = el("p", "");
  text.textContent = notes.join(" "); // a link's text is the visitor's, never markup
  node.append(text, textButton("Dismiss", () => node.remove()));
  return node;
}
