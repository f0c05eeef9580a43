// Objects pointing at objects: Service selectors, HPA targets, referenced Secrets/ConfigMaps/Services.
import { asArr, asObj, getIn, podOwners, selectorMatches } from "../k8s.js";
import type { DoctorInputs, Finding, Manifest, Path, Rule } from "../types.js";
import { finding } from "./finding.js";
import { ingressBackends } from "./ports.js";

export const selectorMismatch: Rule = {
  id: "service/selector-mismatch",
  severity: "error",
  title: "Service selector matches no pod template",
  why: "A Service whose selector matches no pod has no endpoints: every request through it fails, yet the chart installs cleanly.",
  fix: "Make the Service selector a subset of the pod template's labels (use the same selectorLabels helper in both).",
  example: { bad: "selector: { app: web }\n...\ntemplate: { metadata: { labels: { app.kubernetes.io/name: web } } }", good: "selector: { app.kubernetes.io/name: web }" },
  check(inputs) {
    if (!inputs.complete) return [];
    const owners = podOwners(inputs.manifests, { hooks: false });
    const out: Finding[] = [];
    for (const svc of inputs.manifests.filter((m) => m.kind === "Service")) {
      const selector = asObj(getIn(svc.obj, ["spec", "selector"]));
      if (Object.keys(selector).length === 0) continue;
      if (owners.some((o) => selectorMatches(selector, o.labels))) continue;
      const sel = Object.entries(selector).map(([k, v]) => `${k}=${String(v)}`).join(",");
      out.push(finding(this, svc.locate(["spec", "selector"]), `Service/${svc.name} selects ${sel}, which no pod template in the chart carries`));
    }
    return out;
  },
};

const SCALABLE = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

export const hpaMissingTarget: Rule = {
  id: "hpa/missing-target",
  severity: "error",
  title: "HorizontalPodAutoscaler aimed at a workload that does not exist",
  why: "An HPA whose scaleTargetRef names no workload does nothing but report FailedGetScale: the app never scales.",
  fix: "Set scaleTargetRef kind/name (and apiVersion apps/v1) to the Deployment or StatefulSet the chart creates, using the same name helper.",
  example: { bad: "scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web-api }   # the Deployment is named web", good: "scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }" },
  check(inputs) {
    if (!inputs.complete) return [];
    const out: Finding[] = [];
    for (const hpa of inputs.manifests.filter((m) => m.kind === "HorizontalPodAutoscaler")) {
      const ref = asObj(getIn(hpa.obj, ["spec", "scaleTargetRef"]));
      const kind = String(ref.kind ?? "");
      const name = String(ref.name ?? "");
      const target = inputs.manifests.find((m) => m.kind === kind && m.name === name);
      if (target && SCALABLE.has(kind)) continue;
      out.push(finding(this, hpa.locate(["spec", "scaleTargetRef", "name"]), target ? `HorizontalPodAutoscaler/${hpa.name} targets ${kind}/${name}, which cannot be scaled` : `HorizontalPodAutoscaler/${hpa.name} targets ${kind}/${name}, which the chart does not create`));
    }
    return out;
  },
};

interface Ref {
  kind: "Secret" | "ConfigMap" | "Service";
  name: string;
  from: Manifest;
  path: Path;
}

