// Manifest rules on small inline manifests: variants each rule must catch, and look-alikes it must not.
import { describe, expect, it } from "vitest";
import { manifestsFromPlainYaml } from "../manifests.js";
import type { DoctorInputs } from "../types.js";
import { RULES } from "./index.js";

const deploy = (container: string, podExtra = "", labels = "app: web", kind = "Deployment") =>
  [
    `apiVersion: apps/v1`,
    `kind: ${kind}`,
    `metadata: { name: web }`,
    `spec:`,
    `  selector: { matchLabels: { ${labels} } }`,
    `  template:`,
    `    metadata: { labels: { ${labels} } }`,
    `    spec:`,
    `      securityContext: { runAsNonRoot: true, runAsUser: 10001 }`,
    ...(podExtra ? [`      ${podExtra}`] : []),
    `      containers:`,
    `        - name: web`,
    `          image: acme/web:1.0`,
    `          resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 32Mi } }`,
    ...container.split("\n").filter(Boolean).map((l) => `          ${l}`),
  ].join("\n");
const PORTS = "ports: [{ name: http, containerPort: 8080 }]";
const svc = (ports = "[{ name: http, port: 80, targetPort: http }]", selector = "{ app: web }") => `---\napiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { selector: ${selector}, ports: ${ports} }`;

function run(yaml: string, externalNames: string[] = []): string[] {
  const inputs: DoctorInputs = { chartDir: "c", valuesFiles: [], templates: [], manifests: manifestsFromPlainYaml("m.yaml", yaml), complete: true, dockerfiles: [], externalNames };
  // probe/no-readiness (these containers have no probes) has its own fixture (classes/no-readiness).
  return RULES.filter((r) => !r.policy && r.id !== "probe/no-readiness").flatMap((r) => r.check(inputs)).map((f) => `${f.rule}:${f.severity}:${f.line}`);
}

describe("manifest rules", () => {
  it("the base is clean", () => {
    expect(run(deploy(PORTS) + "\n" + svc())).toEqual([]);
  });

  it.each([
    ["numeric targetPort that no container declares", deploy(PORTS) + "\n" + svc("[{ port: 80, targetPort: 8000 }]"), ["port/drift:error:19"]],
    ["Ingress defaultBackend to a port the Service lacks", deploy(PORTS) + "\n" + svc() + "\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: i }\nspec:\n  defaultBackend: { service: { name: web, port: { number: 8080 } } }", ["port/drift:error:25"]],
    // A number need not be declared to be probed (a separate health port): a warning; an undeclared name is an error.
    ["tcpSocket probe on an undeclared port", deploy(`${PORTS}\nlivenessProbe: { tcpSocket: { port: 9000 } }`), ["port/drift:warning:15"]],
    ["selector matching no StatefulSet pods", deploy(PORTS, "", "app: db", "StatefulSet") + "\n" + svc(), ["service/selector-mismatch:error:19"]],
    ["HPA aimed at a ConfigMap", deploy(PORTS) + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: h }\nspec: { scaleTargetRef: { apiVersion: v1, kind: ConfigMap, name: web }, minReplicas: 1, maxReplicas: 2 }", ["hpa/missing-target:error:23"]],
    // A pull secret is made outside the chart (per namespace, by whoever runs the registry): not followed.
    ["a secret volume and a projected ConfigMap that do not exist (not the pull secret)", deploy(PORTS, "imagePullSecrets: [{ name: regcred }]\n      volumes:\n        - { name: a, secret: { secretName: s } }\n        - { name: b, projected: { sources: [{ configMap: { name: c } }] } }"), ["reference/not-created:error:12", "reference/not-created:error:13"]],
    ["NEXT_PUBLIC_ in a ConfigMap loaded with envFrom", deploy(`${PORTS}\nenvFrom: [{ configMapRef: { name: cfg } }]`) + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata:\n  NEXT_PUBLIC_X: y", ["env/next-public-runtime:error:21"]],
    ["tcpSocket probe on an undeclared port name", deploy(`${PORTS}\nlivenessProbe: { tcpSocket: { port: health } }`), ["port/drift:error:15"]],
    ["an untagged image from a registry with a port", deploy(PORTS).replace("acme/web:1.0", "registry:5000/web"), ["image/mutable-tag:error:12"]],
    ["a container-level runAsUser 0 under a non-root pod", deploy(`${PORTS}\nsecurityContext: { runAsUser: 0 }`), ["container/runs-as-root:error:15"]],
    ["no user anywhere (warning: the image may set one)", deploy(PORTS).replace("      securityContext: { runAsNonRoot: true, runAsUser: 10001 }\n", ""), ["container/runs-as-root:warning:10"]],
  ])("catches %s", (_name, yaml, expected) => {
    expect(run(yaml)).toEqual(expected);
  });

  it.each([
    ["numeric targetPort a container declares", deploy(PORTS) + "\n" + svc("[{ port: 80, targetPort: 8080 }]")],
    ["a Service without selector (endpoints managed elsewhere)", deploy(PORTS) + "\n" + svc("[{ port: 80 }]", "{}")],
    ["HPA on a StatefulSet", deploy(PORTS, "", "app: web", "StatefulSet") + "\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: h }\nspec: { scaleTargetRef: { apiVersion: apps/v1, kind: StatefulSet, name: web }, minReplicas: 1, maxReplicas: 2 }"],
    ["optional and external references, a cert-manager TLS secret", deploy(`${PORTS}\nenv: [{ name: A, valueFrom: { secretKeyRef: { name: opt, key: a, optional: true } } }, { name: B, valueFrom: { secretKeyRef: { name: ext, key: b } } }]`) + "\n" + svc() + "\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: i, annotations: { cert-manager.io/cluster-issuer: le } }\nspec:\n  tls: [{ hosts: [a.example], secretName: a-tls }]\n  defaultBackend: { service: { name: web, port: { name: http } } }"],
    ["a rewrite that keeps the prefix", deploy(PORTS) + "\n" + svc() + "\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: i, annotations: { nginx.ingress.kubernetes.io/rewrite-target: /api/$2 } }\nspec:\n  rules: [{ http: { paths: [{ path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: { service: { name: web, port: { name: http } } } }] } }]"],
    ["a Secret a Job of the chart makes (named in its args, as ingress-nginx's admission Job does)", deploy(`${PORTS}\nenv: [{ name: A, valueFrom: { secretKeyRef: { name: web-admission, key: cert } } }]`) + "\n---\napiVersion: batch/v1\nkind: Job\nmetadata: { name: certgen }\nspec:\n  template:\n    spec:\n      securityContext: { runAsNonRoot: true, runAsUser: 10001 }\n      restartPolicy: OnFailure\n      containers:\n        - name: create\n          image: acme/certgen:1.0\n          resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 32Mi } }\n          args: [create, --namespace=default, --secret-name=web-admission]"],
    ["a digest-only image", deploy(PORTS).replace("acme/web:1.0", `acme/web@sha256:${"1".repeat(64)}`)],
  ])("leaves alone %s", (_name, yaml) => {
    expect(run(yaml, ["ext"])).toEqual([]);
  });
});
