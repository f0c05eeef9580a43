// Why a pod is not ready, in one sentence per pod with the fix, from the
// objects the Kubernetes API returns (pods, events, container logs). Pure:
// the deploy step fetches the objects, this decides what they mean.
import type { CoreV1Event, V1Container, V1Pod, V1Probe } from "@kubernetes/client-node";

export interface PodDiagnosis {
  pod: string;
  container?: string;
  reason: string;
  message: string;
  fix: string;
}

export interface DiagnosisContext {
  /** The command that puts an image into the target cluster (e.g. `minikube image load todo-backend:sha-…`). */
  loadCommand(image: string): string;
  /** Last log lines of a container's previous run, when fetched. */
  logs?: ReadonlyMap<string, string>;
  lastLogLines?: number;
}

const probeTarget = (p: V1Probe | undefined, c: V1Container) => {
  if (!p) return undefined;
  if (p.httpGet) {
    const port = typeof p.httpGet.port === "string" ? `${p.httpGet.port} (${c.ports?.find((x) => x.name === p.httpGet!.port)?.containerPort ?? "unknown number"})` : String(p.httpGet.port);
    return `HTTP GET ${p.httpGet.path ?? "/"} on port ${port}`;
  }
  if (p.tcpSocket) return `TCP port ${String(p.tcpSocket.port)}`;
  if (p.exec) return `command ${JSON.stringify(p.exec.command)}`;
  return "a probe";
};

export function diagnosePod(pod: V1Pod, events: readonly CoreV1Event[], ctx: DiagnosisContext): PodDiagnosis[] {
  const name = pod.metadata?.name ?? "unknown pod";
  const out: PodDiagnosis[] = [];
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const podEvents = events.filter((e) => e.involvedObject?.kind === "Pod" && e.involvedObject?.name === name);

  for (const st of statuses) {
    const c = spec.find((x) => x.name === st.name);
    const waiting = st.state?.waiting;
    const lastTerminated = st.lastState?.terminated ?? st.state?.terminated;
    if (waiting?.reason === "ImagePullBackOff" || waiting?.reason === "ErrImagePull" || waiting?.reason === "ErrImageNeverPull") {
      out.push({
        pod: name,
        container: st.name,
        reason: waiting.reason,
        message: `image ${st.image} is not in the cluster${waiting.reason === "ErrImageNeverPull" ? " and the pull policy forbids pulling it" : " and cannot be pulled"}`,
        fix: `load it into the cluster: ${ctx.loadCommand(st.image)}`,
      });
      continue;
    }
    if (lastTerminated?.reason === "OOMKilled") {
      const limit = c?.resources?.limits?.memory ?? "no limit";
      out.push({ pod: name, container: st.name, reason: "OOMKilled", message: `killed for using more memory than its limit (${limit})`, fix: `raise resources.limits.memory above ${limit} for ${st.name}, or find the leak` });
      continue;
    }
    if (waiting?.reason === "CrashLoopBackOff" || waiting?.reason === "CreateContainerConfigError" || (lastTerminated && lastTerminated.exitCode !== 0 && !st.ready)) {
      const logs = ctx.logs?.get(st.name)?.trimEnd().split("\n").slice(-(ctx.lastLogLines ?? 10)).join("\n");
      const exit = lastTerminated ? ` (exit code ${lastTerminated.exitCode}${lastTerminated.reason ? `, ${lastTerminated.reason}` : ""})` : "";
      out.push({
        pod: name,
        container: st.name,
        reason: waiting?.reason ?? "Error",
        message: waiting?.reason === "CreateContainerConfigError" ? (waiting.message ?? "its configuration refers to something missing") : `keeps crashing${exit}${logs ? `; last log lines:\n${logs}` : ""}`,
        fix: waiting?.reason === "CreateContainerConfigError" ? "create the Secret or ConfigMap it refers to, or fix the reference" : `read the logs: kubectl logs ${name} -c ${st.name} --previous`,
      });
      continue;
    }
    if (st.state?.running && !st.ready && c) {
      const unhealthy = podEvents.filter((e) => e.reason === "Unhealthy").at(-1);
      const probe = unhealthy?.message?.startsWith("Liveness") ? c.livenessProbe : unhealthy?.message?.startsWith("Startup") ? c.startupProbe : c.readinessProbe;
      const target = probeTarget(probe, c);
      if (target) {
        out.push({
          pod: name,
          container: st.name,
          reason: "ProbeFailing",
          message: `running but not ready: its probe (${target}) fails${unhealthy?.message ? `: ${unhealthy.message}` : ""}`,
          fix: "check the app serves that path on that port (todo.config.yaml apps.*.health) and that its dependencies (database) answer",
        });
      }
    }
  }

  if (pod.status?.phase === "Pending" && out.length === 0) {
    const scheduling = podEvents.filter((e) => e.reason === "FailedScheduling").at(-1);
    const msg = scheduling?.message ?? pod.status.conditions?.find((x) => x.type === "PodScheduled" && x.status === "False")?.message ?? "";
    if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim .* not found|pod has unbound/i.test(msg)) {
      out.push({ pod: name, reason: "Pending", message: `waiting for a volume: ${msg}`, fix: "give the PVC a StorageClass that can provision (Minikube: `minikube addons enable storage-provisioner default-storageclass`)" });
    } else if (/Insufficient (cpu|memory)/i.test(msg)) {
      const what = msg.match(/Insufficient (cpu|memory)/i)![1];
      out.push({ pod: name, reason: "Pending", message: `no node has enough ${what}: ${msg}`, fix: `lower resources.requests.${what} or give the cluster more (minikube start --${what === "cpu" ? "cpus" : "memory"} …)` });
    } else if (msg) {
      out.push({ pod: name, reason: "Pending", message: `not scheduled: ${msg}`, fix: "make a node match the pod's constraints (node selectors, taints, affinity)" });
    }
  }
  return out;
}

export function formatDiagnoses(ds: readonly PodDiagnosis[]): string {
  if (ds.length === 0) return "no failing pods found";
  return ds.map((d) => `✗ ${d.pod}${d.container ? `/${d.container}` : ""}: ${d.reason}: ${d.message}\n  fix: ${d.fix}`).join("\n");
}

/** The line a deploy's output carries for each diagnosis, so the step table can quote it. */
export const DIAGNOSIS_PREFIX = "diagnosis: ";

/** One diagnosis on one line (log lines joined with " | "), fix included. */
export function diagnosisLine(d: PodDiagnosis): string {
  const message = d.message.split("\n").map((l) => l.trim()).filter(Boolean).join(" | ");
  return `${DIAGNOSIS_PREFIX}${d.pod}${d.container ? `/${d.container}` : ""}: ${d.reason}: ${message} (fix: ${d.fix})`;
}

/** The diagnosis lines in a deploy's output, for the step table; `fallback` when there are none. */
export function deployFailureSummary(output: string, fallback: string): string {
  const lines = [...new Set(output.split("\n").filter((l) => l.startsWith(DIAGNOSIS_PREFIX)).map((l) => l.slice(DIAGNOSIS_PREFIX.length).trim()))];
  return lines.length ? lines.join("\n") : fallback;
}
