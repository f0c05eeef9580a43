// values.schema.json is itself checked: helm's validator ignores a misspelt
// keyword ("minimun", "enmu"), so the constraint silently vanishes. Compiled
// here in strict mode, which refuses unknown keywords, and the chart's default
// values must satisfy it.
import { Ajv } from "ajv";
import type { Finding } from "./types.js";

export function checkValuesSchema(schemaText: string, defaults: unknown, file = "values.schema.json"): Finding[] {
  const f = (message: string, fix: string): Finding => ({ rule: "values/schema", severity: "error", object: file, source: file, message, fix });
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (err) {
    return [f(`not valid JSON: ${(err as Error).message}`, "fix the JSON syntax")];
  }
  const ajv = new Ajv({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allErrors: true, validateFormats: false });
  let validate;
  try {
    validate = ajv.compile(schema as object);
  } catch (err) {
    return [f((err as Error).message, "use only JSON Schema (draft-07) keywords, spelt as the standard spells them")];
  }
  if (validate(defaults)) return [];
  return (validate.errors ?? []).map((e) => f(`values.yaml ${e.instancePath || "(root)"} ${e.message ?? e.keyword}`, "make the defaults satisfy the schema"));
}
