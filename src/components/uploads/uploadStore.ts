// Users' uploaded images and their activations, kept in this browser's IndexedDB so that they follow the
// user from page to page (Across images, Across layers) and survive a reload; nothing here is ever sent
// anywhere. One record per upload (the file, the exact 8-bit model input as a PNG, shown in the figures, sizes and timings)
// and one record per upload and layer (cell-major float32 activations), written in one transaction, so an
// upload is stored whole or not at all. Pages read only the layers they show.
//
// Every change is announced on a BroadcastChannel, so other tabs and the other figures of the page follow.
//
// The browser may close the database under the page: the user cleared the site's data, or the storage was
// evicted. Then the connection's `close` event fires (and until then a transaction throws "the database
// connection is closing"): the store opens the database again (empty now), tells its listeners, and calls
// its `onCleared` listeners once, so the page can say what happened; the next upload is kept as usual.
import type {Size} from "../../core/cells.js";

/** An upload as stored, without its activations. */
export interface UploadRecord {
  /** Unique id (random), also the key of its layers. */
  id: string;
  /** The file's name as the user's system gave it (may contain anything: show it as text). */
  name: string;
  /** Model whose activations are stored (e.g. "inception_v3"). */
  model: string;
  /** When it was added (Date.now()), for ordering. */
  added: number;
  /** Model input size (the size of `png`) and the decoded file's size. */
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  /** The exact picture the model saw, 8-bit RGB as a lossless PNG. */
  png: Blob;
  /** SHA-256 (hex) of the file's bytes, to tell when the same file is added again (absent in older records). */
  source?: string;
  /** Where and how fast it ran, for the page to say. */
  backend: string;
  inferenceMs: number;
}

/** One upload's activations at one layer. */
export interface UploadLayer {
  grid: Size;
  channels: number;
  /** grid.height × grid.width rows of `channels` floats. */
  values: Float32Array;
}

const DB_NAME = "similarity-overlays-uploads";
// Version 2: pictures are PNGs of the exact model input (version 1 kept JPEGs, and activations of unrounded
// pixels); uploads of version 1 are dropped on upgrade.
const DB_VERSION = 2;
const CHANNEL = "similarity-overlays-uploads";

/** A request's result as a promise. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Resolves when the transaction commits; rejects (and nothing is kept) if it aborts. */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error ?? new Error("the browser aborted the write"));
  });
}

/** Explains IndexedDB failures in words a user can act on. */
function storageError(error: unknown, doing: string): Error {
  const name = (error as DOMException)?.name;
  if (name === "QuotaExceededError") return new Error(`could not ${doing}: the browser's storage for this site is full. Remove some uploads and try again.`);
  return new Error(`could not ${doing}: the browser refused to store it (${(error as Error)?.message ?? String(error)}). Private windows may not allow storage.`);
}

/** Explains a failed removal. */
function removeError(error: unknown, doing: string): Error {
  return new Error(`could not ${doing}: the browser's storage failed (${(error as Error)?.message ?? String(error)}). Reload the page and try again.`);
}

export class UploadStore {
  private readonly channel: BroadcastChannel | null = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
  private readonly listeners = new Set<() => void>();
  private readonly clearedListeners = new Set<() => void>();
  /** The open connection, or the reopening after the browser closed it. */
  private db: Promise<IDBDatabase>;
  /** The browser closed the connection; onCleared listeners are told once it is open again. */
  private cleared = false;

  private constructor(db: IDBDatabase) {
    if (this.channel) this.channel.onmessage = () => this.notify(false);
    this.db = Promise.resolve(this.watch(db));
  }

  /** Reopens the database when the browser closes this connection (site data cleared, storage evicted). */
  private watch(db: IDBDatabase): IDBDatabase {
    db.onclose = () => {
      this.cleared = true;
      void this.reopen(db);
    };
    return db;
  }

