// Public API of the delivery doctor (used by the pipeline's lint-chart step).
export { analyze, buildInputs, doctorOnFiles, hasErrors, runDoctor, sortFindings, type DoctorOptions } from "./doctor.js";
export { DoctorUsageError, helmAvailable, readChart, readDockerfiles, renderChart } from "./reader.js";
export { explain, formatJson, formatSarif, formatTable, summary, toSarif, FORMATTERS, type Format } from "./report.js";
export { RULES, ruleById } from "./rules/index.js";
export type { DoctorInputs, DoctorProjectConfig, Finding, Rule, Severity } from "./types.js";
