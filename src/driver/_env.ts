/**
 * The driver's environment and command line: a minimal environment with fresh HOME/TMPDIR,
 * the run's CA exported the standard ways, and the program and path-like arguments made
 * absolute (the driver runs in a fresh directory). Internal to the driver host.
 *
 * @module
 */

/** Environment variables passed through to the driver when set. */
export const PASS_ENV = [
  "PATH",
  "LANG",
  "LC_ALL",
  "PYTHONPATH",
  "PYTHONUSERBASE",
  "VIRTUAL_ENV",
  "PYENV_ROOT",
  "PYENV_VERSION",
  "GOPATH",
  "GOCACHE",
  "GOMODCACHE",
  "NO_COLOR",
  "SYSTEMROOT",
] as const;

/**
 * The variables that point an SDK at a CA bundle file without any parameter: OpenSSL (Python's
 * `ssl`, Ruby, PHP, curl builds on OpenSSL) and Go read `SSL_CERT_FILE`; Node `NODE_EXTRA_CA_CERTS`;
 * Python `requests` `REQUESTS_CA_BUNDLE`; curl `CURL_CA_BUNDLE`; Deno `DENO_CERT`.
 * `SSL_CERT_FILE` replaces the system bundle for OpenSSL users: the kit's hosts are the only ones.
 */
export const CA_ENV = [
  "SSL_CERT_FILE",
  "NODE_EXTRA_CA_CERTS",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "DENO_CERT",
] as const;

function defaultDenoDir(): string | undefined {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  switch (Deno.build.os) {
    case "darwin":
      return home ? `${home}/Library/Caches/deno` : undefined;
    case "windows": {
      const local = Deno.env.get("LOCALAPPDATA");
      return local ? `${local}\\deno` : undefined;
    }
    default: {
      const xdg = Deno.env.get("XDG_CACHE_HOME");
      return xdg ? `${xdg}/deno` : home ? `${home}/.cache/deno` : undefined;
    }
  }
}

/**
 * The minimal driver environment: pass-through, caches that do not depend on HOME, fresh
 * HOME/TMPDIR, the CA file in every {@link CA_ENV} variable when there is one; `extra` last.
 *
 * @param dirs the driver's fresh HOME and TMPDIR
 * @param caFile the run's CA as a PEM file, when it is exported
 * @param extra the caller's variables (they win)
 * @returns the environment
 */
export function driverEnv(
  dirs: { home: string; tmp: string },
  caFile: string | undefined,
  extra: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_ENV) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  env.LANG ??= "C.UTF-8";
  const denoDir = Deno.env.get("DENO_DIR") ?? defaultDenoDir();
  if (denoDir !== undefined) env.DENO_DIR = denoDir;
  env.DENO_NO_UPDATE_CHECK = "1";
  const realHome = Deno.env.get("HOME");
  // pip --user installs live under the real HOME: keep them importable
  if (env.PYTHONUSERBASE === undefined && realHome) env.PYTHONUSERBASE = `${realHome}/.local`;
  // pyenv shims find their versions under the real HOME
  if (env.PYENV_ROOT === undefined && realHome && existsHere(`${realHome}/.pyenv`)) {
    env.PYENV_ROOT = `${realHome}/.pyenv`;
  }
  env.HOME = dirs.home;
  env.USERPROFILE = dirs.home;
  env.TMPDIR = dirs.tmp;
  env.TEMP = dirs.tmp;
  env.TMP = dirs.tmp;
  if (caFile !== undefined) { for (const k of CA_ENV) env[k] = caFile; }
  return { ...env, ...extra };
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

function existsHere(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The driver runs in a fresh directory: make the program and path-like arguments that exist
 * absolute (against the kit's working directory).
 *
 * @param command the driver's argv
 * @returns the program and its arguments
 */
export function resolveCommand(command: readonly string[]): [string, string[]] {
  const cwd = Deno.cwd();
  const abs = (p: string) => `${cwd}/${p.replace(/^\.\//, "")}`;
  const [program = "", ...args] = command;
  const prog = /[\\/]/.test(program) && !isAbsolute(program) ? abs(program) : program;
  const resolved = args.map((a) =>
    !a.startsWith("-") && !isAbsolute(a) && /[\\/]|\.[A-Za-z0-9]+$/.test(a) && existsHere(a) ? abs(a) : a
  );
  return [prog, resolved];
}
