// Image size and layer measurement, shared by the pipeline's check-size step,
// the image tests and the benchmark.
export { measureImageTarball, ImageTarballError } from "./measure.js";
export type { MeasuredImage, MeasuredLayer, LayerFile, MeasureOptions } from "./measure.js";
export { evaluateBudget, layerBreakdown, formatBytes, BaseMismatchError } from "./budget.js";
export type { SizeBudget, BaseImage, BudgetVerdict } from "./budget.js";
export { TarParser, TarFormatError, parsePaxRecords } from "./tar.js";
export type { TarEntry, TarEntryType, TarHandlers } from "./tar.js";
