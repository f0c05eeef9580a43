// Public API of the chart checks, used by the pipeline's lint-chart step and the chart tests:
//   const manifests = parseManifests(helmTemplateStdout);
//   checkRenderedChart(manifests, projectConfig)            → Finding[] (policy rules)
//   validateAgainstSchemas(manifests, loadSchemaValidator(projectConfig.versions.kubernetes)) → Finding[]
//   scanChartSources(files)                                  → Finding[] (plaintext secrets in values/templates/NOTES)
//   runChartGate({ renderings, sources, config, validator }) → all of the above over several renderings
export { checkRenderedChart, CHART_RULES, runChartGate, type ChartGateInput } from "./check.js";
export type { ChartPolicyConfig } from "./context.js";
export { parseManifests, parseValuesFile, ManifestParseError } from "./manifests.js";
export { scanChartSources, type SourceFile } from "./rules-secrets.js";
export { readChartSources } from "./sources.js";
export { checkValuesSchema } from "./values-schema.js";
export { createSchemaValidator, validateAgainstSchemas, type OpenApiV2, type SchemaValidator } from "./schema.js";
export { chartSchemaValidator, kubernetesOpenApiPath, loadSchemaValidator } from "./schema-source.js";
export { formatFindings, type Finding, type Manifest, type Severity } from "./types.js";
