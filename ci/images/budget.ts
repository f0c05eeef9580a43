// The size budget verdict: an image's total and the bytes it adds over its base
// (the layers beyond the base's, matched by diffID), checked against the
// budget in todo.config.yaml, with a per-layer breakdown when over. Pure.
import type { MeasuredImage, MeasuredLayer } from "./measure.js";

export interface SizeBudget {
  /** Uncompressed bytes the whole image may have. */
  totalBytes: number;
  /** Uncompressed bytes the image may add over its base image. */
  addedBytes: number;
}

/** A base image: a measured one, or just its layers' diffIDs and total. */
export type BaseImage = Pick<MeasuredImage, "layers" | "totalBytes"> | { diffIds: string[]; totalBytes: number };

export interface BudgetVerdict {
  ok: boolean;
  name: string;
  totalBytes: number;
  addedBytes: number;
  baseBytes: number;
  budget: SizeBudget;
  baseLayerCount: number;
  addedLayers: MeasuredLayer[];
  /** One line per exceeded limit; empty when ok. */
  failures: string[];
  /** One-line summary, plus the per-layer breakdown when over budget. */
  message: string;
}

export class BaseMismatchError extends Error {}

const MB = 1_000_000;
/** Decimal megabytes, as budgets are written (160000000 = 160 MB). */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (Math.abs(bytes) >= 1000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${bytes} B`;
}

function baseLayers(base: BaseImage): Array<Pick<MeasuredLayer, "diffId" | "contentDigest">> {
  return "diffIds" in base ? base.diffIds.map((diffId) => ({ diffId })) : base.layers;
}

/** The same layer: the same diffID, or (an engine that wrote the layer again from the same files) the same contentDigest. */
function sameLayer(base: Pick<MeasuredLayer, "diffId" | "contentDigest">, image: MeasuredLayer | undefined): boolean {
  if (!image) return false;
  return base.diffId === image.diffId || (base.contentDigest !== undefined && base.contentDigest === image.contentDigest);
}

/** The per-layer table: every layer with its size, whether it comes from the base, what made it and its largest files. */
export function layerBreakdown(image: Pick<MeasuredImage, "layers">, baseLayerCount: number): string {
  const lines = image.layers.map((layer, i) => {
    const origin = i < baseLayerCount ? "base " : "added";
    const what = (layer.createdBy || "(no history)").replace(/\s+/g, " ").replace(/^\/bin\/sh -c (#\(nop\) )?/, "").slice(0, 90);
    const files = i < baseLayerCount ? "" : layer.largestFiles.slice(0, 3).map((f) => `\n        ${formatBytes(f.bytes).padStart(9)}  ${f.path}`).join("");
    return `  ${String(i + 1).padStart(2)}. ${origin} ${formatBytes(layer.bytes).padStart(9)}  ${what}${files}`;
  });
  return lines.join("\n");
}

/**
 * Checks an image against its budget. The base's layers must be the first
 * layers of the image (same diffIDs, or the same files when both were measured
 * with contentDigests, same order); otherwise the image was not built on that
 * base and "added" would mean nothing, so this throws.
 */
export function evaluateBudget(image: MeasuredImage, base: BaseImage, budget: SizeBudget, name = image.tags[0] ?? "image"): BudgetVerdict {
  const baseLayerList = baseLayers(base);
  const mismatch = baseLayerList.findIndex((layer, i) => !sameLayer(layer, image.layers[i]));
  if (mismatch >= 0) {
    const theirs = image.layers[mismatch];
    const files = baseLayerList[mismatch]!.contentDigest && theirs?.contentDigest ? " and other files" : "";
    throw new BaseMismatchError(
      `${name} is not built on the given base: base layer ${mismatch + 1} (${baseLayerList[mismatch]!.diffId}) is ${
        theirs ? `${theirs.diffId}${files} in the image` : "missing from the image"
      }. Measure the base image the Dockerfile's FROM actually used (same build argument).`,
    );
  }
  const addedLayers = image.layers.slice(baseLayerList.length);
  const addedBytes = addedLayers.reduce((sum, l) => sum + l.bytes, 0);
  const baseBytes = image.totalBytes - addedBytes;
  const failures: string[] = [];
  if (image.totalBytes > budget.totalBytes) {
    failures.push(`total ${formatBytes(image.totalBytes)} is over the budget of ${formatBytes(budget.totalBytes)} by ${formatBytes(image.totalBytes - budget.totalBytes)}`);
  }
  if (addedBytes > budget.addedBytes) {
    failures.push(`added over base ${formatBytes(addedBytes)} is over the budget of ${formatBytes(budget.addedBytes)} by ${formatBytes(addedBytes - budget.addedBytes)}`);
  }
  const summary = `${name}: total ${formatBytes(image.totalBytes)} (budget ${formatBytes(budget.totalBytes)}), added ${formatBytes(addedBytes)} over a ${formatBytes(baseBytes)} base (budget ${formatBytes(budget.addedBytes)})`;
  const message = failures.length === 0
    ? `${summary}: within budget`
    : `${summary}: OVER BUDGET\n  ${failures.join("\n  ")}\nLayers (largest files of added layers below them):\n${layerBreakdown(image, baseLayerList.length)}`;
  return { ok: failures.length === 0, name, totalBytes: image.totalBytes, addedBytes, baseBytes, budget, baseLayerCount: baseLayerList.length, addedLayers, failures, message };
}
