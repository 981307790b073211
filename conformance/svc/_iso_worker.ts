/**
 * The body of one `svc.iso.concurrent` worker: one identity, in a Deno worker that may reach the
 * target's host and nothing else. For a bounded time (and number of rounds) it creates a resource
 * carrying a unique marker, reads it back and lists, and looks in every response for a marker of
 * another identity; at the end it deletes what it created (where the target can). The function is
 * self-contained (it refers to nothing outside its body): the worker runs its source text, so it
 * loads at once and needs no permission besides the network.
 *
 * @module
 */

/** The job a worker receives. */
export interface SvcIsoJob {
  worker: number;
  /** the identity's number (workers with the same token share one) */
  identity: number;
  token: string;
  baseUrl: string;
  caCertPem?: string;
  create: { method: string; path: string; body: Record<string, unknown> };
  markerField: string;
  resource: string;
  idPointer: string;
  list?: string;
  delete: boolean;
  /** every marker starts with it, then `i<identity>w<worker>n<k>` */
  prefix: string;
  runMs: number;
  maxRounds: number;
  requestMs: number;
}

/** A response to this identity that carried another identity's marker. */
export interface Crossing {
  op: string;
  status: number;
  /** the other identity's number */
  foreign: number;
  marker: string;
  excerpt: string;
}

/** What a worker reports. */
export interface SvcIsoReport {
  worker: number;
  identity: number;
  rounds: number;
  requests: number;
  /** status → count, by operation ("create 201": 12) */
  statuses: Record<string, number>;
  /** requests with no answer (network error, time limit) */
  noAnswer: number;
  /** own resources whose read-back did not carry the own marker */
  ownMissing: number;
  /** the first 5 crossings, one per foreign marker */
  crossings: Crossing[];
  /** responses that carried another identity's marker (all of them) */
  crossed: number;
  /** the first error message seen, if any */
  firstError?: string;
}

/**
 * Run one worker's job (inside the worker, from this function's source text; also callable
 * directly). It must refer to nothing outside its own body.
 *
 * @param job the job
 * @returns the report
 */
export async function runSvcIsoJob(job: SvcIsoJob): Promise<SvcIsoReport> {
  const pointer = (doc: unknown, p: string): unknown => {
    let at: unknown = doc;
    if (p === "") return at;
    for (const raw of p.slice(1).split("/")) {
      const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (at === null || typeof at !== "object") return undefined;
      at = (at as Record<string, unknown>)[k];
    }
    return at;
  };
  const client = job.caCertPem === undefined
    ? undefined
    : Deno.createHttpClient({ caCerts: [job.caCertPem] });
  const base = new URL(job.baseUrl);
  const basePath = base.pathname.replace(/\/$/, "");
  const rep: SvcIsoReport = {
    worker: job.worker,
    identity: job.identity,
    rounds: 0,
    requests: 0,
    statuses: {},
    noAnswer: 0,
    ownMissing: 0,
    crossings: [],
    crossed: 0,
  };
  const seen = new Set<string>();
  const foreign = new RegExp(`${job.prefix}i(\\d+)w\\d+n\\d+`, "g");
  const send = async (op: string, method: string, path: string, body?: unknown) => {
    rep.requests++;
    const init: RequestInit & { client?: Deno.HttpClient } = {
      method,
      headers: {
        authorization: `Bearer ${job.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      redirect: "manual",
      signal: AbortSignal.timeout(job.requestMs),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (client !== undefined) init.client = client;
    try {
      const r = await fetch(`${base.origin}${basePath}${path}`, init);
      const text = (await r.text()).slice(0, 256 * 1024);
      const key = `${op} ${r.status}`;
      rep.statuses[key] = (rep.statuses[key] ?? 0) + 1;
      let crossed = false;
      for (const m of text.matchAll(foreign)) {
        const other = Number(m[1]);
        if (other === job.identity) continue;
        crossed = true;
        if (!seen.has(m[0]) && rep.crossings.length < 5) {
          seen.add(m[0]);
          const at = m.index ?? 0;
          rep.crossings.push({
            op: `${method} ${path}`,
            status: r.status,
            foreign: other,
            marker: m[0],
            excerpt: text.slice(Math.max(0, at - 120), at + 120),
          });
        }
      }
      if (crossed) rep.crossed++;
      return { status: r.status, text };
    } catch (e) {
      rep.noAnswer++;
      rep.firstError ??= `${op}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
      return { status: 0, text: "" };
    }
  };
  const mine: string[] = [];
  const t0 = performance.now();
  while (rep.rounds < job.maxRounds && performance.now() - t0 < job.runMs) {
    const marker = `${job.prefix}i${job.identity}w${job.worker}n${rep.rounds}`;
    rep.rounds++;
    const created = await send("create", job.create.method, job.create.path, {
      ...job.create.body,
      [job.markerField]: marker,
    });
    let id: unknown;
    try {
      id = pointer(JSON.parse(created.text), job.idPointer);
    } catch { /* not JSON */ }
    if (created.status >= 200 && created.status < 300 && (typeof id === "string" || typeof id === "number")) {
      const path = job.resource.replace("{id}", encodeURIComponent(String(id)));
      mine.push(path);
      const read = await send("read", "GET", path);
      if (read.status === 0 || !read.text.includes(marker)) rep.ownMissing++;
    }
    if (job.list !== undefined) await send("list", "GET", job.list);
  }
  if (job.delete) {
    for (const path of mine) await send("delete", "DELETE", path);
  }
  client?.close();
  return rep;
}
