/**
 * Internal: where a redirect step of the mock server points, and the rule that makes every redirect
 * end (a redirect never answers the request at its own target, nor one that followed
 * {@linkcode MAX_REDIRECT_HOPS} of its scenario's redirects).
 *
 * @module
 */
import type { ResponseStep } from "../schema/scenario.ts";

/** A request that followed this many of its scenario's redirects gets no further redirect. */
export const MAX_REDIRECT_HOPS = 5;

/** The answer where a redirect would point at itself: the redirect's target lands. */
export const LANDED: ResponseStep = { status: 200, body: { kind: "json", value: { landed: true } } };

/** The listeners' ports. */
export interface Ports {
  readonly https: number;
  readonly http: number;
  readonly untrusted: number;
  readonly foreign: number;
}

const LOCAL = "127.0.0.1";
const FOREIGN = "127.0.0.2";

/**
 * The origin a client used for a listener.
 *
 * @param listener the listener's name, or undefined for a direct hit on the internal port
 * @param ports the listeners' ports
 * @returns the origin, or undefined when the request did not come through a public listener
 */
export function publicOrigin(listener: string | undefined, ports: Ports): string | undefined {
  switch (listener) {
    case "https":
      return `https://${LOCAL}:${ports.https}`;
    case "http":
      return `http://${LOCAL}:${ports.http}`;
    case "untrusted":
      return `https://${LOCAL}:${ports.untrusted}`;
    case "foreign":
      return `https://${FOREIGN}:${ports.foreign}`;
    default:
      return undefined;
  }
}

/** The redirects one request may get: their Locations, and which would not end. */
export class RedirectPlan {
  readonly #id: string;
  readonly #tail: string;
  readonly #ports: Ports;
  /** the request's own public URL */
  readonly self: URL;
  /** how many of the scenario's redirects the request followed */
  readonly hops: number;

  /**
   * Plan the redirects of one request.
   *
   * @param id the scenario id
   * @param url the request's URL (as the internal server saw it)
   * @param rest the path after `/s/<id>`
   * @param origin the public origin the client used (else the URL's own)
   * @param ports the listeners' ports
   * @param hopsTo how many redirects a client followed to reach a URL
   */
  constructor(
    id: string,
    url: URL,
    rest: string,
    origin: string | undefined,
    ports: Ports,
    hopsTo: (href: string) => number,
  ) {
    this.#id = id;
    this.#tail = `/s/${id}${rest === "/" ? "" : rest}${url.search}`;
    this.#ports = ports;
    this.self = new URL(`${origin ?? url.origin}${url.pathname}${url.search}`);
    this.hops = hopsTo(this.self.href);
  }

  /**
   * The Location of a redirect step's target: `"foreign"` and `"http"` keep the path and query, an
   * absolute path stays in the scenario, anything else is verbatim.
   *
   * @param target the step's `redirect`
   * @returns the Location header value
   */
  location(target: string): string {
    if (target === "foreign") return `https://${FOREIGN}:${this.#ports.foreign}${this.#tail}`;
    if (target === "http") return `http://${LOCAL}:${this.#ports.http}${this.#tail}`;
    if (target.startsWith("/")) return `/s/${this.#id}${target}`;
    return target;
  }

  /**
   * The absolute URL a Location resolves to from this request, if it is one.
   *
   * @param location a Location value
   * @returns the URL's href, or undefined
   */
  resolve(location: string): string | undefined {
    try {
      return new URL(location, this.self).href;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether a step is a redirect that would not end here: one to this very request's URL, or any
   * once the request followed {@linkcode MAX_REDIRECT_HOPS} redirects.
   *
   * @param step a scripted step
   * @returns true when the step must not answer this request
   */
  loops(step: ResponseStep): boolean {
    if (step.redirect === undefined) return false;
    if (this.hops >= MAX_REDIRECT_HOPS) return true;
    return this.resolve(this.location(step.redirect)) === this.self.href;
  }
}
