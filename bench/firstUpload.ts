// The cold first upload, as a visitor meets it: a fresh Chromium profile (nothing cached) opens Across images
// from the built site (dist/), waits for the set, then picks one photo in the Your images panel. The page's
// own status line says which stage it is in; a MutationObserver in the page stamps every change of it with
// performance.now(), and the run ends when the upload's picture is in the figure. Each stage's time is from
// its first status line to the next stage's; "until shown" is from the last status line to the picture in
// the figure. Medians over `runs` fresh profiles. `root` (npm run bench -- first-upload PATH) times another
// built site, e.g. an older commit's dist/, in the same conditions.
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {openSite} from "../tests/e2e/browser.js";
import {median} from "../tests/e2e/uploadsHarness.js";

/** A status line's stage: its first words (the panel's stages start with a verb: "Downloading", "Compiling", …). */
function stageOf(text: string): string {
  const m = /^(Starting|Downloading|Compiling|Creating|Running|Storing)/.exec(text);
  return m ? m[1].toLowerCase() : "done";
}

interface RunStages {
  /** Milliseconds per stage, in the order met. */
  stages: Map<string, number>;
  /** From the file picked to its picture in the figure. */
  total: number;
}

async function oneRun(image: Buffer, warm: boolean, root: string | undefined): Promise<RunStages> {
  const site = await openSite({root});
  try {
    const page = await site.open("across-images");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=overlay-figure] .overlay-frame").length === 11, null, {timeout: 120_000});
    await page.evaluate(() => {
      const log: Array<[number, string]> = [];
      (window as unknown as {statusLog: typeof log}).statusLog = log;
      const status = document.querySelector("[data-testid=upload-status]")!;
      new MutationObserver(() => log.push([performance.now(), status.textContent ?? ""])).observe(status, {childList: true, characterData: true, subtree: true});
      document.querySelector("[data-testid=upload-input]")!.addEventListener("change", () => log.push([performance.now(), "picked"]), {capture: true});
    });
    // A visitor who touches the panel before picking a file (the panel may start its work then).
    if (warm) await page.hover("[data-testid=upload-panel]");
    await page.setInputFiles("[data-testid=upload-input]", {name: "bench.png", mimeType: "image/png", buffer: image});
    await page.waitForFunction(() => {
      const frame = document.querySelector<HTMLImageElement>('[data-testid=overlay-figure] .overlay-frame[data-image-index="11"] img');
      return frame?.complete && frame.naturalWidth > 0;
    }, null, {timeout: 300_000});
    const end = await page.evaluate(() => performance.now());
    const log = await page.evaluate(() => (window as unknown as {statusLog: Array<[number, string]>}).statusLog);
    if (site.errors.length) throw new Error(`the page reported errors: ${site.errors.join("; ")}`);
    const picked = log.find(([, text]) => text === "picked")?.[0];
    if (picked === undefined) throw new Error("the file input's change event was not seen");
    const stages = new Map<string, number>();
    const marks = log.filter(([t, text]) => t >= picked && text !== "picked").map(([t, text]) => ({t, stage: stageOf(text)}));
    let from = picked;
    let current = "before the first status line";
    for (const {t, stage} of marks) {
      if (stage === current) continue;
      stages.set(current, (stages.get(current) ?? 0) + t - from);
      from = t;
      current = stage;
    }
    stages.set(current === "done" ? "until shown" : current, (stages.get(current) ?? 0) + end - from);
    return {stages, total: end - picked};
  } finally {
    await site.close();
  }
}

/** Rows: each stage's median time over `runs` cold first uploads, and the whole. */
export async function benchFirstUpload({runs = 3, warm = false, root}: {runs?: number; warm?: boolean; root?: string} = {}): Promise<Array<Record<string, string | number>>> {
  const image = readFileSync(join(import.meta.dirname, "..", "datasets", "animals", "skimage-chelsea.png"));
  const results: RunStages[] = [];
  for (let r = 0; r < runs; ++r) results.push(await oneRun(image, warm, root));
  const names = [...new Set(results.flatMap((r) => [...r.stages.keys()]))];
  const rows = names.map((stage) => {
    const times = results.map((r) => r.stages.get(stage) ?? 0);
    return {stage, "median ms": Math.round(median(times)), "runs ms": times.map((t) => Math.round(t)).join(" / ")};
  });
  const totals = results.map((r) => r.total);
  rows.push({stage: "file picked → picture in the figure", "median ms": Math.round(median(totals)), "runs ms": totals.map((t) => Math.round(t)).join(" / ")});
  return rows;
}
