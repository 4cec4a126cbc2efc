// "Your images": where users add their own pictures. Files come from the picker, from a drop anywhere on the
// page, or from a paste; each runs through the model in this browser (workers/uploads.ts, onnxruntime-web)
// at every layer the model exposes, and is kept with its activations in IndexedDB (uploadStore.ts), so it
// joins the set on every page. Nothing is sent anywhere: the only requests are the site's own model and
// runtime files, fetched once the panel is touched or a file arrives.
//
// The panel shows each stage as it happens (downloading the model and its runtime, compiling the runtime,
// making the session, running, storing) with a progress bar, which backend ran and how long it took, a message per refused file (what was wrong and what to do), and the uploads with a Remove button.
import type {ModelSpec} from "../../core/modelSpec.js";
import type {DownloadProgress, InitStage} from "../../../workers/uploads.js";
import {textButton} from "../inputs/textButton.js";
import {startUploads, uploadModelSpec, type UploadModelId, type UploadsClient} from "../clients/uploadsClient.js";
import {describeBackend} from "../clients/uploadsWorkerClient.js";
import {uploadStore, type UploadLayer, type UploadRecord} from "./uploadStore.js";
import {el} from "../dom/el.js";
import {describeUpload, isolateName, readChosenFile} from "../../core/imageFile.js";

/** Options of UploadPanel. */
export interface UploadPanelOptions {
  /** The model the set was computed with; uploads are run through the same one (setModel() changes it). */
  model: UploadModelId;
  /** Ends the worker and the page-wide listeners (the cell's invalidation). */
  invalidation?: Promise<unknown>;
}

const MB = 1e6;

/** The panel's node; setModel(id) makes later uploads run through model `id` (the set shown now) and lists its uploads. */
export type UploadPanelNode = HTMLElement & {setModel(id: UploadModelId): void};