function references(inputs: DoctorInputs): Ref[] {
  const refs: Ref[] = [];
  for (const o of podOwners(inputs.manifests)) {
    const m = o.manifest;
    // imagePullSecrets are not followed: registry credentials are made outside the chart (per namespace, by
    // whoever runs the registry), so a chart naming one it does not create is the usual case, not a defect.
    asArr(o.spec.volumes).forEach((v, i) => {
      const vol = asObj(v);
      const base: Path = [...o.specPath, "volumes", i];
      const secret = asObj(vol.secret);
      if (secret.secretName && secret.optional !== true) refs.push({ kind: "Secret", name: String(secret.secretName), from: m, path: [...base, "secret", "secretName"] });
      const cm = asObj(vol.configMap);
      if (cm.name && cm.optional !== true) refs.push({ kind: "ConfigMap", name: String(cm.name), from: m, path: [...base, "configMap", "name"] });
      asArr(getIn(vol, ["projected", "sources"])).forEach((src, j) => {
        for (const kind of ["secret", "configMap"] as const) {
          const s = asObj(asObj(src)[kind]);
          if (s.name && s.optional !== true) refs.push({ kind: kind === "secret" ? "Secret" : "ConfigMap", name: String(s.name), from: m, path: [...base, "projected", "sources", j, kind, "name"] });
        }
      });
    });
    for (const field of ["initContainers", "containers"] as const) {
      asArr(o.spec[field]).forEach((c, ci) => {
        const cpath: Path = [...o.specPath, field, ci];
        asArr(asObj(c).env).forEach((e, ei) => {
          const vf = asObj(asObj(e).valueFrom);
          for (const [key, kind] of [["secretKeyRef", "Secret"], ["configMapKeyRef", "ConfigMap"]] as const) {
            const r = asObj(vf[key]);
            if (r.name && r.optional !== true) refs.push({ kind, name: String(r.name), from: m, path: [...cpath, "env", ei, "valueFrom", key, "name"] });
          }
        });
        asArr(asObj(c).envFrom).forEach((e, ei) => {
          for (const [key, kind] of [["secretRef", "Secret"], ["configMapRef", "ConfigMap"]] as const) {
            const r = asObj(asObj(e)[key]);
            if (r.name && r.optional !== true) refs.push({ kind, name: String(r.name), from: m, path: [...cpath, "envFrom", ei, key, "name"] });
          }
        });
      });
    }
  }
  for (const ing of inputs.manifests.filter((m) => m.kind === "Ingress")) {
    const annotations = asObj(getIn(ing.obj, ["metadata", "annotations"]));
    // cert-manager creates the TLS Secret an annotated Ingress names.
    const certManaged = Object.keys(annotations).some((k) => k.startsWith("cert-manager.io/"));
    if (!certManaged) {
      asArr(getIn(ing.obj, ["spec", "tls"])).forEach((t, i) => {
        const name = asObj(t).secretName;
        if (name) refs.push({ kind: "Secret", name: String(name), from: ing, path: ["spec", "tls", i, "secretName"] });
      });
    }
    for (const b of ingressBackends(ing)) refs.push({ kind: "Service", name: b.service, from: ing, path: [...b.path, "name"] });
  }
  return refs.filter((r) => r.name !== "");
}

/**
 * Names the values declare as created elsewhere: values of keys such as existingSecret or
 * externalConfigMap, or their `name` (existingSecret: { name: web-db }).
 */
export function declaredExternal(inputs: DoctorInputs): Set<string> {
  const names = new Set(inputs.externalNames);
  const external = (k: string) => /existing|external/i.test(k);
  const walk = (v: unknown, key: string, parent: string): void => {
    if (typeof v === "string") {
      if (v !== "" && (external(key) || (key === "name" && external(parent)))) names.add(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key, parent));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k, key);
  };
  for (const f of inputs.valuesFiles) for (const d of f.docs) walk(d.toJS(), "", "");
  return names;
}

/** Secrets cert-manager creates for the chart: the secretName of each Certificate it renders. */
function certificateSecrets(inputs: DoctorInputs): Set<string> {
  const names = new Set<string>();
  for (const m of inputs.manifests) {
    if (m.kind !== "Certificate" || !String(m.obj.apiVersion ?? "").startsWith("cert-manager.io/")) continue;
    const name = getIn(m.obj, ["spec", "secretName"]);
    if (typeof name === "string" && name !== "") names.add(name);
  }
  return names;
}

