// Public API of the chart's schema checks and parsers, used by the pipeline's lint-chart step and the chart tests:
//   const manifests = parseManifests(helmTemplateStdout);
//   validateAgainstSchemas(manifests, loadSchemaValidator(projectConfig.versions.kubernetes)) → Finding[]
//   checkValuesSchema(values.schema.json text, values)          → Finding[]
// The chart policies are delivery doctor rules (ci/doctor); checkRenderedChart and
// scanChartSources run them on what the chart tests hold (rendered objects, source files).
export { checkRenderedChart, scanChartSources, type SourceFile } from "./check.js";
export { parseManifests, parseValuesFile, ManifestParseError } from "./manifests.js";
export { readChartSources } from "./sources.js";
export { checkValuesSchema } from "./values-schema.js";
export { createSchemaValidator, validateAgainstSchemas, type OpenApiV2, type SchemaValidator } from "./schema.js";
export { chartSchemaValidator, kubernetesOpenApiPath, loadSchemaValidator } from "./schema-source.js";
export { formatFindings, type Finding, type Manifest, type Severity } from "./types.js";
