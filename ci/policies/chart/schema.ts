// Offline validation of rendered objects against the Kubernetes OpenAPI (v2)
// definitions of one Kubernetes release (api/openapi-spec/swagger.json of
// k8s.io/kubernetes at that tag). Strict like `kubeconform -strict`: unknown
// fields are errors, since the API server would drop them silently and a
// misspelt `securityContxt` is a security hole that passes `helm lint`.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describe, isObj, type Finding, type Manifest, type Obj } from "./types.js";

export interface OpenApiV2 {
  info?: { version?: string };
  definitions: Record<string, Obj>;
}

export interface SchemaValidator {
  /** e.g. "1.33.0" (the spec itself says "unversioned", so the loader passes it). */
  kubernetesVersion: string;
  /** "apps/v1 Deployment" → validator; undefined when the version has no such kind. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined;
  kinds(): string[];
}

const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

// Rewrites one definition so a JSON Schema validator reads it as the API server does.
function adapt(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(adapt);
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "description" || k.startsWith("x-kubernetes-")) continue;
    out[k] = k === "properties" && isObj(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, adapt(s)])) : adapt(v);
  }
  if (out.format === "int-or-string") return { oneOf: [{ type: "string" }, { type: "integer" }] };
  if (isObj(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** Extra schemas for custom resources the chart may render (key: "group/version Kind"). */
export type ExtraSchemas = Record<string, Obj>;

export function createSchemaValidator(spec: OpenApiV2, extra: ExtraSchemas = {}, kubernetesVersion = spec.info?.version ?? "unknown"): SchemaValidator {
  if (!isObj(spec) || !isObj(spec.definitions)) {
    throw new Error("not a Kubernetes OpenAPI v2 document (no definitions); expected api/openapi-spec/swagger.json");
  }
  const definitions: Record<string, unknown> = {};
  const byGvk = new Map<string, string>();
  for (const [name, def] of Object.entries(spec.definitions)) {
    definitions[name] = adapt(def);
    const gvks = def["x-kubernetes-group-version-kind"];
    if (!Array.isArray(gvks)) continue;
    for (const g of gvks) {
      if (!isObj(g)) continue;
      const apiVersion = g.group ? `${String(g.group)}/${String(g.version)}` : String(g.version);
      const key = `${apiVersion} ${String(g.kind)}`;
      // Shared types (DeleteOptions, WatchEvent) list many GVKs; the definition named after the kind wins.
      if (!byGvk.has(key) || name.endsWith(`.${String(g.kind)}`)) byGvk.set(key, name);
    }
  }
  definitions[INT_OR_STRING] = { oneOf: [{ type: "string" }, { type: "integer" }] };
  // The API server accepts numbers for quantities (cpu: 1).
  definitions[QUANTITY] = { oneOf: [{ type: "string", pattern: "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$" }, { type: "number" }] };

  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: "k8s", definitions });
  const cache = new Map<string, ValidateFunction>();
  return {
    kubernetesVersion,
    kinds: () => [...byGvk.keys(), ...Object.keys(extra)].sort(),
    validatorFor(apiVersion, kind) {
      const key = `${apiVersion} ${kind}`;
      const hit = cache.get(key);
      if (hit) return hit;
      let fn: ValidateFunction | undefined;
      const def = byGvk.get(key);
      if (def) fn = ajv.getSchema(`k8s#/definitions/${def}`);
      else if (extra[key]) fn = ajv.compile(extra[key]);
      if (fn) cache.set(key, fn);
      return fn;
    },
  };
}

// The API server treats null fields as absent; so does this check.
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
}

function explain(e: ErrorObject): string {
  if (e.keyword === "additionalProperties") return `unknown field "${String(e.params.additionalProperty)}"`;
  if (e.keyword === "required") return `missing required field "${String(e.params.missingProperty)}"`;
  if (e.keyword === "enum") return `must be one of ${JSON.stringify(e.params.allowedValues)}`;
  return e.message ?? e.keyword;
}

/** Validates every object against the schema of its apiVersion and kind; unknown kinds are findings too. */
export function validateAgainstSchemas(manifests: readonly Manifest[], validator: SchemaValidator): Finding[] {
  const out: Finding[] = [];
  for (const m of manifests) {
    const base: Pick<Finding, "object" | "source"> = { object: describe(m) };
    if (m.__source) base.source = m.__source;
    if (typeof m.apiVersion !== "string" || typeof m.kind !== "string") {
      out.push({ ...base, rule: "schema/type-meta", severity: "error", message: "object has no apiVersion or kind", fix: "set both" });
      continue;
    }
    const fn = validator.validatorFor(m.apiVersion, m.kind);
    if (!fn) {
      out.push({ ...base, rule: "schema/unknown-kind", severity: "error", message: `Kubernetes ${validator.kubernetesVersion} has no ${m.kind} in ${m.apiVersion} (removed, misspelt, or a custom resource without a schema)`, fix: "use an apiVersion this Kubernetes serves" });
      continue;
    }
    if (fn(dropNulls(JSON.parse(JSON.stringify(m))))) continue;
    // oneOf noise: report the most specific errors, once each.
    const seen = new Set<string>();
    for (const e of fn.errors ?? []) {
      if (e.keyword === "oneOf" || e.keyword === "anyOf") continue;
      const path = e.instancePath.replace(/^\//, "").replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".");
      const msg = explain(e);
      if (seen.has(path + msg)) continue;
      seen.add(path + msg);
      out.push({ ...base, rule: "schema/invalid", severity: "error", path: path || "(root)", message: msg, fix: "correct the field per the Kubernetes API reference" });
    }
  }
  return out;
}
