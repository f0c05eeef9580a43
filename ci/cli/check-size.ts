// check-size's measurement, run by the pipeline inside the engine (ci/steps/size.ts)
// as an exec over the two image tarballs: the engine caches it like any exec, so an
// unchanged image is not exported and measured again. Prints one JSON line:
// the BudgetVerdict, or {"error": "..."} when the image is not built on the base.
//   tsx ci/cli/check-size.ts IMAGE_TAR BASE_TAR NAME TOTAL_BYTES ADDED_BYTES
// measure.ts and budget.ts alone: the images index would pull in the config (not among SIZE_INPUTS).
import { BaseMismatchError, evaluateBudget } from "../images/budget.js";
import { ImageTarballError, measureImageTarball } from "../images/measure.js";

const [imageTar, baseTar, name, totalBytes, addedBytes] = process.argv.slice(2);
if (!imageTar || !baseTar || !name || !Number.isFinite(Number(totalBytes)) || !Number.isFinite(Number(addedBytes))) {
  console.error("usage: check-size.ts IMAGE_TAR BASE_TAR NAME TOTAL_BYTES ADDED_BYTES");
  process.exit(2);
}
try {
  const [image, base] = await Promise.all([measureImageTarball(imageTar, { contentDigests: true }), measureImageTarball(baseTar, { contentDigests: true })]);
  console.log(JSON.stringify(evaluateBudget(image, base, { totalBytes: Number(totalBytes), addedBytes: Number(addedBytes) }, name)));
} catch (err) {
  if (!(err instanceof BaseMismatchError || err instanceof ImageTarballError)) throw err;
  console.log(JSON.stringify({ error: err.message }));
}
