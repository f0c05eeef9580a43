// npx delivery-doctor --chart PATH [--values FILE]... [--dockerfile PATH]...
//   [--format table|json|sarif|github] [--explain RULE] [--external NAME]... [--kube-version V]
//   [--no-helm] [--config FILE | --no-config] [--source DIR]
// (also npm run pipeline:doctor -- …). Exit: 0 no errors (warnings allowed),
// 1 an error-severity finding, 2 bad usage, 3 the doctor itself failed.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadProjectConfig } from "../config/load.js";
import { PROJECT_CONFIG_FILE, ProjectConfigError } from "../config/project-config.js";
import { hasErrors, runDoctor } from "./doctor.js";
import { DoctorUsageError, gitRootOf, helmVersion, renderChart } from "./reader.js";
import { DOCTOR_VERSION, explain, FORMATTERS, type Format, type RunInfo } from "./report.js";
import { RULES, ruleById } from "./rules/index.js";
import type { DoctorProjectConfig } from "./types.js";

/** Kubernetes version helm renders for when no todo.config.yaml names one (a test keeps it equal to ours). */
export const DEFAULT_KUBE_VERSION = "1.33.4";

export const USAGE = `usage: npx delivery-doctor --chart PATH [--values FILE]... [--dockerfile PATH]...
         [--format table|json|sarif|github] [--external NAME]... [--kube-version X.Y.Z] [--no-helm]
         [--config todo.config.yaml | --no-config] [--source DIR]
       npx delivery-doctor --explain RULE
exit: 0 no error (warnings allowed), 1 an error found, 2 bad usage, 3 the doctor failed
rules: ${RULES.map((r) => r.id).join(", ")}`;

export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd: string;
}

class UsageError extends Error {}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    if (values.explain !== undefined) {
      const rule = ruleById(values.explain);
      if (!rule) throw new UsageError(`--explain ${values.explain}: no such rule; use one of: ${RULES.map((r) => r.id).join(", ")}`);
      io.stdout(explain(rule));
      return 0;
    }
    if (!values.chart) throw new UsageError("--chart PATH is required: pass the chart directory (the one holding Chart.yaml)");
    const format = (values.format ?? "table") as Format;
    if (!(format in FORMATTERS)) throw new UsageError(`--format ${values.format}: use table, json, sarif or github`);
    if (values.config && values["no-config"]) throw new UsageError("--config and --no-config exclude each other; pass one");

    let projectConfig: DoctorProjectConfig | undefined;
    let policy = false;
    let kubeVersion = values["kube-version"];
    if (!values["no-config"]) {
      if (values.config && !existsSync(resolve(io.cwd, values.config))) throw new UsageError(`--config ${values.config} does not exist; pass the path of todo.config.yaml or drop --config`);
      // Our todo.config.yaml describes our apps: it applies to a chart inside its repository, or when asked for.
      const root = values.config ? dirname(resolve(io.cwd, values.config)) : configRootOf(resolve(io.cwd, values.chart));
      if (root !== undefined) {
        const cfg = loadProjectConfig(root);
        // The house policy is for the chart the config names (ours), not for any chart it is pointed at.
        const named = resolve(root, cfg.chart.path) === resolve(io.cwd, values.chart);
        // Another chart that merely sits in this repository is a stranger's: our apps' ports and routes
        // apply to it only when asked for with --config.
        if (named || values.config) {
          projectConfig = cfg;
          kubeVersion ??= cfg.versions.kubernetes;
          policy = named;
        }
      }
    }
    kubeVersion ??= DEFAULT_KUBE_VERSION;

    let renderedManifests: string | undefined;
    let renderError: string | undefined;
    let renderErrors: string[] | undefined;
    const helm = values["no-helm"] ? undefined : await helmVersion();
    if (helm !== undefined) {
      const r = await renderChart({ chartPath: values.chart, valuesFiles: values.values ?? [], kubeVersion, cwd: io.cwd });
      renderedManifests = r.manifests;
      renderError = r.error;
      renderErrors = r.errors;
    }
    // The apps' source: routes defined there confirm probe and Ingress paths (default: the repository the chart is in).
    const sourceDir = values.source ?? gitRootOf(resolve(io.cwd, values.chart));
    const findings = await runDoctor({
      ...(sourceDir !== undefined ? { sourceDir } : {}),
      chartPath: values.chart,
      valuesFiles: values.values ?? [],
      dockerfiles: values.dockerfile ?? [],
      ...(renderedManifests !== undefined ? { renderedManifests } : {}),
      ...(renderError !== undefined ? { renderError } : {}),
      ...(renderErrors !== undefined ? { renderErrors } : {}),
      ...(projectConfig ? { projectConfig } : {}),
      policy,
      externalNames: values.external ?? [],
      cwd: io.cwd,
    });
    const info: RunInfo = { doctor: DOCTOR_VERSION, ...(helm !== undefined ? { helm } : {}), kubernetes: kubeVersion };
    io.stdout(FORMATTERS[format](findings, info));
    if (renderedManifests === undefined && renderError === undefined && format === "table") {
      io.stderr("note: helm not used (--no-helm or not on PATH): templates were read as text (values filled in, includes left out); rules that compare objects with each other ran only on plain-YAML templates\n");
    }
    return hasErrors(findings) ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof DoctorUsageError || err instanceof ProjectConfigError) {
      io.stderr(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

/** The nearest directory at or above the chart that holds todo.config.yaml (the repository the chart is in). */
export function configRootOf(chartDir: string): string | undefined {
  for (let dir = chartDir; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, PROJECT_CONFIG_FILE))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      chart: { type: "string" },
      values: { type: "string", multiple: true, short: "f" },
      dockerfile: { type: "string", multiple: true },
      format: { type: "string" },
      explain: { type: "string" },
      external: { type: "string", multiple: true },
      "kube-version": { type: "string" },
      "no-helm": { type: "boolean" },
      config: { type: "string" },
      "no-config": { type: "boolean" },
      source: { type: "string" },
    },
  }).values;
}

/** The command line: argv from the process, paths relative to where the command was typed. */
export function runCli(): void {
  // npm run sets INIT_CWD to where the command was typed; relative paths are relative to it.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`delivery doctor failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 3;
    },
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runCli();
