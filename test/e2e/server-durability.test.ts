/**
 * Durability: the server runs as a child process, a client streams POST /ratings, the process is
 * SIGKILLed mid-stream, and after a restart every acknowledged rating is in the store.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Store } from "mfrec-server/internal/store.js";
import { TOKEN, tempDir } from "./server-fixtures.js";

const serverModule = fileURLToPath(import.meta.resolve("mfrec-server/internal/create-server.js"));

/** Start `startServer` in a child process; resolves with its URL once it listens. */
function spawnServer(dbPath: string, modelPath: string): Promise<{ child: ChildProcess; url: string }> {
  const code = `
    import { startServer } from ${JSON.stringify(serverModule)};
    const s = await startServer({ dbPath: ${JSON.stringify(dbPath)}, model: ${JSON.stringify(modelPath)}, token: ${JSON.stringify(TOKEN)}, port: 0, web: false });
    process.stdout.write("URL " + s.url + "\\n");
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /URL (\S+)\n/.exec(buf);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once("exit", (c) => reject(new Error(`server exited early with ${c}`)));
  });
}

const t = tempDir();
after(() => t.cleanup());

test("every acknowledged rating survives SIGKILL of the server", async () => {
  const { child, url } = await spawnServer(t.dbPath, t.modelPath);
  const acked: Array<{ user: string; item: string; rating: number }> = [];
  let sent = 0;
  let failed = 0;
  // 4 concurrent writers, each sending small batches as fast as answers come back.
  const writer = async (w: number): Promise<void> => {
    for (let b = 0; ; b++) {
      const batch = Array.from({ length: 1 + (b % 3) }, (_, j) => ({ user: `dur-${w}`, item: `item-${b}-${j}`, rating: 1 + ((b + j) % 5) }));
      sent += batch.length;
      try {
        const res = await fetch(`${url}/ratings`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(batch) });
        if (res.status !== 201) throw new Error(`status ${res.status}`);
        await res.arrayBuffer();
        acked.push(...batch);
      } catch {
        failed++;
        return; // the server is gone
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  // Kill once a good number of writes were acknowledged, while requests are in flight.
  while (acked.length < 400) await new Promise((ok) => setTimeout(ok, 5));
  child.kill("SIGKILL");
  await Promise.all(writers);
  assert.ok(failed > 0, "the kill interrupted the stream");
  assert.ok(acked.length >= 400);

  // Restart on the same files and read back through the API and through SQLite directly.
  const again = await spawnServer(t.dbPath, t.modelPath);
  try {
    const store = new Store(t.dbPath, { readonly: true });
    try {
      for (const r of acked) {
        const got = store.getRating(r.user, r.item);
        assert.ok(got, `acknowledged rating ${r.user}/${r.item} is missing`);
        assert.equal(got.rating, r.rating);
      }
      // Nothing beyond what was sent exists (unacknowledged in-flight writes may or may not be there).
      const extra = store.db.prepare("SELECT COUNT(*) AS n FROM ratings WHERE user LIKE 'dur-%'").get() as { n: number };
      assert.ok(extra.n >= acked.length && extra.n <= sent, `${extra.n} stored, ${acked.length} acked, ${sent} sent`);
    } finally {
      store.close();
    }
    const res = await fetch(`${again.url}/users/dur-0/ratings`);
    const body = (await res.json()) as { ratings: unknown[] };
    assert.ok(body.ratings.length >= acked.filter((r) => r.user === "dur-0").length);
  } finally {
    again.child.kill("SIGTERM");
  }
});
