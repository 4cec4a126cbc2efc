// npm run serve [-- PORT]: serves the built site (dist/) on 127.0.0.1 with cross-origin isolation headers.
// The port comes from the argument, else $PORT, else 3000. Run `npm run build` first.
import {existsSync} from "node:fs";
import {startStaticServer} from "./staticServer.js";

const root = "dist";
const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${process.argv[2] ?? process.env.PORT}`);
if (!existsSync(`${root}/index.html`)) throw new Error(`no ${root}/index.html: run npm run build first`);

const {url} = await startStaticServer({root, port});
console.log(`serving ${root}/ at ${url}`);
