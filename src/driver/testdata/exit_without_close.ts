/**
 * Starts the fake driver in `grandchild` mode and exits at once without closing it: the host's
 * unload hook must still end the driver's group and remove its folder.
 *
 * @module
 */
import { start } from "./start.ts";

const s = await start("grandchild");
const r = await s.call("decode_dto", { type: "x", json: {} }, 5000);
console.log(JSON.stringify(r.kind === "ok" ? r.result.json : r));
Deno.exit(3);
