// How Framework runs the TypeScript data loaders (observablehq.config.ts, `interpreters`), and the bench with
// it. Framework's default for .ts is the `tsx` command, which starts a second Node process to run the file;
// this is that inner process alone: node with tsx's loader (resolved here, so the working directory does not
// matter). It saves one Node start per loader (about 0.15 s each on the 2-core machine; see the README's
// benchmarks).
import {createRequire} from "node:module";
import {pathToFileURL} from "node:url";

/** The command and leading arguments that run a .ts file. */
export const TS_INTERPRETER: readonly string[] = [process.execPath, "--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href];
