// The smoke test's backend half against the real backend (PGlite, HS256 tokens).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApp, startApp, token } from "../../backend/test/helpers.js";
import { openDatabase, type Db } from "../../backend/src/db/database.js";
import { migrateToLatest } from "../../backend/src/db/migrations.js";
import { smokeBackend } from "./smoke.js";

describe("smokeBackend against the real backend", () => {
  let app: RunningApp;
  let db: Db;
  const dir = mkdtempSync(join(tmpdir(), "smoke-"));
  beforeAll(async () => {
    db = await openDatabase({ dataDir: dir });
    await migrateToLatest(db.kysely);
    app = await startApp(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds a task and finds it through the chat agent", async () => {
    const steps = await smokeBackend(app.url, "smoke-user", await token("smoke-user"));
    expect(steps.map((s) => [s.name, s.ok])).toEqual([["backend ready", true], ["add a task", true], ["chat", true]]);
    expect(steps[2]!.detail).toMatch(/You have 1 pending task/);
  });

  it("reports each failing step with the status it got", async () => {
    const steps = await smokeBackend(app.url, "smoke-user", await token("someone-else"));
    expect(steps[0]!.ok).toBe(true);
    expect(steps[1]).toMatchObject({ ok: false, detail: expect.stringMatching(/answered 403, expected 201/) });
  });
});
