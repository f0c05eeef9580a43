// House policy: the restricted Pod Security Standard and more (non-root with the
// project's uid/gid, RuntimeDefault seccomp, no privilege escalation, all
// capabilities dropped, a read-only root filesystem with a writable /tmp for our
// apps, no host namespaces, no service account token). Runs on our chart only.
import { allContainers, asArr, asObj, getIn, podOwners, type ContainerRef, type PodOwner } from "../k8s.js";
import { knownAppOf } from "../links.js";
import type { DoctorInputs, Finding, Path, Rule } from "../types.js";
import { finding } from "./finding.js";

type Head = Omit<Rule, "check" | "severity" | "policy">;
type Hit = [Path, string] | undefined | false;

const where = (c: ContainerRef) => `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name}`;

/** A policy rule over every pod. */
function podRule(head: Head, hits: (o: PodOwner, inputs: DoctorInputs) => Hit[]): Rule {
  return {
    ...head, severity: "error", policy: true,
    check(inputs) {
      return podOwners(inputs.manifests).flatMap((o) => hits(o, inputs).filter((h): h is [Path, string] => !!h).map(([p, msg]) => finding(this, o.manifest.locate(p), `${o.manifest.kind}/${o.manifest.name}: ${msg}`)));
    },
  };
}

/**
 * A policy rule over every container; `eff(k)` is the container's securityContext
 * field k, else the pod's, and `at(k)` the path of whichever is set.
 */
function containerRule(head: Head, hits: (c: ContainerRef, eff: (k: string) => unknown, at: (k: string) => Path, inputs: DoctorInputs) => Hit[]): Rule {
  return {
    ...head, severity: "error", policy: true,
    check(inputs) {
      const out: Finding[] = [];
      for (const c of allContainers(inputs.manifests)) {
        const cs = asObj(c.container.securityContext);
        const ps = asObj(c.owner.spec.securityContext);
        const eff = (k: string) => (cs[k] !== undefined ? cs[k] : ps[k]);
        const at = (k: string): Path => (cs[k] === undefined && ps[k] !== undefined ? [...c.owner.specPath, "securityContext", k] : [...c.path, "securityContext", k]);
        for (const h of hits(c, eff, at, inputs)) if (h) out.push(finding(this, c.owner.manifest.locate(h[0]), `${where(c)} ${h[1]}`));
      }
      return out;
    },
  };
}

const example = (bad: string, good: string) => ({ bad, good });

export const hostNamespaces = podRule(
  { id: "security/host-namespaces", title: "Pod shares the node's network, PID or IPC namespace", why: "hostNetwork, hostPID and hostIPC let the pod see and reach everything on the node; the restricted Pod Security Standard refuses them.", fix: "Remove hostNetwork/hostPID/hostIPC.", example: example("hostNetwork: true", "# (not set)") },
  (o) => (["hostNetwork", "hostPID", "hostIPC"] as const).map((h) => o.spec[h] === true && [[...o.specPath, h], `${h} is true`]),
);

const RESTRICTED_VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
export const volumeType = podRule(
  { id: "security/volume-type", title: "Volume type the restricted Pod Security Standard forbids", why: "hostPath and similar volumes reach into the node's filesystem; namespaces enforcing the restricted standard refuse the pod at admission.", fix: "Use emptyDir, a PVC, a ConfigMap, a Secret or a projected volume.", example: example("volumes: [{ name: run, hostPath: { path: /var/run } }]", "volumes: [{ name: run, emptyDir: {} }]") },
  (o) => asArr(o.spec.volumes).map((v, i) => {
    const type = Object.keys(asObj(v)).find((k) => k !== "name");
    return type !== undefined && !RESTRICTED_VOLUME_TYPES.has(type) && [[...o.specPath, "volumes", i], `volume ${String(asObj(v).name)} is a ${type}`];
  }),
);

export const serviceAccountToken = podRule(
  { id: "security/service-account-token", title: "Pod mounts a service account token it does not need", why: "A mounted token lets anyone who gets code execution in the pod talk to the Kubernetes API as its service account.", fix: "Set automountServiceAccountToken: false on the pod.", example: example("spec:\n  containers: …", "spec:\n  automountServiceAccountToken: false") },
  (o) => [o.spec.automountServiceAccountToken !== false && [[...o.specPath, "automountServiceAccountToken"], "mounts a service account token (automountServiceAccountToken is not false)"]],
);

export const fsGroup = podRule(
  { id: "security/fs-group", title: "Pod without fsGroup", why: "Without fsGroup, mounted volumes keep their owner and a non-root user may be unable to write to them.", fix: "Set securityContext.fsGroup (runtimeUser.gid for our apps).", example: example("securityContext: { runAsUser: 10001 }", "securityContext: { runAsUser: 10001, fsGroup: 10001 }") },
  (o) => [typeof asObj(o.spec.securityContext).fsGroup !== "number" && [[...o.specPath, "securityContext"], "has no fsGroup, so mounted volumes may not be writable by the non-root user"]],
);

