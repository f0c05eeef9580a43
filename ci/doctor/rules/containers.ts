// Containers: NEXT_PUBLIC_* at run time, mutable images, missing resources, requests above limits, root.
import { allContainers, asArr, asObj, getIn, isHook, parseImageRef, parseQuantity } from "../k8s.js";
import { dockerfileOf, finalUser, isRootUser } from "../links.js";
import type { Finding, Rule } from "../types.js";
import { finding } from "./finding.js";
import { isPlaceholder } from "../text-render.js";

export const nextPublicRuntime: Rule = {
  id: "env/next-public-runtime",
  severity: "error",
  title: "NEXT_PUBLIC_* set as runtime environment",
  why: "Next.js inlines NEXT_PUBLIC_* into the JavaScript bundle at build time; setting it on the running container changes nothing in the browser, so the app silently uses the build-time value.",
  fix: "Pass the value at build time (a build argument), or serve it at run time through a server route or server component instead of NEXT_PUBLIC_*.",
  example: { bad: "env:\n  - name: NEXT_PUBLIC_API_URL\n    value: https://api.example.com", good: "env:\n  - name: API_URL   # read on the server, handed to the client by a route\n    value: https://api.example.com" },
  check(inputs) {
    const out: Finding[] = [];
    const consumed = new Set<string>();
    for (const c of allContainers(inputs.manifests)) {
      asArr(c.container.env).forEach((e, i) => {
        const name = String(asObj(e).name ?? "");
        if (name.startsWith("NEXT_PUBLIC_")) out.push(finding(this, c.owner.manifest.locate([...c.path, "env", i, "name"]), `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} sets ${name} at run time; Next.js fixed it at build time`));
      });
      for (const e of asArr(c.container.envFrom)) {
        const name = getIn(e, ["configMapRef", "name"]);
        if (typeof name === "string") consumed.add(name);
      }
    }
    for (const cm of inputs.manifests.filter((m) => m.kind === "ConfigMap" && consumed.has(m.name))) {
      for (const key of Object.keys(asObj(getIn(cm.obj, ["data"])))) {
        if (key.startsWith("NEXT_PUBLIC_")) out.push(finding(this, cm.locate(["data", key]), `ConfigMap/${cm.name} (loaded with envFrom) sets ${key} at run time; Next.js fixed it at build time`));
      }
    }
    return out;
  },
};

export const mutableImage: Rule = {
  id: "image/mutable-tag",
  severity: "error",
  title: "Image tagged latest, with neither tag nor digest, or with a malformed digest",
  why: "`latest` (which an untagged image means) changes under you: nodes run different code, rollbacks restore nothing, and with IfNotPresent a node keeps whatever it pulled first.",
  fix: "Use an immutable tag (a version or content hash) and, where a registry is used, the digest: repo:tag@sha256:….",
  example: { bad: "image: ghcr.io/acme/web:latest", good: "image: ghcr.io/acme/web:1.4.2@sha256:…" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      const at = c.owner.manifest.locate([...c.path, "image"]);
      const where = `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name}`;
      // A helm test pod runs once, on demand: a real defect, lower stakes than a workload's.
      const opts = isHook(c.owner.manifest) ? { severity: "warning" as const } : {};
      if (c.container.image === undefined || c.container.image === "") {
        if (!c.owner.manifest.partial) out.push(finding(this, at, `${where} has no image`, opts));
        continue;
      }
      if (typeof c.container.image !== "string" || isPlaceholder(c.container.image)) continue;
      const ref = parseImageRef(c.container.image);
      if (ref.digest !== undefined) {
        if (!/^sha256:[0-9a-f]{64}$/.test(ref.digest)) out.push(finding(this, at, `${where} runs ${c.container.image}, whose digest is not sha256:<64 hex digits>`, opts));
        continue;
      }
      if (ref.tag && ref.tag !== "latest") continue;
      out.push(finding(this, at, `${where} runs ${c.container.image}${ref.tag ? "" : " (no tag or digest: latest)"}`, opts));
    }
    return out;
  },
};

