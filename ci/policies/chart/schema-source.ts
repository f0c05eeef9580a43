// Where the pinned Kubernetes OpenAPI document lives on this machine:
// scripts/setup/kubernetes-openapi.sh fetches k8s.io/kubernetes@v<versions.kubernetes>
// through the Go module proxy, so it sits in the Go module cache. Nothing here
// touches the network.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SERVICE_MONITOR_SCHEMA } from "./service-monitor-schema.js";
import { createSchemaValidator, type OpenApiV2, type SchemaValidator } from "./schema.js";

function goModCache(): string {
  if (process.env.GOMODCACHE) return process.env.GOMODCACHE;
  try {
    const out = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
    if (out) return out;
  } catch {
    // no go on PATH: fall back to its default location
  }
  return join(process.env.GOPATH ?? join(homedir(), "go"), "pkg", "mod");
}

/** Path of swagger.json for a Kubernetes version ("1.33.0"); KUBERNETES_OPENAPI_SPEC overrides. */
export function kubernetesOpenApiPath(version: string): string {
  if (process.env.KUBERNETES_OPENAPI_SPEC) return process.env.KUBERNETES_OPENAPI_SPEC;
  const v = version.replace(/^v/, "");
  return join(goModCache(), `k8s.io/kubernetes@v${v}`, "api", "openapi-spec", "swagger.json");
}

/**
 * The validator the chart gate uses: Kubernetes' own definitions plus the
 * chart's custom resources. Pure, for callers that read swagger.json themselves
 * (a Dagger function reading it from a mounted Directory).
 */
export function chartSchemaValidator(spec: OpenApiV2, version: string): SchemaValidator {
  return createSchemaValidator(spec, { "monitoring.coreos.com/v1 ServiceMonitor": SERVICE_MONITOR_SCHEMA }, version.replace(/^v/, ""));
}

const loaded = new Map<string, SchemaValidator>();

/** Loads (once per process) the validator for a Kubernetes version, with the chart's custom-resource schemas. */
export function loadSchemaValidator(version: string): SchemaValidator {
  const file = kubernetesOpenApiPath(version);
  const hit = loaded.get(file);
  if (hit) return hit;
  if (!existsSync(file)) {
    throw new Error(`Kubernetes ${version} OpenAPI spec not found at ${file}; run scripts/setup/kubernetes-openapi.sh (or set KUBERNETES_OPENAPI_SPEC)`);
  }
  const v = chartSchemaValidator(JSON.parse(readFileSync(file, "utf8")) as OpenApiV2, version);
  loaded.set(file, v);
  return v;
}
