// @vitest-environment node
// The frontend builds from a fresh clone after one `npm ci` at the root: the
// files `next build` type-checks (frontend/tsconfig.json) never reach into the
// pipeline (ci/, whose packages the root install does not provide), and every
// package they import is one the frontend or the root declares.
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const FRONTEND = dirname(import.meta.dirname);
const ROOT = dirname(FRONTEND);

function declared(manifest: string): string[] {
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, Record<string, string> | undefined>;
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
}

/** The program `next build` and `tsc -p frontend/tsconfig.json` check: the tsconfig's files and all they import. */
function program(): ts.Program {
  const configFile = join(FRONTEND, "tsconfig.json");
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, FRONTEND, undefined, configFile);
  return ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
}

/** "@scope/name/sub" → "@scope/name", "name/sub" → "name". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

describe("the frontend's dependencies", () => {
  const files = program()
    .getSourceFiles()
    .map((f) => f.fileName)
    .filter((f) => !f.split(/[\\/]/).includes("node_modules"));
  const repoPath = (f: string) => relative(ROOT, f).split(sep).join("/");

  it("type-checks no file of the pipeline (ci/)", () => {
    expect(files.map(repoPath).filter((f) => f.startsWith("ci/") || f.includes("/ci/"))).toEqual([]);
  });

  it("imports only packages that frontend/package.json or the root package.json declares", () => {
    const allowed = new Set([...declared(join(FRONTEND, "package.json")), ...declared(join(ROOT, "package.json"))]);
    const builtins = new Set(builtinModules);
    const undeclared: string[] = [];
    for (const file of files) {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      for (const { fileName: specifier } of importedFiles) {
        if (specifier.startsWith(".") || specifier.startsWith("@/") || specifier.startsWith("node:")) continue;
        const name = packageName(specifier);
        if (builtins.has(name) || allowed.has(name)) continue;
        undeclared.push(`${repoPath(file)} imports ${specifier}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
}, 120_000);
