// Shared harness for the end-to-end tests: serves the built site (dist/) with scripts/staticServer.ts on a
// free port, starts headless Chromium through playwright-core, and records every request and every error
// the pages report. Requests that would leave 127.0.0.1 are recorded and aborted, so a test can fail on
// them instead of hanging on an unreachable host.
import {existsSync, mkdirSync, mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {chromium, type BrowserContext, type Page} from "playwright-core";
import {startStaticServer, type StaticServer} from "../../scripts/staticServer.js";

/** Where screenshots go (gitignored). */
export const outputDir = join(import.meta.dirname, "..", "output");

/** The built site the tests run against. */
export const distDir = join(import.meta.dirname, "..", "..", "dist");

/** Flags for headless Chromium here: no sandbox (root), no GPU (hence no WebGPU adapter), no network chatter. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
];

/**
 * The Chromium to run: $CHROMIUM_PATH, Debian's /usr/bin/chromium or /usr/bin/chromium-browser, or a browser
 * that playwright-core downloaded. Throws (so the tests fail, not skip) when there is none.
 */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // playwright-core has no browser of its own here.
  }
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) throw new Error("No Chromium found: install it with `apt-get install chromium` (Debian) or set CHROMIUM_PATH");
  return found;
}

/** A request a page made, and where it came from. */
export interface RecordedRequest {
  url: string;
  resourceType: string;
  method: string;
  /** Size of the request body in bytes (0 for none). */
  bodyBytes: number;
}

/** The served site and a browser pointed at it. */
export interface Site {
  /** Base URL of the site, ending in "/". */
  url: string;
  context: BrowserContext;
  /** Every request made by any page or worker, in order. */
  requests: RecordedRequest[];
  /** Console errors, uncaught exceptions and failed requests, as text. */
  errors: string[];
  /** Opens a new page at `path` (relative to the site) and waits for it to load. */
  open(path?: string): Promise<Page>;
  /** Saves a full-page screenshot of `page` to tests/output/NAME.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Instead of --disable-gpu: a software WebGPU adapter (SwiftShader over Vulkan), so the WebGPU path runs on a
 * machine without a GPU, slowly (shared/notes/stack.md).
 */
export const SWIFTSHADER_WEBGPU_FLAGS = [
  ...CHROMIUM_FLAGS.filter((flag) => flag !== "--disable-gpu"),
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--use-vulkan=swiftshader",
  "--use-webgpu-adapter=swiftshader",
  "--use-angle=swiftshader"
];

/** Options of openSite(). */
export interface OpenSiteOptions {
  /** The built site to serve (default dist/). */
  root?: string;
  /** Chromium's flags (default CHROMIUM_FLAGS). */
  args?: string[];
  /** Serve with COOP/COEP (default true); false measures what a host without them gives. */
  crossOriginIsolation?: boolean;
  /** The device: window size (default 1200×900), touch screen and mobile emulation (a phone), colour scheme. */
  device?: {viewport?: {width: number; height: number}; hasTouch?: boolean; isMobile?: boolean; colorScheme?: "light" | "dark"};
}

/** Serves dist/ (or `options.root`) and launches Chromium with a fresh profile. */
export async function openSite(options: OpenSiteOptions = {}): Promise<Site> {
  const root = options.root ?? distDir;
  if (!existsSync(join(root, "index.html"))) throw new Error(`no built site at ${root}: run npm run build first`);
  const executablePath = findChromium();
  const server: StaticServer = await startStaticServer({root, crossOriginIsolation: options.crossOriginIsolation ?? true});
  const profile = mkdtempSync(join(tmpdir(), "similarity-overlays-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {executablePath, args: options.args ?? CHROMIUM_FLAGS, headless: true, viewport: {width: 1200, height: 900}, acceptDownloads: true, ...options.device});
  } catch (error) {
    await server.close();
    rmSync(profile, {recursive: true, force: true});
    throw error;
  }
  // tsx compiles the tests with esbuild's keepNames, which wraps named functions in __name(); functions the
  // tests hand to page.evaluate() then need that helper in the page too.
  await context.addInitScript("globalThis.__name ??= (fn) => fn;");
  const requests: RecordedRequest[] = [];
  const errors: string[] = [];
  const origin = new URL(server.url).origin;

  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    errors.push(`request left 127.0.0.1: ${url}`);
    return route.abort();
  });
  context.on("request", (request) => requests.push({url: request.url(), resourceType: request.resourceType(), method: request.method(), bodyBytes: request.postDataBuffer()?.length ?? 0}));
  context.on("requestfailed", (request) => {
    // An aborted request the page no longer wants (e.g. a superseded fetch) is not an error.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  const watch = (page: Page) => {
    page.on("console", (message) => message.type() === "error" && errors.push(`console error: ${message.text()}`));
    page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
    page.on("response", (response) => response.status() >= 400 && errors.push(`HTTP ${response.status()}: ${response.url()}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);

  return {
    url: server.url,
    context,
    requests,
    errors,
    async open(path = "") {
      const page = await context.newPage();
      await page.goto(new URL(path, server.url).href, {waitUntil: "load"});
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(outputDir, {recursive: true});
      const path = join(outputDir, `${name}.png`);
      await page.screenshot({path, fullPage: true});
      return path;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, {recursive: true, force: true});
    }
  };
}