  /** Opens the database again after `lost` closed (null: the last reopening failed). While the browser is
   * still clearing, an open fails ("the connection was closed"): it is tried a few times, then left to the
   * next call. */
  private reopen(lost: IDBDatabase | null): Promise<IDBDatabase> {
    const next = this.db.catch(() => null).then(async (db) => {
      if (db !== lost && db) return db; // already reopened
      let failure: unknown;
      for (let attempt = 1; attempt <= 5; ++attempt) {
        try {
          const fresh = this.watch(await UploadStore.connect());
          if (this.cleared) for (const listener of this.clearedListeners) listener();
          this.cleared = false;
          this.notify(false);
          return fresh;
        } catch (error) {
          failure = error;
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
      throw failure;
    });
    next.catch(() => undefined);
    return (this.db = next);
  }

  /** A transaction on the open connection; one that is closing (or failed to reopen) is opened again first. */
  private async transaction(stores: string | string[], mode: IDBTransactionMode = "readonly"): Promise<IDBTransaction> {
    const db = await this.db.catch(() => this.reopen(null));
    try {
      return db.transaction(stores, mode);
    } catch (error) {
      if ((error as DOMException)?.name !== "InvalidStateError") throw error;
      return (await this.reopen(db)).transaction(stores, mode);
    }
  }

  /** Opens (and on first use creates) the store. */
  static async open(): Promise<UploadStore> {
    return new UploadStore(await UploadStore.connect());
  }

  private static async connect(): Promise<IDBDatabase> {
    if (typeof indexedDB === "undefined") throw new Error("this browser has no IndexedDB, so uploads cannot be kept");
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 2) for (const name of ["uploads", "layers"]) if (db.objectStoreNames.contains(name)) db.deleteObjectStore(name);
      if (!db.objectStoreNames.contains("uploads")) db.createObjectStore("uploads", {keyPath: "id"});
      if (!db.objectStoreNames.contains("layers")) db.createObjectStore("layers");
    };
    try {
      return await done(request);
    } catch (error) {
      throw storageError(error, "open the uploads store");
    }
  }

  /** Every upload, oldest first. */
  async list(model?: string): Promise<UploadRecord[]> {
    const all = (await done((await this.transaction("uploads")).objectStore("uploads").getAll())) as UploadRecord[];
    return all.filter((r) => !model || r.model === model).sort((a, b) => a.added - b.added || (a.id < b.id ? -1 : 1));
  }

  /** Stores an upload with its layers, all or nothing. */
  async add(record: UploadRecord, layers: Readonly<Record<string, UploadLayer>>): Promise<void> {
    try {
      const tx = await this.transaction(["uploads", "layers"], "readwrite");
      const written = committed(tx);
      tx.objectStore("uploads").put(record);
      for (const [name, layer] of Object.entries(layers)) tx.objectStore("layers").put(layer, [record.id, name]);
      await written;
    } catch (error) {
      throw storageError(error, `keep ${JSON.stringify(record.name)}`);
    }
    this.notify(true);
  }

  /** One upload's activations at `layer`, or undefined if it has none there. */
  async layer(id: string, layer: string): Promise<UploadLayer | undefined> {
    return (await done((await this.transaction("layers")).objectStore("layers").get([id, layer]))) as UploadLayer | undefined;
  }

  /** Removes an upload and its layers. */
  async remove(id: string, name = "the upload"): Promise<void> {
    try {
      const tx = await this.transaction(["uploads", "layers"], "readwrite");
      const written = committed(tx);
      tx.objectStore("uploads").delete(id);
      tx.objectStore("layers").delete(IDBKeyRange.bound([id], [id, []]));
      await written;
    } catch (error) {
      throw removeError(error, `remove ${name}`);
    }
    this.notify(true);
  }

  /** Removes every upload. */
  async clear(): Promise<void> {
    try {
      const tx = await this.transaction(["uploads", "layers"], "readwrite");
      const written = committed(tx);
      tx.objectStore("uploads").clear();
      tx.objectStore("layers").clear();
      await written;
    } catch (error) {
      throw removeError(error, "remove your images");
    }
    this.notify(true);
  }

  /** Calls `listener` when the browser cleared the store under the page (its uploads are gone); returns the unsubscribe function. */
  onCleared(listener: () => void): () => void {
    this.clearedListeners.add(listener);
    return () => this.clearedListeners.delete(listener);
  }

  /** Calls `listener` after every change (here or in another tab); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(broadcast: boolean): void {
    if (broadcast) this.channel?.postMessage("changed");
    for (const listener of this.listeners) listener();
  }
}

let shared: Promise<UploadStore> | null = null;

/** The page's store, opened once. */
export function uploadStore(): Promise<UploadStore> {
  shared ??= UploadStore.open();
  shared.catch(() => (shared = null));
  return shared;
}
