// Reads a chart directory's text sources (values files and schema, templates, NOTES) for scanChartSources.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { SourceFile } from "./check.js";

export function readChartSources(chartDir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== "charts") walk(full);
      } else if (/\.(ya?ml|tpl|txt|json)$/.test(name)) {
        out.push({ path: relative(chartDir, full), text: readFileSync(full, "utf8") });
      }
    }
  };
  walk(chartDir);
  return out;
}
