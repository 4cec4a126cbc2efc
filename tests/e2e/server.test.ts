// scripts/staticServer.ts against the built site: the headers that make pages cross-origin isolated, MIME
// types, clean URLs, and paths that must not resolve. The last test checks in Chromium that the page really
// is cross-origin isolated (what multi-threaded WebAssembly needs).
import assert from "node:assert/strict";
import {readdirSync} from "node:fs";
import {get as httpGet} from "node:http";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {startStaticServer, type StaticServer} from "../../scripts/staticServer.js";
import {distDir, openSite} from "./browser.js";

/** A built file under `dir` (relative to dist/) whose name matches `pattern`, as a URL path. */
function builtPath(dir: string, pattern: RegExp): string {
  const name = readdirSync(join(distDir, dir)).find((f) => pattern.test(f));
  if (!name) throw new Error(`no file matching ${pattern} in dist/${dir}`);
  return `${dir}/${name}`;
}

describe("static server", () => {
  let server: StaticServer;
  before(async () => {
    server = await startStaticServer({root: distDir});
  });
  after(async () => {
    await server?.close();
  });
  const get = (path: string) => fetch(new URL(path, server.url));

  test("binds to 127.0.0.1", () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test("sends COOP and COEP with every response", async () => {
    for (const path of ["", "no-such-page"]) {
      const response = await get(path);
      assert.equal(response.headers.get("cross-origin-opener-policy"), "same-origin", path);
      assert.equal(response.headers.get("cross-origin-embedder-policy"), "require-corp", path);
    }
  });

  test("serves each kind of file with its MIME type", async () => {
    const cases: [string, string][] = [
      ["", "text/html; charset=utf-8"],
      [builtPath("_file/data/animals", /^images\.[0-9a-f]+\.arrow$/), "application/vnd.apache.arrow.file"],
      [builtPath("_file/w", /^layerInfo\.[0-9a-f]+\.js$/), "text/javascript; charset=utf-8"],
      [builtPath("_import", /^style\.[0-9a-f]+\.css$/), "text/css; charset=utf-8"]
    ];
    for (const [path, type] of cases) {
      const response = await get(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("content-type"), type, path);
      await response.arrayBuffer();
    }
  });

  test("maps /index to index.html and answers 404 for missing files", async () => {
    assert.equal((await get("index")).status, 200);
    assert.equal((await get("_file/nothing.arrow")).status, 404);
  });

  test("refuses paths outside the served folder", async () => {
    // Sent raw: fetch() would normalize the dots away before the server saw them.
    const status = await new Promise<number | undefined>((resolve, reject) =>
      httpGet(new URL("..%2fpackage.json", server.url), (res) => (res.resume(), resolve(res.statusCode))).on("error", reject)
    );
    assert.equal(status, 400);
  });
});

describe("the served page", () => {
  test("is cross-origin isolated in Chromium", async () => {
    const site = await openSite();
    try {
      const page = await site.open("");
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    } finally {
      await site.close();
    }
  });
});
