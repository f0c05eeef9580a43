// Shared shapes of the delivery doctor: what the rules read and what they report.
import type { Document, LineCounter } from "yaml";
import type { Dockerfile } from "./dockerfile.js";
import type { EnvRead, Route } from "./routes.js";

export type Severity = "error" | "warning";

export interface Finding {
  rule: string;
  severity: Severity;
  /** Path as given by the caller (relative to the working directory when inside it). */
  file: string;
  /** 1-based line. */
  line: number;
  message: string;
  fix: string;
}

export interface Location {
  file: string;
  line: number;
}

/** A YAML file parsed with duplicate keys kept (the doctor reports them itself). */
export interface YamlFile {
  file: string;
  text: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
}

export interface TemplateFile {
  /** Display path. */
  file: string;
  /** Path inside the chart, as helm names it after the chart name (templates/x.yaml, charts/sub/templates/y.yaml). */
  rel: string;
  text: string;
}

export type Path = ReadonlyArray<string | number>;

/** One Kubernetes object from `helm template` output, or from a template readable as plain YAML. */
export interface Manifest {
  kind: string;
  name: string;
  /** The object as plain data. */
  obj: Record<string, unknown>;
  /** Where a key path of this object is in the source (a template when it could be traced, else the rendered text). */
  locate(path: Path): Location;
  /** Read from a template as text without helm: fields may hold placeholders, blocks from includes are missing. */
  partial?: boolean;
}

/** What the doctor knows of an app when the repository is ours (todo.config.yaml `apps`). */
export interface KnownApp {
  image: string;
  port: number;
  routes: readonly string[];
  dockerfile?: string;
  /** Paths the probes must use (house policy rules). */
  health?: { liveness: string; readiness: string };
}

/** The slice of todo.config.yaml the doctor uses; the full ProjectConfig is assignable to it. */
export interface DoctorProjectConfig {
  apps: Record<string, KnownApp>;
  /** The uid/gid our images run as (house policy rules). */
  runtimeUser?: { uid: number; gid: number };
}

/** Everything the rules look at, already parsed: rules are pure functions of this. */
export interface DoctorInputs {
  chartDir: string;
  chartYaml?: YamlFile;
  /** The chart's values.yaml first, then the caller's values files in order. */
  valuesFiles: YamlFile[];
  templates: TemplateFile[];
  manifests: Manifest[];
  /**
   * True when `manifests` is every object the chart makes (helm rendered it, or
   * every template was plain YAML); rules that look for a missing object need it.
   */
  complete: boolean;
  /** helm's error when rendering failed. */
  renderError?: string;
  /** Every failing template's error (the first is renderError). */
  renderErrors?: readonly string[];
  /** What helm rendered, when it did (rules ask whether a template's text made it into the release). */
  rendered?: string;
  dockerfiles: Dockerfile[];
  project?: DoctorProjectConfig;
  /** Secret/ConfigMap names created outside the chart (declared by the caller). */
  externalNames: readonly string[];
  /** Whether the house policy rules (Rule.policy) run: this repository's own chart, not anyone's. */
  policy?: boolean;
  /** The app's source (--source, default the git root above the chart), the routes it defines and its words (lower case, for env/unread). */
  source?: {
    dir: string;
    routes: Route[];
    words?: ReadonlySet<string>;
    envReads?: EnvRead[];
    /** Names under these prefixes may be read by a rule (viper's SetEnvPrefix), not by name; "" for any name. */
    envPrefixes?: readonly string[];
    readsEnv?: boolean;
  };
}

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  /** Why it breaks at runtime, for --explain. */
  why: string;
  /** The default fix (a finding may carry a more specific one). */
  fix: string;
  /** A defective snippet and its correction, for --explain and the README. */
  example: { bad: string; good: string };
  /**
   * A house policy of this repository (restricted pod security, default-deny
   * NetworkPolicies, health paths from todo.config.yaml): runs only when
   * DoctorInputs.policy is set, and only on rendered (not text-read) objects.
   */
  policy?: boolean;
  check(inputs: DoctorInputs): Finding[];
}
