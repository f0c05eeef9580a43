// The doctor's only file and process I/O: reading the chart, values files and
// Dockerfiles, and rendering the chart with the host's helm.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { execa } from "execa";
import { helmTemplateArgs } from "../tools/helm.js";
import type { SourceFile } from "./routes.js";

export class DoctorUsageError extends Error {}

export interface RawFile {
  file: string;
  text: string;
}

/** A Dockerfile and the .dockerignore that applies to it (null: none; absent: not known). */
export interface RawDockerfile extends RawFile {
  dockerignore?: string | null;
}

/** Where BuildKit looks for the ignore file of a Dockerfile: `<Dockerfile>.dockerignore`, then `.dockerignore` in its directory (the usual context). */
export function dockerignoreCandidates(dockerfile: string): string[] {
  const slash = dockerfile.replace(/\\/g, "/").lastIndexOf("/");
  const dir = slash >= 0 ? dockerfile.slice(0, slash + 1) : "";
  return [`${dockerfile}.dockerignore`, `${dir}.dockerignore`];
}

export interface RawChart {
  chartDir: string;
  chartYaml?: RawFile;
  values?: RawFile;
  valuesFiles: RawFile[];
  templates: Array<RawFile & { rel: string }>;
}

/** A path as findings show it: relative to cwd when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

function readText(path: string, what: string, fix: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new DoctorUsageError(`${what} ${path} does not exist; ${fix}`);
  return readFileSync(path, "utf8");
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

export function readChart(chartPath: string, valuesFiles: readonly string[] = [], cwd = process.cwd()): RawChart {
  const dir = resolve(cwd, chartPath);
  if (!existsSync(join(dir, "Chart.yaml"))) {
    throw new DoctorUsageError(`--chart ${chartPath} is not a chart directory (no Chart.yaml there); pass the directory that holds Chart.yaml`);
  }
  const show = (p: string) => displayPath(p, cwd);
  const file = (p: string): RawFile => ({ file: show(p), text: readFileSync(p, "utf8") });
  const templates: RawChart["templates"] = [];
  const collect = (chartDir: string, prefix: string) => {
    for (const p of walk(join(chartDir, "templates"))) templates.push({ ...file(p), rel: prefix + relative(chartDir, p).split("\\").join("/") });
    const charts = join(chartDir, "charts");
    if (existsSync(charts)) {
      for (const e of readdirSync(charts, { withFileTypes: true })) {
        if (e.isDirectory() && existsSync(join(charts, e.name, "Chart.yaml"))) collect(join(charts, e.name), `${prefix}charts/${e.name}/`);
      }
    }
  };
  collect(dir, "");
  const valuesPath = join(dir, "values.yaml");
  return {
    chartDir: show(dir),
    chartYaml: file(join(dir, "Chart.yaml")),
    ...(existsSync(valuesPath) ? { values: file(valuesPath) } : {}),
    valuesFiles: valuesFiles.map((v) => ({ file: show(resolve(cwd, v)), text: readText(resolve(cwd, v), "--values file", "pass an existing values file") })),
    templates,
  };
}

export function readDockerfiles(paths: readonly string[], cwd = process.cwd()): RawDockerfile[] {
  return paths.map((p) => {
    const abs = resolve(cwd, p);
    const path = existsSync(abs) && statSync(abs).isDirectory() ? join(abs, "Dockerfile") : abs;
    const ignore = dockerignoreCandidates(path).find((c) => existsSync(c));
    return { file: displayPath(path, cwd), text: readText(path, "--dockerfile", "pass the path of an existing Dockerfile (or a directory holding one)"), dockerignore: ignore ? displayPath(ignore, cwd) : null };
  });
}

/** Directories never read for routes: dependencies, build output, VCS data. */
const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "build", "out", ".next", ".nuxt", "vendor", "venv", ".venv", "__pycache__", "target", "coverage", ".turbo", ".cache", "charts", "testdata", "fixtures", "__tests__", "test", "tests", "e2e"]);
const SOURCE_FILE = /(\.(py|js|mjs|cjs|ts|mts|cts|jsx|tsx|go|java|kt|prisma|properties|toml|rb|php|rs)|(^|\/)(package\.json|Dockerfile[^/]*|\.env\.example))$/;
const TEST_FILE = /(\.(test|spec)\.[a-z]+|_test\.go|(^|\/)test_[^/]+\.py)$/;

