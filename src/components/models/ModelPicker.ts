// "Your model": where a researcher picks (or drops) an .onnx file. The uploads worker checks and inspects it
// (workers/uploads.ts inspectModel(): size first, then format, image input and candidate layers from one
// probe run); this panel lists the candidate layers with their channels and grid at the chosen input size,
// the input's layout and shape, and the options (layers, preprocessing, channel order, input size). Run makes
// the panel's value the chosen setup (an Observable view: it dispatches "input"). The file never leaves the
// browser: it goes to the worker by postMessage. Every message is shown as text.
import type {ModelSpec} from "../../core/modelSpec.js";
import type {Normalization} from "../../core/modelSpec.js";
import {describeField, hasReceptiveField, inputSizeFor, MAX_INPUT_SIZE, MIN_INPUT_SIZE, modelDefaults, PREPROCESSING, userModelSpec, type ModelDefaults, type PreprocessingId} from "../../core/userModel.js";
import type {ModelInspection} from "../../../workers/uploads.js";
import {textButton} from "../inputs/textButton.js";
import type {UploadsClient} from "../clients/uploadsWorkerClient.js";
import {el} from "../dom/el.js";
import {isolateName} from "../../core/imageFile.js";

/** What Run hands to the page. */
export interface PickedModel {
  file: File;
  inspection: ModelInspection;
  spec: ModelSpec;
  /** Operator of each chosen layer, by output name (for messages). */
  opTypes: Record<string, string>;
  /** Counts the presses of Run. */
  run: number;
}

/** The panel's node; its `value` is null until Run is pressed. */
export type ModelPickerNode = HTMLElement & {value: PickedModel | null};


/** A size in MB for the status line (the worker's messages use modelFile.ts formatBytes). */
function megabytes(n: number): string {
  return n < 1e5 ? `${(n / 1e3).toFixed(1)} KB` : `${(n / 1e6).toFixed(1)} MB`;
}

function shape(inspection: ModelInspection): string {
  const {input} = inspection;
  const d = (v: number | null, name: string) => (v == null ? name : String(v));
  const dims = input.layout === "NCHW" ? [d(input.batch, "N"), input.channels, d(input.height, "H"), d(input.width, "W")] : [d(input.batch, "N"), d(input.height, "H"), d(input.width, "W"), input.channels];
  return `[${dims.join(", ")}]`;
}

/** A normalization in words: "[−1, 1]" or "mean 0.5, 0.5, 0.5 / std 0.25, 0.25, 0.25". */
function describeNormalization(n: Normalization): string {
  return n.kind === "range" ? `[${n.min}, ${n.max}]` : `mean ${n.mean.join(", ")} / std ${n.std.join(", ")}`;
}