/** The panel's node. */
export function UploadPanel({model, invalidation}: UploadPanelOptions): UploadPanelNode {
  const root = el("section", "upload-panel") as UploadPanelNode;
  root.dataset.testid = "upload-panel";
  const heading = el("h3", "");
  heading.textContent = "Your images";
  const intro = el("p", "upload-intro");
  intro.textContent = "Add photos of your own: they run through the model in this browser and join the set on every page. They are kept in this browser only; nothing is uploaded to a server.";

  const input = Object.assign(document.createElement("input"), {type: "file", multiple: true, accept: "image/*"});
  input.hidden = true;
  input.dataset.testid = "upload-input";
  const choose = textButton("Choose images…", () => input.click());
  const zone = el("div", "upload-zone");
  const hint = el("span", "");
  hint.textContent = " or drop them anywhere on the page, or paste them.";
  zone.append(choose, hint, input);

  const progress = Object.assign(document.createElement("progress"), {max: 1, value: 0});
  progress.hidden = true;
  const status = el("p", "upload-status");
  status.setAttribute("aria-live", "polite");
  status.dataset.testid = "upload-status";
  const errors = el("ul", "upload-errors");
  errors.dataset.testid = "upload-errors";
  const list = el("ul", "upload-list");
  list.dataset.testid = "upload-list";
  const removeAll = textButton("Remove all", () => void uploadStore().then((store) => store.clear()).catch((error) => showError("", error)));
  removeAll.hidden = true;
  root.append(heading, intro, zone, progress, status, errors, list, removeAll);

  // The worker starts when the panel is first touched (pointer, focus) or a file is dragged over the page,
  // so the downloads and the runtime's compilation are under way before a file is chosen; init() downloads
  // the model and the runtime once.
  let client: UploadsClient | null = null;
  let ready: Promise<{spec: ModelSpec; backend: string; numThreads: number}> | null = null;
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;

  root.setModel = (id) => {
    if (id === model) return;
    model = id;
    ready = null; // the next upload makes the session of this model
    void showList();
  };

  function start(): Promise<{spec: ModelSpec; backend: string; numThreads: number}> {
    client ??= startUploads(invalidation);
    const c = client;
    ready ??= (async () => {
      const spec = await uploadModelSpec(model);
      const loaded = {model: 0, runtime: 0};
      const total = {model: 0, runtime: 0};
      let stage: "download" | InitStage | "done" = "download"; // messages can arrive after init() has returned
      const mb = (key: "model" | "runtime") => `${(loaded[key] / MB).toFixed(1)} of ${(total[key] / MB).toFixed(1)} MB`;
      const show = () => {
        if (stage === "done") return;
        progress.hidden = false;
        if (stage === "session") {
          progress.removeAttribute("value"); // a moving bar: no measure of how far it has got
          status.textContent = "Creating the model's session (once)…";
          return;
        }
        const all = total.model + total.runtime;
        progress.max = all || 1;
        progress.value = loaded.model + loaded.runtime;
        status.textContent = stage === "compile"
          ? `Compiling the runtime (once), while the model downloads (${mb("model")})…`
          : `Downloading the model (${mb("model")}) and its runtime (${mb("runtime")}), once…`;
      };
      const onProgress = ({file, loaded: n, total: t}: DownloadProgress) => {
        const key = file === "model" ? "model" : "runtime";
        loaded[key] = n;
        if (t) total[key] = t;
        show();
      };
      const onStage = (next: InitStage) => {
        if (stage === "done") return;
        stage = next;
        show();
      };
      status.textContent = "Starting the model…";
      const done = await c.init({model, outputs: spec.layers.map((l) => l.name), onProgress, onStage}).finally(() => (stage = "done"));
      if (!waiting) {
        // Started by a touch of the panel, before any file: say it is ready.
        progress.hidden = true;
        status.textContent = `The model is ready (${describeBackend(done.backend, done.numThreads)}): choose, drop or paste images.`;
      }
      return {spec, backend: done.backend, numThreads: done.numThreads};
    })();
    const mine = ready;
    mine.catch(() => ready === mine && (ready = null));
    return mine;
  }

  /** Runs `files` one after another; each refused file gets its own message. */
  function addFiles(files: readonly File[]): void {
    if (!files.length) return;
    waiting += files.length;
    let index = 0;
    queue = queue.then(async () => {
      const total = files.length;
      let added = 0;
      let timing = "";
      for (const file of files) {
        ++index;
        let name = file.name;
        try {
          const store = await uploadStore();
          const records = await store.list(model);
          // A pasted image may come without a name: it gets the first free "pasted image N".
          if (!name) for (let n = 1; !name; ++n) if (!records.some((r) => r.name === `pasted image ${n}`)) name = `pasted image ${n}`;
          // The same file again (by its bytes) is not added twice.
          const source = await fingerprint(file, name);
          const same = records.find((r) => r.source === source);
          if (same) {
            showNote(`${describeUpload(name)} is already among your images${same.name === name ? "" : ` (as ${describeUpload(same.name)})`}: it was not added again.`);
            continue;
          }
          const {spec, backend, numThreads} = await start();
          progress.hidden = false;
          progress.max = total;
          progress.value = index - 1;
          if (total === 1) progress.removeAttribute("value"); // one image: a moving bar while it runs
          status.textContent = `Running ${index} of ${total}: ${isolateName(name)}…`;
          const result = await client!.embed(file, {name});
          status.textContent = `Storing ${index} of ${total}: ${isolateName(name)}…`;
          const layers: Record<string, UploadLayer> = {};
          for (const [name, layer] of Object.entries(result.layers)) layers[name] = {grid: layer.grid, channels: layer.channels, values: layer.values};
          const record: UploadRecord = {
            id: crypto.randomUUID(),
            name,
            source,
            model: spec.id,
            added: Date.now(),
            width: result.width,
            height: result.height,
            originalWidth: result.originalWidth,
            originalHeight: result.originalHeight,
            png: result.png,
            backend: describeBackend(backend, numThreads),
            inferenceMs: result.ms.inference
          };
          await store.add(record, layers);
          ++added;
          if (result.warning) showNote(result.warning);
          timing = `${isolateName(record.name)} ran on ${record.backend}: ${Math.round(result.ms.inference)} ms for the model, ${Math.round(result.ms.total)} ms in all.`;
          status.textContent = timing;
        } catch (error) {
          showError(name || "pasted image", error);
        } finally {
          progress.value = index;
          --waiting;
        }
      }
      if (added < total) status.textContent = `${timing ? `${timing} ` : ""}${total - added} of ${total} could not be used: see below.`;
      if (!waiting) progress.hidden = true;
    });
  }

  function showError(name: string, error: unknown): void {
    const message = (error as Error)?.message ?? String(error);
    // The worker's messages name the file themselves (quoted, long names shortened); others get it in front.
    showNote(!name || message.includes(describeUpload(name).slice(0, 20)) ? capitalise(message) : `${isolateName(name)}: ${message}`);
  }

  /** A message in the list below the panel, with its Dismiss button. textContent: a file name is the user's text, never markup. */
  function showNote(text: string): void {
    const item = el("li", "");
    item.textContent = text;
    const dismiss = textButton("Dismiss", () => item.remove());
    item.append(" ", dismiss);
    errors.append(item);
  }

  // The list of uploads, redrawn from the store after every change.
  const urls: string[] = [];
  async function showList(): Promise<void> {
    const store = await uploadStore();
    const records = await store.list(model);
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    list.replaceChildren(
      ...records.map((record) => {
        const item = el("li", "");
        const thumb = Object.assign(document.createElement("img"), {alt: "", width: 40, height: Math.round((40 * record.height) / record.width)});
        const url = URL.createObjectURL(record.png);
        urls.push(url);
        thumb.src = url;
        const name = el("span", "upload-name");
        name.textContent = isolateName(record.name);
        name.title = `${record.originalWidth}×${record.originalHeight}, ran on ${record.backend} in ${Math.round(record.inferenceMs)} ms`;
        const remove = textButton("Remove", () => void store.remove(record.id, describeUpload(record.name)).catch((error) => showError("", error)));
        remove.setAttribute("aria-label", `Remove ${isolateName(record.name)}`);
        item.append(thumb, name, remove);
        return item;
      })
    );
    removeAll.hidden = records.length < 2;
  }

  // Touching the panel or dragging a file starts the worker and its downloads (errors wait for a file).
  const warmUp = () => void start().catch(() => (status.textContent = ""));
  root.addEventListener("pointerenter", warmUp, {once: true});
  root.addEventListener("focusin", warmUp, {once: true});

  // Input: picker, drop anywhere on the page, paste.
  input.addEventListener("change", () => {
    addFiles([...(input.files ?? [])]);
    input.value = "";
  });
  const onDragOver = (event: DragEvent) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault(); // otherwise the browser opens the dropped file in place of the page
    event.dataTransfer.dropEffect = "copy";
    if (!ready) warmUp();
    root.classList.add("upload-dragging");
  };
  const onDragLeave = (event: DragEvent) => {
    if (!event.relatedTarget) root.classList.remove("upload-dragging");
  };
  const onDrop = (event: DragEvent) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    root.classList.remove("upload-dragging");
    addFiles([...event.dataTransfer.files]);
  };
  const onPaste = (event: ClipboardEvent) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) return;
    event.preventDefault();
    addFiles(files);
  };
  window.addEventListener("dragover", onDragOver);
  window.addEventListener("dragleave", onDragLeave);
  window.addEventListener("drop", onDrop);
  document.addEventListener("paste", onPaste);
  let unsubscribe = () => {};
  uploadStore().then(
    (store) => {
      const unlist = store.subscribe(() => void showList().catch((error) => showError("", error)));
      const uncleared = store.onCleared(() => showNote("This site's stored data was cleared (in the browser's settings, or by the browser to free space): your images are gone from this browser. New ones are kept again."));
      unsubscribe = () => (unlist(), uncleared());
      return showList();
    },
    (error) => showError("uploads", error)
  );
  invalidation?.then(() => {
    window.removeEventListener("dragover", onDragOver);
    window.removeEventListener("dragleave", onDragLeave);
    window.removeEventListener("drop", onDrop);
    document.removeEventListener("paste", onPaste);
    unsubscribe();
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
  });
  return root;
}

/** SHA-256 (hex) of a chosen file's bytes, to tell the same file added again. */
async function fingerprint(file: Blob, name: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", (await readChosenFile(file, describeUpload(name))) as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

