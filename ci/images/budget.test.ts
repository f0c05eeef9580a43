import { describe, expect, it } from "vitest";
import { BaseMismatchError, evaluateBudget, formatBytes } from "./budget.js";
import type { MeasuredImage, MeasuredLayer } from "./measure.js";

const layerOf = (id: string, bytes: number, createdBy = "", largest: Array<[string, number]> = []): MeasuredLayer => ({
  diffId: `sha256:${id.repeat(64).slice(0, 64)}`, bytes, symlinkBytes: 0, tarBytes: bytes + 1024, storedBytes: bytes, fileCount: 3, createdBy,
  largestFiles: largest.map(([path, b]) => ({ path, bytes: b })),
});
const image = (layers: MeasuredLayer[]): MeasuredImage => ({
  format: "docker-archive", tags: ["todo-backend:t"], configDigest: "sha256:0", labels: {}, layers,
  totalBytes: layers.reduce((s, l) => s + l.bytes, 0),
});

const base = image([layerOf("a", 141_000_000, "ADD rootfs /")]);
const built = image([
  layerOf("a", 141_000_000, "ADD rootfs /"),
  layerOf("b", 9_000_000, "COPY /src/node_modules /app/node_modules # buildkit", [["app/node_modules/@electric-sql/pglite/dist/pglite.wasm", 8_500_000]]),
  layerOf("c", 400_000, "COPY /src/backend/dist /app/backend/dist # buildkit", [["app/backend/dist/server.js", 390_000]]),
]);

describe("evaluateBudget", () => {
  it("passes an image within both limits and counts only layers beyond the base as added", () => {
    const v = evaluateBudget(built, base, { totalBytes: 160_000_000, addedBytes: 25_000_000 });
    expect(v.ok).toBe(true);
    expect(v.addedBytes).toBe(9_400_000);
    expect(v.baseBytes).toBe(141_000_000);
    expect(v.baseLayerCount).toBe(1);
    expect(v.failures).toEqual([]);
    expect(v.message).toBe("todo-backend:t: total 150.4 MB (budget 160.0 MB), added 9.4 MB over a 141.0 MB base (budget 25.0 MB): within budget");
  });

  it("fails an image over its added budget with a per-layer breakdown naming the largest files", () => {
    const v = evaluateBudget(built, base, { totalBytes: 160_000_000, addedBytes: 5_000_000 });
    expect(v.ok).toBe(false);
    expect(v.failures).toEqual(["added over base 9.4 MB is over the budget of 5.0 MB by 4.4 MB"]);
    expect(v.message).toContain("OVER BUDGET");
    expect(v.message).toMatch(/ 1\. base\s+141\.0 MB {2}ADD rootfs \//);
    expect(v.message).toMatch(/ 2\. added\s+9\.0 MB {2}COPY \/src\/node_modules/);
    expect(v.message).toContain("8.5 MB  app/node_modules/@electric-sql/pglite/dist/pglite.wasm");
  });

  it("fails on the total too, and reports both limits", () => {
    const v = evaluateBudget(built, base, { totalBytes: 150_000_000, addedBytes: 1_000_000 });
    expect(v.failures).toHaveLength(2);
    expect(v.failures[0]).toBe("total 150.4 MB is over the budget of 150.0 MB by 400.0 kB");
  });

  it("accepts the base as a list of diffIDs", () => {
    const v = evaluateBudget(built, { diffIds: [base.layers[0]!.diffId], totalBytes: base.totalBytes }, { totalBytes: 2e8, addedBytes: 2e7 });
    expect(v.addedLayers).toHaveLength(2);
  });

  it("refuses a base the image was not built on instead of calling everything added", () => {
    const other = image([layerOf("z", 100)]);
    expect(() => evaluateBudget(built, other, { totalBytes: 2e8, addedBytes: 2e7 })).toThrow(BaseMismatchError);
    expect(() => evaluateBudget(built, other, { totalBytes: 2e8, addedBytes: 2e7 })).toThrow(/base layer 1 .* is sha256:a{64} in the image/);
    const longer = image([...built.layers, layerOf("d", 1)]);
    expect(() => evaluateBudget(built, longer, { totalBytes: 2e8, addedBytes: 2e7 })).toThrow(/missing from the image/);
  });

  it("matches a base layer the engine wrote again by its files (contentDigest) when the diffIDs differ, and only then", () => {
    const files = (l: MeasuredLayer, contentDigest: string): MeasuredLayer => ({ ...l, contentDigest });
    const rewritten = image([files(layerOf("r", 141_000_000), "sha256:files-a"), ...built.layers.slice(1)]);
    const v = evaluateBudget(rewritten, image([files(base.layers[0]!, "sha256:files-a")]), { totalBytes: 2e8, addedBytes: 2e7 });
    expect([v.baseLayerCount, v.addedBytes]).toEqual([1, 9_400_000]);
    expect(() => evaluateBudget(rewritten, image([files(base.layers[0]!, "sha256:files-b")]), { totalBytes: 2e8, addedBytes: 2e7 })).toThrow(
      /base layer 1 .* is sha256:r{64} and other files in the image/,
    );
    expect(() => evaluateBudget(rewritten, base, { totalBytes: 2e8, addedBytes: 2e7 })).toThrow(BaseMismatchError);
  });
});

describe("formatBytes", () => {
  it("writes decimal units as the budgets are written", () => {
    expect(formatBytes(160_000_000)).toBe("160.0 MB");
    expect(formatBytes(1_500)).toBe("1.5 kB");
    expect(formatBytes(999)).toBe("999 B");
  });
});