export const runtimeUser = containerRule(
  { id: "security/runtime-user", title: "Our app runs with another uid/gid than its image was built for", why: "Our images own their files as runtimeUser (todo.config.yaml); another uid or gid cannot write where the app writes, and fsGroup must match for volumes.", fix: "Take runAsUser, runAsGroup and fsGroup from runtimeUser in todo.config.yaml.", example: example("runAsUser: 1000", "runAsUser: 10001   # runtimeUser.uid") },
  (c, eff, at, inputs) => {
    const ru = inputs.project?.runtimeUser;
    const app = knownAppOf(inputs, c);
    if (!ru || !app) return [];
    const uid = eff("runAsUser");
    const fs = asObj(c.owner.spec.securityContext).fsGroup;
    return [
      typeof uid === "number" && uid !== ru.uid && [at("runAsUser"), `runs as uid ${uid}, the ${app.name} image as runtimeUser.uid ${ru.uid}`],
      eff("runAsGroup") !== ru.gid && [at("runAsGroup"), `has runAsGroup ${String(eff("runAsGroup"))}, expected runtimeUser.gid ${ru.gid}`],
      typeof fs === "number" && fs !== ru.gid && [[...c.owner.specPath, "securityContext", "fsGroup"], `has fsGroup ${fs}, expected runtimeUser.gid ${ru.gid}`],
    ];
  },
);

export const runAsNonRoot = containerRule(
  { id: "security/run-as-non-root", title: "runAsNonRoot is not true", why: "Only runAsNonRoot: true makes the kubelet refuse to start the container as root, whatever the image says; the restricted standard requires it.", fix: "Set runAsNonRoot: true on the pod or the container.", example: example("securityContext: { runAsUser: 10001 }", "securityContext: { runAsNonRoot: true, runAsUser: 10001 }") },
  (_c, eff, at) => [eff("runAsNonRoot") !== true && [at("runAsNonRoot"), "may run as root (runAsNonRoot is not true)"]],
);

export const seccomp = containerRule(
  { id: "security/seccomp", title: "No RuntimeDefault seccomp profile", why: "Without a seccomp profile every syscall is open to the container; the restricted standard requires RuntimeDefault or Localhost.", fix: "Set securityContext.seccompProfile.type: RuntimeDefault.", example: example("securityContext: {}", "securityContext:\n  seccompProfile: { type: RuntimeDefault }") },
  (_c, eff, at) => {
    const type = getIn(eff("seccompProfile"), ["type"]);
    return [type !== "RuntimeDefault" && type !== "Localhost" && [at("seccompProfile"), `has seccomp profile ${String(type ?? "unset")}`]];
  },
);

export const privilegeEscalation = containerRule(
  { id: "security/privilege-escalation", title: "Privilege escalation allowed", why: "allowPrivilegeEscalation lets a setuid binary in the image gain root; the restricted standard requires false.", fix: "Set allowPrivilegeEscalation: false on every container.", example: example("securityContext: {}", "securityContext: { allowPrivilegeEscalation: false }") },
  (c) => [asObj(c.container.securityContext).allowPrivilegeEscalation !== false && [[...c.path, "securityContext", "allowPrivilegeEscalation"], "allows privilege escalation"]],
);

export const privileged = containerRule(
  { id: "security/privileged", title: "Privileged container", why: "A privileged container is root on the node in all but name.", fix: "Remove privileged: true.", example: example("securityContext: { privileged: true }", "securityContext: { privileged: false }") },
  (c) => [asObj(c.container.securityContext).privileged === true && [[...c.path, "securityContext", "privileged"], "is privileged"]],
);

export const capabilities = containerRule(
  { id: "security/capabilities", title: "Capabilities not all dropped, or some added", why: "The default capability set (NET_RAW and more) is more than an app needs; the restricted standard requires dropping ALL.", fix: "Set capabilities.drop: [ALL] and add none.", example: example("capabilities: { add: [NET_ADMIN] }", "capabilities: { drop: [ALL] }") },
  (c) => {
    const caps = asObj(getIn(c.container.securityContext, ["capabilities"]));
    const add = asArr(caps.add);
    return [
      !asArr(caps.drop).includes("ALL") && [[...c.path, "securityContext", "capabilities", "drop"], "does not drop ALL capabilities"],
      add.length > 0 && [[...c.path, "securityContext", "capabilities", "add"], `adds capabilities ${add.join(", ")}`],
    ];
  },
);

export const readOnlyRoot = containerRule(
  { id: "security/read-only-root", title: "Writable root filesystem", why: "A writable root filesystem lets an intruder change the app's own files; the images are built to run read-only.", fix: "Set readOnlyRootFilesystem: true and mount an emptyDir where the app must write.", example: example("securityContext: {}", "securityContext: { readOnlyRootFilesystem: true }") },
  (c) => [asObj(c.container.securityContext).readOnlyRootFilesystem !== true && [[...c.path, "securityContext", "readOnlyRootFilesystem"], "has a writable root filesystem"]],
);

export const writableTmp = containerRule(
  { id: "security/writable-tmp", title: "Our app has no writable /tmp", why: "Our apps write to /tmp (Node's temp files, Next.js cache); with a read-only root filesystem they fail at run time without an emptyDir there.", fix: "Mount an emptyDir volume at /tmp.", example: example("volumeMounts: []", "volumeMounts: [{ name: tmp, mountPath: /tmp }]\n…\nvolumes: [{ name: tmp, emptyDir: {} }]") },
  (c, _eff, _at, inputs) => {
    const app = knownAppOf(inputs, c);
    if (!app || !c.owner.longRunning || c.init) return [];
    const tmp = asArr(c.container.volumeMounts).map(asObj).find((v) => v.mountPath === "/tmp");
    const vol = tmp && asArr(c.owner.spec.volumes).map(asObj).find((v) => v.name === tmp.name);
    return [(!vol || !("emptyDir" in vol) || tmp!.readOnly === true) && [[...c.path, "volumeMounts"], `(${app.name}) needs a writable /tmp but has no emptyDir mounted there`]];
  },
);

export const SECURITY_RULES: Rule[] = [hostNamespaces, volumeType, serviceAccountToken, fsGroup, runtimeUser, runAsNonRoot, seccomp, privilegeEscalation, privileged, capabilities, readOnlyRoot, writableTmp];
