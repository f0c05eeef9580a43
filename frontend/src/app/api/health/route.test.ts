// @vitest-environment node
import { describe, expect, it } from "vitest";
import { GET } from "./route";

describe("GET /api/health", () => {
  it("answers 200 {status: ok} with no environment at all (no database, no backend)", async () => {
    const saved = { ...process.env };
    for (const key of ["DATABASE_URL", "BACKEND_URL", "BETTER_AUTH_SECRET", "BETTER_AUTH_URL"]) delete process.env[key];
    try {
      const response = GET();
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual({ status: "ok" });
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
