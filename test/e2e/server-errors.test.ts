/**
 * Client-caused conditions never answer 5xx, and every error answer is JSON {code, message, field}
 * with the field named wherever one is at fault: 404s for unknown paths (with the dashboard served
 * at /), 409 for a registered model whose file is gone, 415, 431, empty query parameters; and
 * /api/… traffic is counted per route in /metrics.
 */
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { RunningServer } from "mfrec-server/internal/create-server.js";
import { repoRoot } from "../helpers/data.js";
import { call, type J, start, TOKEN, tempDir, trainedModel, waitJob } from "./server-fixtures.js";

const webDir = join(repoRoot, "packages", "server", "dist", "web");
const noWeb = !existsSync(join(webDir, "index.html")) && "packages/server/dist/web not built (npm run build)";

/** A raw request (fetch refuses oversized headers itself). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function isErrorBody(b: J, what: string): void {
  assert.equal(typeof b, "object", `${what}: JSON body, got ${String(b).slice(0, 80)}`);
  assert.match(b.code, /^E_[A-Z_]+$/, what);
  assert.equal(typeof b.message, "string", what);
  assert.ok("field" in b, `${what}: has a field member`);
  assert.doesNotMatch(b.message, /\bcolumn\b/, `${what}: HTTP errors name fields, not columns: ${b.message}`);
}

describe("server error answers", { skip: noWeb }, () => {
  const t = tempDir();
  let s: RunningServer;
  const model = trainedModel().model;
  const user0 = model.userIndex.idAt(0);
  const item0 = model.itemIndex.idAt(0);

  before(async () => {
    s = await start({ dbPath: t.dbPath, model: t.modelPath, token: TOKEN, web: webDir });
  });
  after(async () => {
    await s.stop();
    t.cleanup();
  });

  test("unknown GETs answer a JSON 404 naming the path; the dashboard still loads at / (and for a browser's stray path)", async () => {
    for (const path of ["/api/nope", "/jobs/", "/api/jobs/", "/recommend", "/recommend/", "/models/1", "/api/", "/nope", "/nope/deeper"]) {
      const r = await call(s, "GET", path, undefined, null);
      assert.equal(r.status, 404, `${path}: ${String(r.body).slice(0, 60)}`);
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/, path);
      isErrorBody(r.body, path);
      assert.equal(r.body.code, "E_NOT_FOUND");
      assert.equal(r.body.field, "path");
      assert.equal(r.body.value, path);
    }
    const page = await fetch(`${s.url}/`, { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<main id="main"/);
    const stray = await fetch(`${s.url}/training`, { headers: { accept: "text/html,*/*" } });
    assert.equal(stray.status, 200, "a browser's non-API path gets the app");
    // Under an API segment even a browser gets the JSON 404, not the page.
    const api = await fetch(`${s.url}/jobs/`, { headers: { accept: "text/html" } });
    assert.equal(api.status, 404);
    assert.match(api.headers.get("content-type") ?? "", /^application\/json/);
  });

  test("empty ?n= and ?items= are 400 E_CONFIG naming the field, not n = 0", async () => {
    const cases: Array<[string, string]> = [
      [`/recommend/${user0}?n=`, "n"],
      [`/recommend/${user0}?n=%20`, "n"],
      [`/recommend/${user0}?items=`, "items"],
      [`/api/recommend/${user0}?items=`, "items"],
      [`/similar/items/${item0}?n=`, "n"],
      [`/similar/users/${user0}?n=`, "n"],
      [`/explain/${user0}/${item0}?n=`, "n"],
      ["/model/embedding?limit=", "limit"],
    ];
    for (const [path, field] of cases) {
      const r = await call(s, "GET", path, undefined, null);
      assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
      isErrorBody(r.body, path);
      assert.equal(r.body.code, "E_CONFIG");
      assert.equal(r.body.field, field, path);
      assert.match(r.body.message, /must not be empty/);
    }
    // Absent still means the default, and an empty exclude list excludes nothing.
    assert.equal((await call(s, "GET", `/recommend/${user0}`)).body.items.length, 10);
    assert.equal((await call(s, "GET", `/recommend/${user0}?exclude=`)).body.items.length, 10);
  });

  test("unknown ids: 404 with the field named and 'field' (not 'column') in the message", async () => {
    const cases: Array<[string, string, string]> = [
      ["/similar/items/nope", "E_UNKNOWN_ITEM", "item"],
      ["/similar/users/nope", "E_UNKNOWN_USER", "user"],
      [`/explain/${user0}/nope`, "E_UNKNOWN_ITEM", "item"],
      [`/explain/nope/${item0}`, "E_UNKNOWN_USER", "user"],
      ["/items/nope", "E_UNKNOWN_ITEM", "item"],
    ];
    for (const [path, code, field] of cases) {
      const r = await call(s, "GET", path, undefined, null);
      assert.equal(r.status, 404, path);
      isErrorBody(r.body, path);
      assert.equal(r.body.code, code, path);
      assert.equal(r.body.field, field, path);
    }
    for (const [m, path, body] of [
      ["DELETE", "/ratings/nobody/nothing", undefined],
      ["GET", `/recommend/${user0}?n=1.5`, undefined],
      ["PUT", "/items/x", { title: 5 }],
    ] as const) {
      const r = await call(s, m, path, body);
      assert.ok(r.status >= 400 && r.status < 500, path);
      isErrorBody(r.body, `${m} ${path}`);
      assert.notEqual(r.body.field, null, `${m} ${path}`);
    }
  });

  test("415 for a body that is not JSON, as JSON naming content-type", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const res = await fetch(`${s.url}/ratings`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": type }, body: "user=1&item=2&rating=3" });
      assert.equal(res.status, 415, type);
      const b = (await res.json()) as J;
      isErrorBody(b, type);
      assert.equal(b.code, "E_BAD_REQUEST");
      assert.equal(b.field, "content-type");
      assert.equal(b.value, type);
    }
  });

  test("431 for oversized headers, as JSON (Node answered with a bare status line)", async () => {
    const r = await rawGet(`${s.url}/health`, { "x-big": "a".repeat(20_000) });
    assert.equal(r.status, 431);
    assert.match(r.type, /^application\/json/);
    const b = JSON.parse(r.body) as J;
    isErrorBody(b, "431");
    assert.equal(b.code, "E_TOO_LARGE");
    assert.equal(b.field, "headers");
    // The server keeps answering.
    assert.equal((await call(s, "GET", "/health")).status, 200);
  });

  test("activating a version whose file was deleted is 409 E_IO naming the version; the current model keeps serving", async () => {
    const started = await call(s, "POST", "/train", { algorithm: "als", config: { factors: 4, epochs: 3, seed: 2 }, activate: false });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const job = await waitJob(s, started.body.id);
    assert.equal(job.status, "succeeded", job.error);
    const rec = (await call(s, "GET", "/models")).body.models.find((m: J) => m.version === job.modelVersion);
    rmSync(rec.path);
    const r = await call(s, "POST", `/models/${job.modelVersion}/activate`);
    assert.equal(r.status, 409, JSON.stringify(r.body));
    isErrorBody(r.body, "activate");
    assert.equal(r.body.code, "E_IO");
    assert.equal(r.body.field, "version");
    assert.equal(r.body.value, job.modelVersion);
    assert.equal((await call(s, "GET", "/health")).body.modelVersion, 1);
    assert.equal((await call(s, "GET", `/recommend/${user0}?n=2`)).status, 200);
  });

  test("/api/… requests are counted under their own route, once each", async () => {
    const before0 = await call(s, "GET", "/metrics");
    const count = (text: string, route: string): number => {
      const re = new RegExp(`mfrec_http_requests_total\\{method="GET",route="${route.replace(/[/:]/g, (c) => `\\${c}`)}",status="200"\\} (\\d+)`);
      return Number(re.exec(text)?.[1] ?? 0);
    };
    const a0 = count(before0.body, "/api/recommend/:user");
    const r0 = count(before0.body, "/recommend/:user");
    for (let k = 0; k < 3; k++) await call(s, "GET", `/api/recommend/${user0}?n=2`);
    await call(s, "GET", `/api/items/${item0}`);
    const text = (await call(s, "GET", "/metrics")).body as string;
    assert.equal(count(text, "/api/recommend/:user") - a0, 3);
    assert.equal(count(text, "/recommend/:user") - r0, 0, "not counted twice");
    assert.ok(count(text, "/api/items/:item") >= 1);
    assert.doesNotMatch(text, /route="\/api\/\*"/);
  });
});
