// runDoctor: read (reader.ts), parse, run the pure rules, sort the findings.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseDockerfile } from "./dockerfile.js";
import { manifestsFromPlainYaml, manifestsFromRendered, renderedYamlError } from "./manifests.js";
import { manifestsFromText, mergeValues } from "./text-render.js";
import { envPrefixes, readsEnvironment, routesFromSource, sourceWords, strictEnvReads, type SourceFile } from "./routes.js";
import { displayPath, DoctorUsageError, failingTemplate, dockerignoreCandidates, readChart, readDockerfiles, readSource, type RawChart, type RawDockerfile, type RawFile } from "./reader.js";
import { RULES } from "./rules/index.js";
import type { DoctorInputs, DoctorProjectConfig, Finding, Rule } from "./types.js";
import { parseYamlFile } from "./yaml-source.js";

export interface DoctorOptions {
  chartPath: string;
  valuesFiles?: readonly string[];
  dockerfiles?: readonly string[];
  /** Output of `helm template` for this chart and values, when helm is present. */
  renderedManifests?: string;
  /** helm's error when rendering failed (reported as chart/render-failed). */
  renderError?: string;
  /** Every failing template's error (renderChart's `errors`); renderedManifests then holds what the others render. */
  renderErrors?: readonly string[];
  /** todo.config.yaml (or its `apps` slice): routes and ports of our own apps. */
  projectConfig?: DoctorProjectConfig;
  /** Secret/ConfigMap names created outside the chart. */
  externalNames?: readonly string[];
  /** Run the house policy rules too (this repository's own chart). */
  policy?: boolean;
  /** The apps' source directory: routes found there confirm probe and Ingress paths. */
  sourceDir?: string;
  /** Base for reading relative paths and for the paths findings show (default process.cwd()). */
  cwd?: string;
}

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
}

