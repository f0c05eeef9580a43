// The part of prometheus-operator's ServiceMonitor CRD (monitoring.coreos.com/v1)
// that this chart renders, written from the CRD's documented fields. Kubernetes'
// own OpenAPI has no custom resources, so without this the optional
// ServiceMonitor would go unchecked. Unknown fields are rejected, as elsewhere.
import type { Obj } from "./types.js";

const duration = { type: "string", pattern: "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$" };
const labelSelector = {
  type: "object",
  additionalProperties: false,
  properties: {
    matchLabels: { type: "object", additionalProperties: { type: "string" } },
    matchExpressions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["key", "operator"],
        properties: { key: { type: "string" }, operator: { type: "string" }, values: { type: "array", items: { type: "string" } } },
      },
    },
  },
};

export const SERVICE_MONITOR_SCHEMA: Obj = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "spec"],
  properties: {
    apiVersion: { const: "monitoring.coreos.com/v1" },
    kind: { const: "ServiceMonitor" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      additionalProperties: false,
      required: ["selector", "endpoints"],
      properties: {
        jobLabel: { type: "string" },
        selector: labelSelector,
        namespaceSelector: {
          type: "object",
          additionalProperties: false,
          properties: { any: { type: "boolean" }, matchNames: { type: "array", items: { type: "string" } } },
        },
        endpoints: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            properties: {
              port: { type: "string" },
              targetPort: { oneOf: [{ type: "string" }, { type: "integer" }] },
              path: { type: "string", pattern: "^/" },
              scheme: { enum: ["http", "https"] },
              interval: duration,
              scrapeTimeout: duration,
              honorLabels: { type: "boolean" },
            },
          },
        },
      },
    },
  },
};
