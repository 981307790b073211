/**
 * Test helper: start a Node front, print its pid, and wait to be killed (node_front_test.ts
 * SIGKILLs this process and checks the front exits by itself).
 */
import { generateCa, issueLeaf } from "../../mock/ca.ts";
import { startNodeFront } from "../node_front.ts";
import { liveNodeChildren } from "../_node.ts";

const ca = await generateCa();
const leaf = await issueLeaf(ca, { dns: ["localhost"] });
const front = await startNodeFront({ certChainPem: leaf.chainPem, keyPem: leaf.keyPem, upstreamPort: 9 });
if ("unavailable" in front) throw new Error(front.unavailable);
if (liveNodeChildren() !== 1) throw new Error("expected one child");
console.log(front.pid);
await new Promise(() => {});