/** Parsed inputs from raw text (pure). */
export function buildInputs(raw: {
  chart: RawChart;
  dockerfiles: readonly RawDockerfile[];
  renderedManifests?: string;
  renderError?: string;
  renderErrors?: readonly string[];
  projectConfig?: DoctorProjectConfig;
  externalNames?: readonly string[];
  policy?: boolean;
  source?: { dir: string; files: readonly SourceFile[] };
}): DoctorInputs {
  const { chart } = raw;
  const templates = chart.templates.map((t) => ({ file: t.file, rel: t.rel, text: t.text }));
  // values.yaml passed again with --values is one file: read (and reported) once.
  const valuesFiles = [...(chart.values ? [chart.values] : []), ...chart.valuesFiles].filter((f, i, all) => all.findIndex((x) => x.file === f.file) === i).map((f) => parseYamlFile(f.file, f.text));
  let manifests;
  let complete: boolean;
  const renderError = raw.renderError ?? (raw.renderedManifests !== undefined ? renderedYamlError(raw.renderedManifests) : undefined);
  const renderErrors = raw.renderErrors ?? (renderError !== undefined ? [renderError] : []);
  const chartMeta = (chart.chartYaml ? (parseYamlFile(chart.chartYaml.file, chart.chartYaml.text).docs[0]?.toJS() ?? {}) : {}) as Record<string, unknown>;
  const ctx = {
    values: mergeValues(valuesFiles.map((f) => f.docs[0]?.toJS() ?? {})),
    chart: { name: String(chartMeta.name ?? ""), version: String(chartMeta.version ?? ""), appVersion: String(chartMeta.appVersion ?? "") },
  };
  if (raw.renderedManifests !== undefined && renderError === undefined) {
    manifests = manifestsFromRendered(raw.renderedManifests, { renderedFile: `${chart.chartDir} (helm template)`, templates, valuesFiles });
    complete = true;
  } else if (raw.renderedManifests !== undefined && raw.renderErrors !== undefined && raw.renderErrors.length > 0) {
    // Some templates fail: the others were rendered by helm without them, and the failing ones are read as text.
    const failing = new Set(raw.renderErrors.map(failingTemplate).filter((r): r is string => r !== undefined));
    manifests = [
      ...manifestsFromRendered(raw.renderedManifests, { renderedFile: `${chart.chartDir} (helm template)`, templates, valuesFiles }),
      ...templates.filter((t) => failing.has(t.rel) && /\.ya?ml$/.test(t.rel)).flatMap((t) => manifestsFromText(t, ctx)),
    ];
    complete = false;
  } else {
    // Without helm: templates that are plain YAML are manifests as they stand; the
    // others are read as text (partial manifests, see text-render.ts).
    const yamlTemplates = templates.filter((t) => /\.ya?ml$/.test(t.rel) && !/(^|\/)tests\//.test(t.rel) && !t.rel.startsWith("charts/"));
    const plain = yamlTemplates.filter((t) => !t.text.includes("{{"));
    manifests = yamlTemplates.flatMap((t) => (t.text.includes("{{") ? manifestsFromText(t, ctx) : manifestsFromPlainYaml(t.file, t.text)));
    complete = renderError === undefined && plain.length === yamlTemplates.length;
  }
  return {
    chartDir: chart.chartDir,
    ...(chart.chartYaml ? { chartYaml: parseYamlFile(chart.chartYaml.file, chart.chartYaml.text) } : {}),
    valuesFiles,
    templates,
    manifests,
    complete,
    ...(renderError !== undefined ? { renderError, renderErrors } : {}),
    ...(raw.renderedManifests !== undefined && (renderError === undefined || raw.renderErrors?.length) ? { rendered: raw.renderedManifests } : {}),
    dockerfiles: raw.dockerfiles.map((d) => parseDockerfile(d.file, d.text, d.dockerignore)),
    ...(raw.projectConfig ? { project: raw.projectConfig } : {}),
    externalNames: raw.externalNames ?? [],
    policy: raw.policy === true,
    ...(raw.source ? { source: { dir: raw.source.dir, routes: routesFromSource(raw.source.files), words: sourceWords(raw.source.files), envReads: strictEnvReads(raw.source.files), envPrefixes: envPrefixes(raw.source.files), readsEnv: readsEnvironment(raw.source.files) } } : {}),
  };
}

/** Runs the rules over parsed inputs (pure). */
export function analyze(inputs: DoctorInputs, rules: readonly Rule[] = RULES): Finding[] {
  // House policy rules judge whole objects of our own chart: never objects read as text.
  const rendered = { ...inputs, manifests: inputs.manifests.filter((m) => !m.partial) };
  return sortFindings(rules.filter((r) => !r.policy || inputs.policy).flatMap((r) => r.check(r.policy ? rendered : inputs)));
}

/** The doctor's API for the pipeline: findings for a chart, its values files and Dockerfiles. */
export async function runDoctor(o: DoctorOptions): Promise<Finding[]> {
  const chart = readChart(o.chartPath, o.valuesFiles ?? [], o.cwd);
  // A Dockerfile kept in a subdirectory is often built with the repository as its context: the
  // source root's .dockerignore then applies.
  const rootIgnore = o.sourceDir !== undefined && existsSync(resolve(o.cwd ?? process.cwd(), o.sourceDir, ".dockerignore")) ? displayPath(resolve(o.cwd ?? process.cwd(), o.sourceDir, ".dockerignore"), o.cwd) : undefined;
  const dockerfiles = readDockerfiles(o.dockerfiles ?? [], o.cwd).map((d) => (d.dockerignore === null && rootIgnore ? { ...d, dockerignore: rootIgnore } : d));
  const cwd = o.cwd ?? process.cwd();
  const source = o.sourceDir !== undefined ? { dir: resolve(cwd, o.sourceDir) === resolve(cwd) ? "." : displayPath(o.sourceDir, cwd), files: readSource(o.sourceDir, cwd) } : undefined;
  return analyze(
    buildInputs({
      chart,
      dockerfiles,
      ...(o.renderedManifests !== undefined ? { renderedManifests: o.renderedManifests } : {}),
      ...(o.renderError !== undefined ? { renderError: o.renderError } : {}),
      ...(o.renderErrors !== undefined ? { renderErrors: o.renderErrors } : {}),
      ...(o.projectConfig ? { projectConfig: o.projectConfig } : {}),
      ...(o.externalNames ? { externalNames: o.externalNames } : {}),
      policy: o.policy === true,
      ...(source ? { source } : {}),
    }),
  );
}

export const hasErrors = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity === "error");