/** The source files of the repository at `dir` that can define routes (at most `limit`, each under 256 KiB). */
export function readSource(dir: string, cwd = process.cwd(), limit = 20_000): SourceFile[] {
  const root = resolve(cwd, dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DoctorUsageError(`--source ${dir} is not a directory; pass the app's source directory (the repository root)`);
  const out: SourceFile[] = [];
  const visit = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // unreadable (permissions): its routes stay unknown
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= limit) return;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) visit(p);
        continue;
      }
      const rel = relative(root, p).split("\\").join("/");
      if (!e.isFile() || !SOURCE_FILE.test(rel) || TEST_FILE.test(rel) || statSync(p).size > 256 * 1024) continue;
      try {
        out.push({ file: displayPath(p, cwd), rel, text: readFileSync(p, "utf8") });
      } catch {
        /* unreadable: skipped */
      }
    }
  };
  visit(root);
  return out;
}

/** The root of the git work tree holding `dir` (the directory with .git), if any. */
export function gitRootOf(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

export async function helmAvailable(helm = "helm"): Promise<boolean> {
  return (await helmVersion(helm)) !== undefined;
}

/** The version of the helm on PATH (v3.21.4), or undefined when there is none. */
export async function helmVersion(helm = "helm"): Promise<string | undefined> {
  try {
    const r = await execa(helm, ["version", "--template", "{{.Version}}"], { timeout: 15_000 });
    return r.stdout.trim() || "unknown";
  } catch {
    return undefined;
  }
}

export interface RenderResult {
  /** helm's output: of the whole chart, or (when some templates fail) of the templates that render. */
  manifests?: string;
  /** The first error (absent when the chart renders). */
  error?: string;
  /** Every failing template's error, in the order helm met them (when there is more than one). */
  errors?: string[];
}

/** The template (path inside the chart, e.g. templates/x.yaml) an error of `helm template` names, if any. */
export function failingTemplate(error: string): string | undefined {
  return templateLocation(error)?.rel ?? /template: [^/\s]+\/(\S+?): /.exec(error)?.[1];
}

/**
 * Where helm says a template failed: `template: <chart>/templates/x.yaml:LINE:COL`,
 * `execution error at (<chart>/templates/x.yaml:LINE:COL)` (required, fail) or `parse error at (<chart>/x.yaml:LINE)`.
 */
export function templateLocation(error: string): { rel: string; line: number } | undefined {
  const m = /template: [^/\s]+\/(\S+?):(\d+):\d+/.exec(error) ?? /(?:execution|parse) error at \([^/\s]+\/(\S+?):(\d+)(?::\d+)?\)/.exec(error);
  return m ? { rel: m[1]!, line: Number(m[2]) } : undefined;
}

/** `helm template` of the chart with the values files (helm from source defaults to an old Kubernetes, so the version is passed). */
export async function renderChart(opts: { chartPath: string; valuesFiles?: readonly string[]; kubeVersion: string; helm?: string; cwd?: string }): Promise<RenderResult> {
  const argv = helmTemplateArgs({ release: "doctor", chart: opts.chartPath, namespace: "default", kubeVersion: opts.kubeVersion, valuesFiles: opts.valuesFiles ?? [] });
  const r = await execa(opts.helm ?? "helm", argv, { cwd: opts.cwd ?? process.cwd(), reject: false, timeout: 120_000 });
  if (r.exitCode === 0) return { manifests: r.stdout };
  const error = `helm ${argv.join(" ")}: ${r.stderr || r.stdout}`;
  // helm stops at the first failing template. To find the others and still render the rest, render a
  // copy of the chart with each failing template emptied, until it renders (a helper file or an error
  // naming no template ends the search: nothing else can render without it).
  const first = failingTemplate(error);
  if (!first || /(^|\/)_[^/]*$/.test(first)) return { error };
  const chartDir = resolve(opts.cwd ?? process.cwd(), opts.chartPath);
  const copy = mkdtempSync(join(tmpdir(), "doctor-render-"));
  try {
    cpSync(chartDir, copy, { recursive: true, dereference: true });
    const errors = [error];
    for (let rel: string | undefined = first; rel && errors.length <= 20; ) {
      const file = join(copy, rel);
      if (!existsSync(file) || /(^|\/)_[^/]*$/.test(rel)) break;
      writeFileSync(file, "");
      const again = await execa(opts.helm ?? "helm", helmTemplateArgs({ release: "doctor", chart: copy, namespace: "default", kubeVersion: opts.kubeVersion, valuesFiles: (opts.valuesFiles ?? []).map((v) => resolve(opts.cwd ?? process.cwd(), v)) }), { reject: false, timeout: 120_000 });
      if (again.exitCode === 0) return { error, errors, manifests: again.stdout };
      // Error texts name the copy; name the chart as the caller passed it.
      const next = `helm ${argv.join(" ")}: ${(again.stderr || again.stdout).split(copy).join(opts.chartPath)}`;
      const nextRel = failingTemplate(next);
      if (nextRel === rel) break;
      errors.push(next);
      rel = nextRel;
    }
    return { error, ...(errors.length > 1 ? { errors } : {}) };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