export const notCreated: Rule = {
  id: "reference/not-created",
  severity: "error",
  title: "Secret, ConfigMap or Service referenced but never created",
  why: "A pod that references a missing Secret or ConfigMap stays in CreateContainerConfigError (or ContainerCreating for volumes); an Ingress to a missing Service answers 503. The chart installs without complaint.",
  fix: "Create the object in the chart, or declare it as created outside the chart: name it in a values key such as existingSecret, or pass --external NAME (mark optional references `optional: true`).",
  example: { bad: "envFrom: [{ secretRef: { name: web-secrets } }]   # no Secret web-secrets in the chart", good: "envFrom: [{ secretRef: { name: {{ .Values.existingSecret }} } }]   # existingSecret: web-secrets" },
  check(inputs) {
    if (!inputs.complete) return [];
    const external = declaredExternal(inputs);
    const issued = certificateSecrets(inputs);
    // Secrets a Job of the chart makes (ingress-nginx's admission Job: `create --secret-name=NAME`): named in its arguments.
    const jobArgs = podOwners(inputs.manifests)
      .filter((o) => o.manifest.kind === "Job" || o.manifest.kind === "CronJob")
      .flatMap((o) => [...asArr(o.spec.initContainers), ...asArr(o.spec.containers)])
      .flatMap((c) => [...asArr(asObj(c).command), ...asArr(asObj(c).args)].map(String))
      .join(" ");
    const madeByJob = (name: string) => new RegExp(`(^|[\\s=/"'])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[\\s"',])`).test(jobArgs);
    const out: Finding[] = [];
    for (const r of references(inputs)) {
      if (external.has(r.name)) continue;
      if (r.kind === "Secret" && (issued.has(r.name) || madeByJob(r.name))) continue;
      if (inputs.manifests.some((m) => m.kind === r.kind && m.name === r.name)) continue;
      out.push(finding(this, r.from.locate(r.path), `${r.from.kind}/${r.from.name} references ${r.kind}/${r.name}, which the chart does not create and nothing declares as external`));
    }
    return out;
  },
};

export const workloadSelectorMismatch: Rule = {
  id: "workload/selector-mismatch",
  severity: "error",
  title: "Workload selector does not match its own pod template",
  why: "The API server refuses a Deployment, StatefulSet or DaemonSet whose selector does not select its template's labels: the install fails.",
  fix: "Build spec.selector.matchLabels and the template's labels from the same selectorLabels helper.",
  example: { bad: "selector: { matchLabels: { app: web } }\ntemplate: { metadata: { labels: { app: api } } }", good: "selector: { matchLabels: { app: web } }\ntemplate: { metadata: { labels: { app: web } } }" },
  check(inputs) {
    return podOwners(inputs.manifests)
      .filter((o) => o.longRunning && !o.manifest.partial && !selectorMatches(getIn(o.manifest.obj, ["spec", "selector"]), o.labels, true))
      .map((o) => finding(this, o.manifest.locate(["spec", "selector"]), `${o.manifest.kind}/${o.manifest.name}: the selector does not match the pod template's labels`));
  },
};

export const duplicateName: Rule = {
  id: "object/duplicate-name",
  severity: "error",
  title: "Two objects of one kind with one name",
  why: "helm refuses to install a release that renders two objects with the same kind, namespace and name (or the second silently replaces the first in tools that apply the output).",
  fix: "Derive every name from the fullname helper plus a component suffix.",
  example: { bad: "name: {{ .Release.Name }}   # in two ConfigMaps", good: "name: {{ include \"web.fullname\" . }}-config" },
  check(inputs) {
    if (!inputs.complete) return [];
    const seen = new Set<string>();
    return inputs.manifests.flatMap((m) => {
      const key = `${String(m.obj.apiVersion)}/${m.kind}/${String(getIn(m.obj, ["metadata", "namespace"]) ?? "")}/${m.name}`;
      if (!seen.has(key)) return seen.add(key) && [];
      return [finding(this, m.locate(["metadata", "name"]), `a second ${m.kind} named ${m.name}`)];
    });
  },
};
