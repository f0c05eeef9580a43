// Every rule of the doctor, in report order. Ids are stable: CI configurations and SARIF consumers key on them.
import type { Rule } from "../types.js";
import { containerRoot, mutableImage, nextPublicRuntime, noResources } from "./containers.js";
import { DOCKERFILE_RULES } from "./dockerfile.js";
import { rewriteStripsPrefix } from "./ingress.js";
import { portDrift } from "./ports.js";
import { unconfirmedPath, unservedPath } from "./probes.js";
import { highEntropy, invalidBase64, plaintextSecret } from "./secrets.js";
import { defaultTrue, hardCodedNamespace, printfInt } from "./templates.js";
import { duplicateKey, renderFailed } from "./values.js";
import { hpaMissingTarget, notCreated, selectorMismatch } from "./wiring.js";

export const RULES: readonly Rule[] = [
  renderFailed,
  duplicateKey,
  portDrift,
  unservedPath,
  unconfirmedPath,
  selectorMismatch,
  hpaMissingTarget,
  invalidBase64,
  plaintextSecret,
  highEntropy,
  notCreated,
  nextPublicRuntime,
  mutableImage,
  noResources,
  containerRoot,
  rewriteStripsPrefix,
  hardCodedNamespace,
  printfInt,
  defaultTrue,
  ...DOCKERFILE_RULES,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
