// What the browser downloads, from the production build this run made: no
// backend address, database URL or secret name may be in it (runtime config
// stays on the server), and no NEXT_PUBLIC_* value is inlined.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FRONTEND_DIR } from "./stack";

const STATIC_DIR = join(FRONTEND_DIR, ".next", "static");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

describe("client bundle", () => {
  const scripts = files(STATIC_DIR).filter((f) => f.endsWith(".js"));

  it("exists (the build ran)", () => {
    expect(scripts.length).toBeGreaterThan(0);
  });

  it.each(["BACKEND_URL", "DATABASE_URL", "BETTER_AUTH_SECRET", "localhost:8000", "postgres://", "NEXT_PUBLIC_"])(
    "contains no %s",
    (needle) => {
      const hits = scripts.filter((file) => readFileSync(file, "utf8").includes(needle));
      expect(hits).toEqual([]);
    },
  );
});