/**
 * The doctor on files already in memory (e.g. read from a Dagger Directory):
 * `files` maps paths relative to one root to their text. Pure.
 */
export function doctorOnFiles(o: Omit<DoctorOptions, "cwd"> & { files: ReadonlyMap<string, string> }): Finding[] {
  const norm = (p: string) => p.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
  const chartDir = norm(o.chartPath);
  const get = (p: string, what: string): RawFile => {
    const text = o.files.get(norm(p));
    if (text === undefined) throw new DoctorUsageError(`${what} ${p} is not among the files given; include it`);
    return { file: norm(p), text };
  };
  const templates: RawChart["templates"] = [];
  for (const [path, text] of o.files) {
    const p = norm(path);
    if (!p.startsWith(`${chartDir}/`)) continue;
    const rel = p.slice(chartDir.length + 1);
    if (/^(charts\/[^/]+\/)*templates\//.test(rel)) templates.push({ file: p, rel, text });
  }
  templates.sort((a, b) => a.rel.localeCompare(b.rel));
  const values = o.files.get(`${chartDir}/values.yaml`);
  const chart: RawChart = {
    chartDir,
    chartYaml: get(`${chartDir}/Chart.yaml`, "Chart.yaml of --chart"),
    ...(values !== undefined ? { values: { file: `${chartDir}/values.yaml`, text: values } } : {}),
    valuesFiles: (o.valuesFiles ?? []).map((v) => get(v, "values file")),
    templates,
  };
  const sourceDir = o.sourceDir !== undefined ? norm(o.sourceDir) : undefined;
  const sourceFiles: SourceFile[] = [];
  if (sourceDir !== undefined) {
    for (const [path, text] of o.files) {
      const p = norm(path);
      const rel = sourceDir === "" || sourceDir === "." ? p : p.startsWith(`${sourceDir}/`) ? p.slice(sourceDir.length + 1) : undefined;
      if (rel !== undefined && !/(^|\/)node_modules\//.test(rel)) sourceFiles.push({ file: p, rel, text });
    }
  }
  return analyze(
    buildInputs({
      ...(sourceDir !== undefined ? { source: { dir: sourceDir, files: sourceFiles } } : {}),
      chart,
      dockerfiles: (o.dockerfiles ?? []).map((d): RawDockerfile => {
        const rootIgnore = sourceDir !== undefined ? (sourceDir === "" || sourceDir === "." ? ".dockerignore" : `${sourceDir}/.dockerignore`) : undefined;
        const ignore = dockerignoreCandidates(norm(d)).find((c) => o.files.has(c)) ?? (rootIgnore !== undefined && o.files.has(rootIgnore) ? rootIgnore : undefined);
        return { ...get(d, "Dockerfile"), dockerignore: ignore ?? null };
      }),
      ...(o.renderedManifests !== undefined ? { renderedManifests: o.renderedManifests } : {}),
      ...(o.renderError !== undefined ? { renderError: o.renderError } : {}),
      ...(o.renderErrors !== undefined ? { renderErrors: o.renderErrors } : {}),
      ...(o.projectConfig ? { projectConfig: o.projectConfig } : {}),
      ...(o.externalNames ? { externalNames: o.externalNames } : {}),
      policy: o.policy === true,
    }),
  );
}