export const noResources: Rule = {
  id: "container/no-resources",
  severity: "warning",
  title: "Container without resource requests and limits (an error under the house policy)",
  why: "Without requests the scheduler packs pods blindly and the HPA cannot compute CPU utilisation; without a memory limit one leak takes the node's memory from its neighbours. A value that is not a quantity is refused by the API server.",
  fix: "Set resources.requests (cpu, memory) and resources.limits (memory at least; cpu too under the house policy) for every container, as quantities (250m, 256Mi).",
  example: { bad: "containers:\n  - name: web\n    image: acme/web:1.0", good: "    resources:\n      requests: { cpu: 100m, memory: 128Mi }\n      limits: { memory: 256Mi }" },
  check(inputs) {
    const out: Finding[] = [];
    const wanted = ["requests.cpu", "requests.memory", ...(inputs.policy ? ["limits.cpu"] : []), "limits.memory"];
    for (const c of allContainers(inputs.manifests)) {
      if (c.owner.manifest.partial) continue; // resources may come from an include the text reading cannot see
      const r = asObj(c.container.resources);
      const value = (k: string) => getIn(r, k.split("."));
      const missing = wanted.filter((k) => value(k) === undefined || value(k) === null || value(k) === "");
      const malformed = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].filter((k) => !missing.includes(k) && value(k) !== undefined && parseQuantity(value(k)) === undefined);
      if (missing.length === 0 && malformed.length === 0) continue;
      const what = [missing.length && `no ${missing.join(", ")}`, ...malformed.map((k) => `${k} "${String(value(k))}", which is not a quantity`)].filter(Boolean).join("; ");
      out.push(finding(this, c.owner.manifest.locate([...c.path, ...(c.container.resources ? ["resources"] : ["name"])]), `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} has ${what}`, inputs.policy || malformed.length ? { severity: "error" } : {}));
    }
    return out;
  },
};

export const requestAboveLimit: Rule = {
  id: "resource/request-above-limit",
  severity: "error",
  title: "Resource request above its limit",
  why: "The API server refuses a pod whose request exceeds its limit, so the install fails half-way through.",
  fix: "Lower the request or raise the limit.",
  example: { bad: "resources: { requests: { memory: 2Gi }, limits: { memory: 1Gi } }", good: "resources: { requests: { memory: 512Mi }, limits: { memory: 1Gi } }" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests.filter((m) => !m.partial))) {
      for (const res of ["cpu", "memory"]) {
        const req = parseQuantity(getIn(c.container, ["resources", "requests", res]));
        const lim = parseQuantity(getIn(c.container, ["resources", "limits", res]));
        if (req !== undefined && lim !== undefined && req > lim) out.push(finding(this, c.owner.manifest.locate([...c.path, "resources", "requests", res]), `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} requests more ${res} than its limit`));
      }
    }
    return out;
  },
};

export const containerRoot: Rule = {
  id: "container/runs-as-root",
  severity: "error",
  title: "Container runs as root",
  why: "A root process that escapes its container is root on the node; clusters enforcing the restricted Pod Security Standard refuse such pods at admission, after the chart 'installed'.",
  fix: "Set securityContext.runAsNonRoot: true and a numeric runAsUser > 0 (pod or container level), and build the image with a numeric non-root USER.",
  example: { bad: "securityContext:\n  runAsUser: 0", good: "securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      const cs = asObj(c.container.securityContext);
      const ps = asObj(c.owner.spec.securityContext);
      const userAt = cs.runAsUser !== undefined ? [...c.path, "securityContext", "runAsUser"] : [...c.owner.specPath, "securityContext", "runAsUser"];
      const user = cs.runAsUser ?? ps.runAsUser;
      const nonRoot = cs.runAsNonRoot ?? ps.runAsNonRoot;
      const where = `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name}`;
      // House policy: a numeric non-root uid in the manifest, whatever the image says.
      if (inputs.policy && !c.owner.manifest.partial && (typeof user !== "number" || user === 0)) {
        out.push(finding(this, c.owner.manifest.locate(userAt), `${where} has runAsUser ${user === undefined ? "unset" : String(user)}; the house policy wants a numeric uid > 0`));
        continue;
      }
      if ((typeof user === "number" || (typeof user === "string" && /^\d+$/.test(user))) && Number(user) === 0) {
        out.push(finding(this, c.owner.manifest.locate(userAt), `${where} sets runAsUser: 0`));
        continue;
      }
      if ((user !== undefined && Number(user) > 0) || nonRoot === true || c.owner.manifest.partial) continue;
      const df = dockerfileOf(inputs, c);
      const fu = df ? finalUser(df) : undefined;
      if (fu && fu.user !== "" && !isRootUser(fu.user)) continue;
      const at = c.owner.manifest.locate([...c.path, "name"]);
      if (fu) out.push(finding(this, at, `${where} sets no runAsNonRoot/runAsUser and its image (${df!.file}) runs as ${fu.user || "root (no USER)"}`));
      else out.push(finding(this, at, `${where} sets no runAsNonRoot/runAsUser; it runs as root unless the image sets a user`, { severity: "warning" }));
    }
    return out;
  },
};
