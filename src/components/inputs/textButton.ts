// A plain button with a text label and a click handler (Clear pins, Export PNG).

/** Returns a <button type="button"> labelled `text` that calls `onClick`. */
export function textButton(text: string, onClick: () => void): HTMLButtonElement {
  const node = Object.assign(document.createElement("button"), {type: "button", textContent: text});
  node.addEventListener("click", onClick);
  return node;
}
