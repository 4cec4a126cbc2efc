// A "Skip to the figure" link, the first thing the Tab key reaches on the page (before the sidebar):
// hidden until focused, it moves the focus to the figure's first image, where the arrow keys move the query.
import {el} from "../dom/el.js";

/** Puts the link first in the page's body until `invalidation`; `target` finds the element to focus when followed. */
export function SkipLink(text: string, target: () => HTMLElement | null, invalidation: Promise<unknown>): HTMLAnchorElement {
  const link = el("a", "skip-link", text);
  link.href = "#";
  link.dataset.testid = "skip-link";
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const node = target();
    if (!node) return;
    node.scrollIntoView({block: "center"});
    node.focus({preventScroll: true});
  });
  document.body.prepend(link);
  void invalidation.then(() => link.remove());
  return link;
}
