// Image size and layer measurement, shared by the pipeline's check-size step,
// the image tests and the benchmark.
export { measureImageTarball, ImageTarballError } from "./measure.js";
export type { MeasuredImage, MeasuredLayer, LayerFile, MeasureOptions } from "./measure.js";
export { evaluateBudget, layerBreakdown, formatBytes, BaseMismatchError } from "./budget.js";
export type { SizeBudget, BaseImage, BudgetVerdict } from "./budget.js";
export { TarParser, TarFormatError, parsePaxRecords } from "./tar.js";
export type { TarEntry, TarEntryType, TarHandlers } from "./tar.js";
export { contextFilter, admits, ContextFilterError } from "./context-filter.js";
export type { ContextFilter } from "./context-filter.js";
export { imageBuildArgs, upstreamBaseRef, localBaseRef, dockerfileArgDefaults } from "./build-args.js";
export type { ImageProvenance } from "./build-args.js";
export { createSecretScanner, formatSecretFindings, SECRET_FILE_RULES, SECRET_CONTENT_RULES } from "./secret-scan.js";
export type { SecretFinding, SecretScanOptions } from "./secret-scan.js";
export { pinnedBases, digestVerdict } from "./digests.js";
export type { PinnedBase, Resolution, DigestVerdict } from "./digests.js";
