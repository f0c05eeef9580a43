// Restricted pod security: non-root with the project's uid/gid, RuntimeDefault
// seccomp, no privilege escalation, all capabilities dropped, read-only root
// filesystem with a writable /tmp for the apps, no host namespaces, no token.
import type { Rule } from "./context.js";
import { finding, type Finding } from "./types.js";
import { allContainers, appOfImage, get, podTemplates } from "./workloads.js";

// Volume types the "restricted" Pod Security Standard allows.
const RESTRICTED_VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

export const checkPodSecurity: Rule = (manifests, config) => {
  const out: Finding[] = [];
  for (const t of podTemplates(manifests)) {
    const m = t.owner;
    const pod = t.spec.securityContext ?? {};
    const at = (p: string) => `${t.specPath}.${p}`;
    for (const host of ["hostNetwork", "hostPID", "hostIPC"] as const) {
      if (t.spec[host] === true) out.push(finding(m, { rule: "security/host-namespaces", path: at(host), message: `${host} is true`, fix: `remove ${host}` }));
    }
    (t.spec.volumes ?? []).forEach((v, i) => {
      const type = Object.keys(v).find((k) => k !== "name");
      if (type && !RESTRICTED_VOLUME_TYPES.has(type)) {
        out.push(finding(m, { rule: "security/volume-type", path: at(`volumes[${i}]`), message: `volume ${String(v.name)} is a ${type}, which the restricted Pod Security Standard forbids`, fix: "use emptyDir, a PVC, a ConfigMap, a Secret or a projected volume" }));
      }
    });
    if (t.spec.automountServiceAccountToken !== false) {
      out.push(finding(m, {
        rule: "security/service-account-token",
        path: at("automountServiceAccountToken"),
        message: "the pod mounts a service account token it does not need",
        fix: "set automountServiceAccountToken: false",
      }));
    }
    if (typeof pod.fsGroup !== "number") {
      out.push(finding(m, { rule: "security/fs-group", path: at("securityContext.fsGroup"), message: "no fsGroup, so mounted volumes may not be writable by the non-root user", fix: "set securityContext.fsGroup" }));
    }
    const containers = allContainers(t.spec);
    const apps = new Set(containers.map(({ c }) => appOfImage(c.image, config.apps)).filter(Boolean));
    if (apps.size > 0 && typeof pod.fsGroup === "number" && pod.fsGroup !== config.runtimeUser.gid) {
      out.push(finding(m, { rule: "security/runtime-user", path: at("securityContext.fsGroup"), message: `fsGroup ${pod.fsGroup} differs from runtimeUser.gid ${config.runtimeUser.gid} in todo.config.yaml`, fix: "take fsGroup from runtimeUser.gid" }));
    }
    for (const { c, path } of containers) {
      const sc = c.securityContext ?? {};
      const cp = (p: string) => at(`${path}.securityContext.${p}`);
      const name = c.name ?? path;
      const eff = (k: string) => (sc[k] !== undefined ? sc[k] : pod[k]);
      if (eff("runAsNonRoot") !== true) {
        out.push(finding(m, { rule: "security/run-as-non-root", path: cp("runAsNonRoot"), message: `container ${name} may run as root (runAsNonRoot is not true)`, fix: "set runAsNonRoot: true on the pod or the container" }));
      }
      const uid = eff("runAsUser");
      if (typeof uid !== "number" || uid === 0) {
        out.push(finding(m, { rule: "security/run-as-user", path: cp("runAsUser"), message: `container ${name} has runAsUser ${uid === undefined ? "unset" : uid}`, fix: "set a non-zero numeric runAsUser" }));
      }
      const app = appOfImage(c.image, config.apps);
      if (app) {
        if (typeof uid === "number" && uid !== config.runtimeUser.uid) {
          out.push(finding(m, { rule: "security/runtime-user", path: cp("runAsUser"), message: `container ${name} runs as ${uid}, the ${app} image as runtimeUser.uid ${config.runtimeUser.uid}`, fix: "take runAsUser from runtimeUser.uid" }));
        }
        const gid = eff("runAsGroup");
        if (gid !== config.runtimeUser.gid) {
          out.push(finding(m, { rule: "security/runtime-user", path: cp("runAsGroup"), message: `container ${name} has runAsGroup ${String(gid)}, expected runtimeUser.gid ${config.runtimeUser.gid}`, fix: "take runAsGroup from runtimeUser.gid" }));
        }
      }
      const seccomp = get(sc, "seccompProfile", "type") ?? get(pod, "seccompProfile", "type");
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
        out.push(finding(m, { rule: "security/seccomp", path: cp("seccompProfile"), message: `container ${name} has seccomp profile ${String(seccomp ?? "unset")}`, fix: "set seccompProfile.type: RuntimeDefault" }));
      }
      if (sc.allowPrivilegeEscalation !== false) {
        out.push(finding(m, { rule: "security/privilege-escalation", path: cp("allowPrivilegeEscalation"), message: `container ${name} allows privilege escalation`, fix: "set allowPrivilegeEscalation: false" }));
      }
      if (sc.privileged === true) {
        out.push(finding(m, { rule: "security/privileged", path: cp("privileged"), message: `container ${name} is privileged`, fix: "remove privileged: true" }));
      }
      const drop = get(sc, "capabilities", "drop");
      if (!Array.isArray(drop) || !drop.includes("ALL")) {
        out.push(finding(m, { rule: "security/capabilities", path: cp("capabilities.drop"), message: `container ${name} does not drop ALL capabilities`, fix: "set capabilities.drop: [ALL]" }));
      }
      const add = get(sc, "capabilities", "add");
      if (Array.isArray(add) && add.length > 0) {
        out.push(finding(m, { rule: "security/capabilities", path: cp("capabilities.add"), message: `container ${name} adds capabilities ${add.join(", ")}`, fix: "remove capabilities.add" }));
      }
      if (sc.readOnlyRootFilesystem !== true) {
        out.push(finding(m, { rule: "security/read-only-root", path: cp("readOnlyRootFilesystem"), message: `container ${name} has a writable root filesystem`, fix: "set readOnlyRootFilesystem: true and mount an emptyDir where it must write" }));
      }
      if (app && t.longRunning) {
        const tmp = (c.volumeMounts ?? []).find((v) => v.mountPath === "/tmp");
        const vol = tmp && (t.spec.volumes ?? []).find((v) => v.name === tmp.name);
        if (!tmp || !vol || !("emptyDir" in vol) || tmp.readOnly === true) {
          out.push(finding(m, { rule: "security/writable-tmp", path: at(`${path}.volumeMounts`), message: `container ${name} (${app}) needs a writable /tmp but has no emptyDir mounted there`, fix: "mount an emptyDir volume at /tmp" }));
        }
      }
    }
  }
  return out;
};