/** The panel. `client` is the uploads worker's client (its worker starts on the first file). */
export function ModelPicker({client}: {client: UploadsClient}): ModelPickerNode {
  const root = el("section", "model-picker") as unknown as ModelPickerNode;
  root.value = null;
  root.dataset.testid = "model-picker";

  const input = Object.assign(document.createElement("input"), {type: "file", accept: ".onnx,application/octet-stream"});
  input.hidden = true;
  input.dataset.testid = "model-input";
  const zone = el("div", "model-zone");
  zone.append(textButton("Choose an .onnx file…", () => input.click()), el("span", "", " or drop it here. It is read in this browser only; nothing is uploaded."), input);
  const status = el("p", "model-status");
  status.dataset.testid = "model-status";
  status.setAttribute("aria-live", "polite");
  const error = el("p", "model-error");
  error.dataset.testid = "model-error";
  error.setAttribute("role", "alert");
  const details = el("div", "model-details");
  details.hidden = true;
  root.append(zone, status, error, details);
  // The panel's value changes on Run only: the "input" events of the controls inside (the file input, the
  // selects, the boxes) must not reach the page, which would take each for a new value and run again.
  for (const node of [zone, details]) node.addEventListener("input", (e) => e.stopPropagation());

  const described = el("p", "model-described");
  described.dataset.testid = "model-described";
  const options = el("div", "model-options");
  const preprocessing = el("select");
  preprocessing.name = "preprocessing";
  for (const [id, p] of Object.entries(PREPROCESSING)) preprocessing.append(Object.assign(el("option", "", p.label), {value: id}));
  const channelOrder = el("select");
  channelOrder.name = "channelOrder";
  for (const order of ["RGB", "BGR"]) channelOrder.append(Object.assign(el("option", "", order), {value: order}));
  const size = Object.assign(el("input"), {type: "number", name: "inputSize", min: String(MIN_INPUT_SIZE), max: String(MAX_INPUT_SIZE), step: "1"});
  const label = (text: string, control: HTMLElement) => {
    const l = el("label", "", text);
    l.append(control);
    return l;
  };
  const sizeNote = el("span", "model-size-note");
  const sizeLabel = label("Input size ", size);
  sizeLabel.append(sizeNote);
  options.append(label("Preprocessing ", preprocessing), label("Channel order ", channelOrder), sizeLabel);
  // Where each default came from: the input shape, the file's metadata, or the page's guess.
  const defaultsNote = el("p", "model-note");
  defaultsNote.dataset.testid = "model-defaults";
  const table = el("table", "model-layers");
  table.dataset.testid = "model-layers";
  const runButton = textButton("Run", () => void run());
  runButton.dataset.testid = "model-run";
  const fieldNote = el("p", "model-note");
  // A real network has a hundred layers or more: the table scrolls in a box of its own.
  const scroller = el("div", "model-layers-scroll");
  scroller.append(table);
  const chosenNote = el("span", "model-chosen");
  chosenNote.dataset.testid = "model-chosen";
  const runRow = el("p", "model-run-row");
  runRow.append(runButton, chosenNote);
  details.append(described, options, defaultsNote, scroller, fieldNote, runRow);

  let file: File | null = null;
  let inspection: ModelInspection | null = null;
  let checked = new Set<string>();
  let runs = 0;
  let generation = 0;
  /** The input size the listed grids were measured at. */
  let measured: {width: number; height: number} | null = null;
  /** The measurement in progress, if any. */
  let pending: Promise<void> | null = null;
  /** The defaults of the file on show (the normalization behind the "file" option). */
  let defaults: ModelDefaults | null = null;

  /** Sets the panel's options to a file's defaults and says where each came from. */
  function applyDefaults(d: ModelDefaults) {
    defaults = d;
    checked = new Set(d.layers.value);
    preprocessing.querySelector("option[value=file]")?.remove();
    if (d.preprocessing.value === "file") preprocessing.append(Object.assign(el("option", "", `From the file: ${describeNormalization(d.preprocessing.normalization)}`), {value: "file"}));
    preprocessing.value = d.preprocessing.value;
    channelOrder.value = d.channelOrder.value;
    size.value = String(d.size.value);
    size.disabled = d.size.fixed;
    sizeNote.textContent = d.size.fixed ? " (fixed by the model)" : " px square (the model accepts any size)";
    const label = d.preprocessing.value === "file" ? describeNormalization(d.preprocessing.normalization) : PREPROCESSING[d.preprocessing.value].label;
    defaultsNote.textContent =
      `Preprocessing ${label}: ${d.preprocessing.from}. Channel order ${d.channelOrder.value}: ${d.channelOrder.from}. ` +
      `Input size ${d.size.value} px: ${d.size.from}. Layers ticked (${d.layers.value.join(", ") || "none"}): ${d.layers.from}.`;
  }

  function showError(message: string) {
    error.textContent = message;
  }

  async function inspect(chosen: File, probe?: {width: number; height: number}) {
    const mine = ++generation;
    showError("");
    status.textContent = probe ? `Measuring the grids at ${probe.width}×${probe.height}…` : `Reading ${isolateName(chosen.name)} (${megabytes(chosen.size)})…`;
    // Only a new file disables Run: a new size is measured while Run waits for it (a click that blurs the
    // size box fires its change event first, and a disabled button would swallow the click).
    if (!probe) runButton.disabled = true;
    try {
      const result = await client.inspectModel(chosen, probe ? {size: {height: probe.height, width: probe.width}} : {});
      if (mine !== generation) return;
      const fresh = !probe;
      file = chosen;
      inspection = result;
      measured = probe ?? inputSizeFor(result.input);
      if (fresh) applyDefaults(modelDefaults(result.input, result.layers, result.hints));
      render();
      status.textContent = `${result.name ? isolateName(result.name) : "The model"}: ${megabytes(result.bytes)}, ${result.layers.length} candidate layer${result.layers.length === 1 ? "" : "s"}.`;
      details.hidden = false;
      // A size the file asks for (its metadata) other than the probe's: measure the grids there.
      if (fresh && !size.disabled && Number(size.value) !== measured.width) pending = inspect(chosen, inputSizeFor(result.input, Number(size.value)));
    } catch (e) {
      if (mine !== generation) return;
      status.textContent = "";
      showError((e as Error).message);
      if (!probe) {
        details.hidden = true;
        inspection = null;
        file = null;
      }
    } finally {
      if (mine === generation) runButton.disabled = false;
    }
  }

  function render() {
    if (!inspection) return;
    const {input, layers} = inspection;
    described.textContent = `Input "${input.name}": ${input.layout} ${shape(inspection)}, ${input.height != null && input.width != null ? `fixed size ${input.width}×${input.height}` : "any height and width"}. Layout detected: ${input.layout}.${input.channels === 1 ? " One channel: pictures are converted to grey (0.299 R + 0.587 G + 0.114 B) before they reach it, and shown in grey." : ""}`;
    described.dataset.layout = input.layout;
    table.replaceChildren();
    const head = el("tr");
    for (const h of ["", "Layer (output)", "Operator", "Layout", "Channels", "Grid", "Receptive field"]) head.append(el("th", "", h));
    table.append(el("thead"), el("tbody"));
    table.tHead!.append(head);
    for (const layer of layers) {
      const row = el("tr");
      row.dataset.layer = layer.output;
      row.dataset.channels = String(layer.channels);
      row.dataset.grid = `${layer.width}×${layer.height}`;
      row.dataset.layout = layer.layout;
      const box = Object.assign(el("input"), {type: "checkbox", checked: checked.has(layer.output)});
      box.setAttribute("aria-label", `use layer ${layer.output}`);
      box.addEventListener("change", () => {
        if (box.checked) checked.add(layer.output);
        else checked.delete(layer.output);
        showChosen();
      });
      const cell = el("td");
      cell.append(box);
      row.append(cell, breakableName(layer.output), el("td", "", layer.opType), el("td", "", layer.layout), el("td", "num", String(layer.channels)), el("td", "num", `${layer.width}×${layer.height}`), el("td", "", describeField(layer)));
      table.tBodies[0]!.append(row);
    }
    showChosen();
    // Bring the first ticked layer into the box's view (a real network's default is far down the list).
    const first = table.querySelector<HTMLElement>("input:checked")?.closest("tr");
    if (first) requestAnimationFrame(() => (scroller.scrollTop = Math.max(0, first.offsetTop - 2 * first.offsetHeight)));
    const unknown = layers.filter((l) => !hasReceptiveField(l)).length;
    fieldNote.textContent =
      `Grids are measured at the chosen input size. ` +
      (unknown ? `For ${unknown} layer${unknown === 1 ? "" : "s"} the graph analysis cannot give the receptive field (an operator on the way is not understood): there the outline shows the cell itself, not its receptive field.` : "The receptive fields come from the graph analysis; the figure outlines them.");
  }

  function showChosen() {
    const names = inspection ? inspection.layers.filter((l) => checked.has(l.output)).map((l) => l.output) : [];
    chosenNote.textContent = names.length ? ` ${names.length} layer${names.length === 1 ? "" : "s"} ticked: ${names.join(", ")}` : " Tick at least one layer.";
  }

  function chosenFile(files: FileList | null) {
    const chosen = files?.[0];
    if (chosen) void inspect(chosen);
  }

  input.addEventListener("change", () => {
    chosenFile(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("model-dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("model-dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("model-dragging");
    chosenFile(e.dataTransfer?.files ?? null);
  });
  size.addEventListener("change", () => {
    if (!file || !inspection || size.disabled) return;
    try {
      const s = inputSizeFor(inspection.input, Number(size.value));
      pending = inspect(file, s);
    } catch (e) {
      showError((e as Error).message);
    }
  });

  async function run() {
    if (!file || !inspection) return;
    showError("");
    try {
      // The grids must be those at the size in the box (a change not yet measured is measured first).
      if (pending) await pending;
      if (!inspection || !file) return;
      const s = inputSizeFor(inspection.input, Number(size.value));
      const stale = () => !measured || measured.width !== s.width || measured.height !== s.height;
      if (stale()) await inspect(file, s);
      if (!inspection || !file || stale()) return;
      const spec = userModelSpec(inspection.input, inspection.layers, {
        name: file.name,
        preprocessing: preprocessing.value === "file" && defaults ? defaults.preprocessing.normalization : (preprocessing.value as PreprocessingId),
        channelOrder: channelOrder.value as "RGB" | "BGR",
        inputSize: Number(size.value),
        outputs: inspection.layers.filter((l) => checked.has(l.output)).map((l) => l.output)
      });
      const opTypes = Object.fromEntries(inspection.layers.map((l) => [l.output, l.opType]));
      root.value = {file, inspection, spec, opTypes, run: ++runs};
      root.dispatchEvent(new Event("input", {bubbles: true}));
    } catch (e) {
      showError((e as Error).message);
    }
  }

  return root;
}

/** A table cell with a layer's name that may break after "_", "/", "." or ":" (a <wbr> each), never inside a word. */
function breakableName(name: string): HTMLElement {
  const cell = el("td", "model-layer-name");
  for (const part of name.split(/(?<=[_/.:])/)) cell.append(part, el("wbr"));
  cell.lastChild?.remove();
  return cell;
}
