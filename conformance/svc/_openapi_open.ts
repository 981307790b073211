/**
 * The `--openapi` flags of `certify:server` and the target they open: with `--base-url` (or a
 * `--target` file giving `base_url`) the user's server, derived from its document
 * (`openapi.ts`); with neither, the bundled reference server, derived from the document it serves
 * at the path given. Used by the svc profile.
 *
 * @module
 */
import {
  type FlagSpec,
  flagValues,
  type OpenTarget,
  type ProfileFlags,
  type Result,
  type TargetSpec,
} from "../../src/engine/profile.ts";
import { shellQuote } from "../../src/util/args.ts";
import { errorMessage } from "../../src/util/error_message.ts";
import type { KitChaosEnv } from "../../chaos/toxiproxy.ts";
import type { SvcContext } from "./_context.ts";
import type { ChaosStarter } from "./_chaos_session.ts";
import { type CredentialFlags, loadOpenApiTarget } from "./openapi.ts";
import { type Target, TargetError } from "./target.ts";

/** The flags `--openapi` brings (the svc profile lists them). */
export const OPENAPI_FLAGS: readonly FlagSpec[] = [
  {
    name: "--openapi",
    value: "FILE|URL|PATH",
    help:
      "derive the target from the server's OpenAPI 3.x JSON document (docs/openapi.md): a file or a URL " +
      "on --base-url's origin; without --base-url the bundled reference serves it at PATH (/openapi.json)",
  },
  {
    name: "--base-url",
    value: "URL",
    help: "with --openapi: the server's base URL (a --target file's base_url wins)",
  },
  {
    name: "--token-env",
    value: "NAME",
    help: "with --openapi: the environment variable holding a valid token",
  },
  {
    name: "--issuer-key",
    value: "FILE",
    help: "with --openapi: the test issuer's private key (JWK or PKCS#8 PEM)",
  },
  { name: "--issuer", value: "ISS", help: "with --openapi: the iss of the kit's tokens" },
  { name: "--audience", value: "AUD", help: "with --openapi: the aud of the kit's tokens" },
];

/** What the `--openapi` flags ask for. */
export type OpenApiRequest =
  | { kind: "reference"; docPath: string }
  | { kind: "server"; openapi: string; baseUrl?: string; targetFile?: string; credentials: CredentialFlags };

const CREDENTIAL_FLAGS: [string, keyof CredentialFlags][] = [
  ["--token-env", "token_env"],
  ["--issuer-key", "issuer_private_key"],
  ["--issuer", "issuer"],
  ["--audience", "audience"],
];

/**
 * Read the `--openapi` flags: undefined when `--openapi` is absent (the flags that need it are
 * then a usage error).
 *
 * @param flags the profile's flags
 * @returns the request, undefined, or the usage error
 * @example
 * ```ts
 * import { openApiRequest } from "./_openapi_open.ts";
 * const r = openApiRequest({ "--openapi": ["/openapi.json"] });
 * if (!r.ok || r.value?.kind !== "reference") throw new Error();
 * if (openApiRequest({ "--base-url": ["http://127.0.0.1:1"] }).ok) throw new Error("needs --openapi");
 * ```
 */
export function openApiRequest(flags: ProfileFlags): Result<OpenApiRequest | undefined> {
  const openapi = flagValues(flags, "--openapi")[0];
  const baseUrl = flagValues(flags, "--base-url")[0];
  const targetFile = flagValues(flags, "--target")[0];
  const credentials: CredentialFlags = {};
  for (const [flag, key] of CREDENTIAL_FLAGS) {
    const v = flagValues(flags, flag)[0];
    if (v !== undefined) credentials[key] = v;
  }
  if (openapi === undefined) {
    const stray = ["--base-url", ...CREDENTIAL_FLAGS.map(([f]) => f)].find((f) => flags[f] !== undefined);
    return stray === undefined
      ? { ok: true, value: undefined }
      : { ok: false, error: `${stray} needs --openapi` };
  }
  if (credentials.token_env !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(credentials.token_env)) {
    return { ok: false, error: "--token-env takes the name of an environment variable, not a token" };
  }
  if (baseUrl === undefined && targetFile === undefined) {
    if (Object.keys(credentials).length > 0) {
      return {
        ok: false,
        error: "the credential flags need --base-url (the bundled reference has its own keys)",
      };
    }
    if (!openapi.startsWith("/")) {
      return {
        ok: false,
        error: "without --base-url, --openapi is the path the bundled reference serves it at (/openapi.json)",
      };
    }
    return { ok: true, value: { kind: "reference", docPath: openapi } };
  }
  return {
    ok: true,
    value: {
      kind: "server",
      openapi,
      credentials,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(targetFile === undefined ? {} : { targetFile }),
    },
  };
}

/**
 * The target an `--openapi` request for a server opens.
 *
 * @param seed the run's seed
 * @param req the request
 * @param open how the svc profile opens a resolved target
 * @param chaos Toxiproxy, when `--chaos`
 * @returns the target spec
 */
export function openApiSpec(
  seed: number,
  req: Extract<OpenApiRequest, { kind: "server" }>,
  open: (t: Target, seed: number, close: () => Promise<void>, chaos?: KitChaosEnv) => OpenTarget<SvcContext>,
  chaos?: ChaosStarter,
): TargetSpec<SvcContext> {
  const words = [
    `--openapi ${shellQuote(req.openapi)}`,
    ...(req.baseUrl ? [`--base-url ${shellQuote(req.baseUrl)}`] : []),
    ...(req.targetFile ? [`--target ${shellQuote(req.targetFile)}`] : []),
    ...CREDENTIAL_FLAGS.flatMap(([f, k]) =>
      req.credentials[k] ? [`${f} ${shellQuote(req.credentials[k])}`] : []
    ),
  ];
  return {
    label: req.openapi,
    command: `deno task ${chaos ? "chaos" : "certify:server"} ${words.join(" ")}`,
    async open(): Promise<Result<OpenTarget<SvcContext>>> {
      try {
        const t = await loadOpenApiTarget(req);
        const env = chaos === undefined ? undefined : await chaos.env();
        if (env !== undefined && !env.ok) return { ok: false, error: env.error };
        return { ok: true, value: open(t, seed, () => Promise.resolve(), env?.value) };
      } catch (e) {
        if (e instanceof TargetError) return { ok: false, error: `target error: ${e.message}` };
        return { ok: false, error: `--openapi ${req.openapi}: ${errorMessage(e)}` };
      }
    },
  };
}
