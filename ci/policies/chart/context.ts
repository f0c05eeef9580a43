import type { ProjectConfig } from "../../config/project-config.js";
import type { Finding, Manifest } from "./types.js";

/** What the chart rules need from todo.config.yaml. */
export type ChartPolicyConfig = Pick<ProjectConfig, "apps" | "runtimeUser">;
export type AppKey = keyof ProjectConfig["apps"];

export type Rule = (manifests: readonly Manifest[], config: ChartPolicyConfig) => Finding[];
