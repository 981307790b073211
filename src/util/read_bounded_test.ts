import assert from "node:assert/strict";
import { readBounded, ReadBoundedError } from "./read_bounded.ts";

async function rejectsNaming(p: Promise<unknown>, field: string, detail: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ReadBoundedError, String(e));
    assert.equal(e.field, field);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    assert.match(e.detail, detail);
    return true;
  });
}

Deno.test("readBounded() refuses /dev/zero before opening it (a device), at once", async () => {
  const t0 = performance.now();
  await rejectsNaming(
    readBounded("/dev/zero", { field: "ca_cert" }),
    "ca_cert",
    /a device, not a regular file/,
  );
  assert.ok(performance.now() - t0 < 1000);
});

Deno.test("readBounded() refuses a FIFO nobody writes to, without hanging", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    const t0 = performance.now();
    await rejectsNaming(
      readBounded(fifo, { field: "credentials.public_key", timeoutMs: 5000 }),
      "credentials.public_key",
      /a FIFO, not a regular file/,
    );
    assert.ok(performance.now() - t0 < 1000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readBounded() refuses a 10 MB file by its size, a directory, a missing file, non-UTF-8", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/big`, new Uint8Array(10 * 1000 * 1000).fill(0x61));
    await rejectsNaming(
      readBounded(`${dir}/big`, { field: "--target" }),
      "--target",
      /10000000 bytes, larger than the limit of 1 MiB/,
    );
    await rejectsNaming(readBounded(dir, { field: "f" }), "f", /a directory, not a regular file/);
    await rejectsNaming(readBounded(`${dir}/nope`, { field: "f" }), "f", /nope does not exist/);
    await Deno.writeFile(`${dir}/bin`, new Uint8Array([0xff, 0xfe, 0x00]));
    await rejectsNaming(readBounded(`${dir}/bin`, { field: "f" }), "f", /not UTF-8 text/);
    await Deno.writeTextFile(`${dir}/ok`, "x".repeat(100));
    assert.equal(await readBounded(`${dir}/ok`, { field: "f", maxBytes: 100 }), "x".repeat(100));
    await rejectsNaming(readBounded(`${dir}/ok`, { field: "f", maxBytes: 99 }), "f", /limit of 99 bytes/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readBounded() stops an endless stream at the size limit and cancels it", async () => {
  let cancelled = false;
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(ctl) {
      pulled += 64 * 1024;
      ctl.enqueue(new Uint8Array(64 * 1024));
    },
    cancel() {
      cancelled = true;
    },
  });
  await rejectsNaming(
    readBounded(endless, { field: "credentials.jwks_url", maxBytes: 1024 * 1024 }),
    "credentials.jwks_url",
    /the response body is larger than the limit of 1 MiB/,
  );
  assert.ok(cancelled);
  assert.ok(pulled <= 2 * 1024 * 1024, `pulled ${pulled}`);
});

Deno.test("readBounded() stops a stalled stream at the time limit and cancels it", async () => {
  let cancelled = false;
  const stalled = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(new TextEncoder().encode("{"));
    },
    cancel() {
      cancelled = true;
    },
  });
  const t0 = performance.now();
  await rejectsNaming(
    readBounded(stalled, { field: "credentials.jwks_url", timeoutMs: 200 }),
    "credentials.jwks_url",
    /took longer than 200 ms/,
  );
  assert.ok(performance.now() - t0 < 2000);
  assert.ok(cancelled);
});
