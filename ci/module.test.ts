// The Dagger module cannot run here (no engine), so it is compiled against
// the real @dagger.io/dagger 0.21.9 types: a wrong option or call fails this.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { globToRegExp, importClosure } from "./test-support/repo.js";

const ci = import.meta.dirname;
const tsc = join(ci, "..", "node_modules", "typescript", "bin", "tsc");

describe("Dagger module", () => {
  it("pins the SDK to the engine version of dagger.json and the config", () => {
    const pkg = JSON.parse(readFileSync(join(ci, "package.json"), "utf8"));
    const dagger = JSON.parse(readFileSync(join(ci, "..", "dagger.json"), "utf8"));
    const sdk = JSON.parse(readFileSync(join(ci, "node_modules", "@dagger.io", "dagger", "package.json"), "utf8"));
    expect(pkg.dependencies["@dagger.io/dagger"]).toBe("0.21.9");
    expect(sdk.version).toBe("0.21.9");
    expect(dagger.engineVersion).toBe("v0.21.9");
    expect(dagger.source).toBe("ci");
    expect(readFileSync(join(ci, "..", "todo.config.yaml"), "utf8")).toMatch(/^\s+dagger: 0\.21\.9$/m);
  });

  // The TypeScript runtime mounts only ci/ and installs with `npm install --omit=dev`:
  // both defects failed every `dagger call` on a real engine while tsc passed.
  it("is loadable by the TypeScript runtime: tsconfig stays inside ci/, typescript is a runtime dependency", () => {
    const tsconfig = JSON.parse(readFileSync(join(ci, "tsconfig.json"), "utf8"));
    expect(tsconfig.extends).toBeUndefined();
    const pkg = JSON.parse(readFileSync(join(ci, "package.json"), "utf8"));
    expect(pkg.dependencies.typescript).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies?.typescript).toBeUndefined();
  });

  it("keeps ci/tsconfig.json as strict as the root tsconfig.json", () => {
    const own = JSON.parse(readFileSync(join(ci, "tsconfig.json"), "utf8")).compilerOptions;
    const root = JSON.parse(readFileSync(join(ci, "..", "tsconfig.json"), "utf8")).compilerOptions;
    for (const [key, value] of Object.entries(root)) expect([key, own[key]]).toEqual([key, value]);
  });

  it("type-checks against @dagger.io/dagger 0.21.9 (tsc --noEmit)", () => {
    let out = "";
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "-p", join(ci, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(out).toBe("");
  }, 120_000);

  it("keeps ci/src to the one exported main class (every file there is loaded at run time)", async () => {
    const { readdirSync } = await import("node:fs");
    expect(readdirSync(join(ci, "src"))).toEqual(["index.ts"]);
    expect(readFileSync(join(ci, "src", "index.ts"), "utf8").match(/^export class /gm)).toHaveLength(1);
  });

  // dagger.json's include list ("!pattern" leaves a path out) keeps the module's source to what its
  // runtime loads: no tests, fixtures, docs or host CLI. A file the module imports must not be left out.
  it("leaves out of the module's source (dagger.json include) only what ci/src/index.ts never imports", () => {
    const dagger = JSON.parse(readFileSync(join(ci, "..", "dagger.json"), "utf8")) as { include?: string[] };
    const excluded = (dagger.include ?? []).filter((p) => p.startsWith("!")).map((p) => globToRegExp(p.slice(1)));
    expect(excluded.length).toBeGreaterThan(0);
    const isExcluded = (rel: string) => excluded.some((re) => re.test(rel));
    const closure = importClosure(["ci/src/index.ts"]);
    expect(closure.filter((rel) => !existsSync(join(ci, "..", rel)))).toEqual([]);
    expect(closure.filter(isExcluded)).toEqual([]);
    // and the list does leave out what it should
    for (const f of ["ci/doctor/doctor.ts", "ci/cli/main.ts", "ci/steps/toolbox.test.ts", "ci/doctor/README.md", "ci/test-support/repo.ts"]) expect([f, isExcluded(f)]).toEqual([f, true]);
  });
});
