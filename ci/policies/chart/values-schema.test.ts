import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectConfig, REPO_ROOT } from "../../config/load.js";
import { checkValuesSchema, parseValuesFile } from "./index.js";

const chart = join(REPO_ROOT, loadProjectConfig().chart.path);
const schemaText = readFileSync(join(chart, "values.schema.json"), "utf8");
const defaults = parseValuesFile(readFileSync(join(chart, "values.yaml"), "utf8"), "values.yaml");

describe("checkValuesSchema", () => {
  it("the chart's schema compiles strictly and its defaults satisfy it", () => {
    expect(checkValuesSchema(schemaText, defaults)).toEqual([]);
  });

  it("a misspelt keyword is a finding (helm would silently drop that constraint)", () => {
    const bad = schemaText.replace('"minimum": 1,', '"minimun": 1,');
    expect(bad).not.toBe(schemaText);
    const f = checkValuesSchema(bad, defaults);
    expect(f.map((x) => x.rule)).toEqual(["values/schema"]);
    expect(f[0]!.message).toMatch(/unknown keyword: "minimun"/);
  });

  it("defaults that break the schema are findings", () => {
    const f = checkValuesSchema(schemaText, { ...(defaults as object), runtimeUser: { uid: 0, gid: 10001 } });
    expect(f.map((x) => x.message)).toEqual(["values.yaml /runtimeUser/uid must be >= 1"]);
  });

  it("invalid JSON is a finding, not a crash", () => {
    expect(checkValuesSchema("{", defaults)[0]!.message).toMatch(/not valid JSON/);
  });
});
