// The shell around every loader entry: read Framework's --name=value parameters, produce the whole file,
// then write it to stdout in one go. On failure print the message to stderr and exit 1, so Framework
// keeps no partial output.

/** The value of `--name=value` on the command line; throws naming the missing parameter. */
export function param(name: string, argv = process.argv): string {
  const prefix = `--${name}=`;
  const arg = argv.find((a) => a.startsWith(prefix));
  if (!arg) throw new Error(`missing parameter --${name}`);
  return arg.slice(prefix.length);
}

/** Runs `produce` and writes its bytes to stdout, or reports its error and exits non-zero. */
export async function runLoader(produce: () => Promise<Uint8Array | string>): Promise<void> {
  try {
    const out = await produce();
    const bytes = typeof out === "string" ? new TextEncoder().encode(out) : out;
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
