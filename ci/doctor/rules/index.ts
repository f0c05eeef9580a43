// Every rule of the doctor, in report order. Ids are stable: CI configurations and SARIF consumers key on them.
// Naming: <thing>/<defect>, the thing singular (image, probe, secret, port, …); `values/` names the values file.
import type { Rule } from "../types.js";
import { containerRoot, mutableImage, nextPublicRuntime, noResources, requestAboveLimit } from "./containers.js";
import { DOCKERFILE_RULES } from "./dockerfile.js";
import { rewriteStripsPrefix, unservedIngressPath } from "./ingress.js";
import { NETWORK_RULES } from "./network.js";
import { portDrift } from "./ports.js";
import { healthPath, missingProbe, probeNotHttp, unconfirmedPath, unservedPath } from "./probes.js";
import { envValue, highEntropy, inConfigMap, invalidBase64, notesPrintsSecret, plaintextSecret } from "./secrets.js";
import { RUNTIME_RULES } from "./runtime.js";
import { SECURITY_RULES } from "./security.js";
import { defaultTrue, hardCodedNamespace, printfInt } from "./templates.js";
import { duplicateKey, invalidYaml, renderFailed } from "./values.js";
import { duplicateName, hpaMissingTarget, notCreated, selectorMismatch, workloadSelectorMismatch } from "./wiring.js";

export const RULES: readonly Rule[] = [
  renderFailed,
  invalidYaml,
  duplicateKey,
  portDrift,
  unservedPath,
  unconfirmedPath,
  selectorMismatch,
  workloadSelectorMismatch,
  duplicateName,
  hpaMissingTarget,
  invalidBase64,
  plaintextSecret,
  highEntropy,
  notCreated,
  nextPublicRuntime,
  mutableImage,
  noResources,
  requestAboveLimit,
  containerRoot,
  rewriteStripsPrefix,
  unservedIngressPath,
  hardCodedNamespace,
  printfInt,
  defaultTrue,
  ...DOCKERFILE_RULES,
  ...RUNTIME_RULES,
  // House policy (Rule.policy): this repository's own chart only.
  missingProbe,
  probeNotHttp,
  healthPath,
  ...SECURITY_RULES,
  ...NETWORK_RULES,
  envValue,
  inConfigMap,
  notesPrintsSecret,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
