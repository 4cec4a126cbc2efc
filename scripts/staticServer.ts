// A static file server for the built site (dist/). It sends the headers that make the page cross-origin
// isolated (COOP/COEP), which multi-threaded WebAssembly needs, and the right MIME type for .wasm, .arrow,
// .js and .css. Framework's preview server cannot send such headers (shared/notes/stack.md).
import {createReadStream} from "node:fs";
import {stat} from "node:fs/promises";
import {createServer, type Server} from "node:http";
import type {AddressInfo} from "node:net";
import {extname, join, normalize, resolve, sep} from "node:path";

const MIME_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".arrow": "application/vnd.apache.arrow.file",
  ".onnx": "application/octet-stream"
};

/** Headers sent with every response. */
const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache"
};

/** Options of startStaticServer. */
export interface StaticServerOptions {
  /** Folder to serve. */
  root: string;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  /** Address to bind; only the loopback interface by default. */
  host?: string;
  /** Send COOP/COEP (default true). False serves the site as a host without them would (benchmarks). */
  crossOriginIsolation?: boolean;
}

/** A running server: its base URL (ending in "/") and a way to stop it. */
export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The MIME type for a file name, by extension. */
export function mimeType(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** Serves `root` the way a static host serves a Framework build: "/x" is x.html, "/dir/" is dir/index.html. */
export async function startStaticServer({root, port = 0, host = "127.0.0.1", crossOriginIsolation = true}: StaticServerOptions): Promise<StaticServer> {
  const base = resolve(root);
  const headers: Record<string, string> = crossOriginIsolation ? HEADERS : Object.fromEntries(Object.entries(HEADERS).filter(([name]) => !name.startsWith("Cross-Origin-")));
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed", headers);
      const file = await findFile(base, decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname));
      if (!file) {
        const notFound = await findFile(base, "/404");
        if (notFound) return sendFile(req.method, res, 404, notFound.path, notFound.size, headers);
        return send(res, 404, "not found", headers);
      }
      sendFile(req.method, res, 200, file.path, file.size, headers);
    } catch (error) {
      send(res, 400, (error as Error).message, headers);
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    server,
    close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done())))
  };
}

/** The file a URL path names under `base`, trying "path", "path.html" and "path/index.html". */
async function findFile(base: string, pathname: string): Promise<{path: string; size: number} | undefined> {
  const path = normalize(join(base, pathname));
  if (path !== base && !path.startsWith(base + sep)) throw new Error(`invalid path: ${pathname}`);
  const candidates = pathname.endsWith("/") ? [join(path, "index.html")] : [path, `${path}.html`, join(path, "index.html")];
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile()) return {path: candidate, size: info.size};
  }
  return undefined;
}

function sendFile(method: string, res: import("node:http").ServerResponse, status: number, path: string, size: number, headers: Record<string, string>): void {
  res.writeHead(status, {...headers, "Content-Type": mimeType(path), "Content-Length": size});
  if (method === "HEAD") return void res.end();
  createReadStream(path).pipe(res);
}

function send(res: import("node:http").ServerResponse, status: number, message: string, headers: Record<string, string>): void {
  res.writeHead(status, {...headers, "Content-Type": "text/plain; charset=utf-8"});
  res.end(`${message}\n`);
}
