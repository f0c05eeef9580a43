import { describe, expect, it } from "vitest";
import { parseImageRef } from "../k8s.js";
import { dockerfileAppName } from "../links.js";
import { literalPrefix } from "./ingress.js";
import { execProbePath, servedBy } from "./probes.js";
import { isSecretKey, looksRandom, shannonEntropy } from "./secrets.js";

describe("secret heuristics", () => {
  it.each(["password", "dbPassword", "DB_PASSWORD", "apiKey", "API_KEY", "clientSecret", "token", "GITHUB_TOKEN", "privateKey", "credentials", "passphrase"])("%s names a secret", (k) => {
    expect(isSecretKey(k)).toBe(true);
  });
  it.each(["existingSecret", "existingSecretKey", "secretName", "tokenTtl", "passwordLength", "secretKeyRef", "key", "secretRef", "generateSecret", "tokenUrl"])("%s does not", (k) => {
    expect(isSecretKey(k)).toBe(false);
  });
  it("entropy separates random keys from words, digests and UUIDs", () => {
    expect(looksRandom("9fQm2ZtR8xLq4VbN7cKp1sHd3JwY6eUa")).toBe(true);
    expect(looksRandom("sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c")).toBe(false);
    expect(looksRandom("123e4567-e89b-12d3-a456-426614174000")).toBe(false);
    expect(looksRandom("kubernetes.io/metadata.name")).toBe(false);
    // Settings written as key=value, and $(VAR) references (seen on a well-known public chart).
    expect(looksRandom("k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(NAMESPACE),k8s.container.name=$(CONTAINER_NAME)")).toBe(false);
    expect(looksRandom("pod-security.kubernetes.io/enforce-version=v1.24")).toBe(false);
    expect(looksRandom("token=9fQm2ZtR8xLq4VbN7cKp1sHd3JwY6eUa")).toBe(false);
    expect(looksRandom("https://example.com/a9Zk3Lm8Qp2Rt7Vx")).toBe(false);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });
});

describe("routes, prefixes, images, Dockerfile names", () => {
  it("servedBy: a route covers its subpaths; / is the root page only", () => {
    expect(servedBy(["/api", "/health"], "/api/tasks")).toBe(true);
    expect(servedBy(["/api"], "/apix")).toBe(false);
    expect(servedBy(["/"], "/healthz")).toBe(false);
    expect(servedBy(["/health"], "/health?full=1")).toBe(true);
  });
  it("literalPrefix cuts ingress-nginx regex paths", () => {
    expect(literalPrefix("/api(/|$)(.*)")).toBe("/api");
    expect(literalPrefix("/api/")).toBe("/api");
    expect(literalPrefix("/")).toBe("");
  });
  it("parseImageRef handles registry ports, tags and digests", () => {
    expect(parseImageRef("localhost:5000/team/web:1.2@sha256:ab")).toEqual({ repository: "localhost:5000/team/web", tag: "1.2", digest: "sha256:ab" });
    expect(parseImageRef("localhost:5000/web")).toEqual({ repository: "localhost:5000/web" });
    expect(parseImageRef("busybox")).toEqual({ repository: "busybox" });
  });
  it("dockerfileAppName: docker/web/Dockerfile, web.Dockerfile, Dockerfile.web", () => {
    expect(["docker/web/Dockerfile", "web.Dockerfile", "x/Dockerfile.web"].map(dockerfileAppName)).toEqual(["web", "web", "web"]);
  });
});

describe("plaintext secrets in template text", async () => {
  const { plaintextSecret } = await import("./secrets.js");
  const inputsWith = (text: string) => ({ chartDir: "c", valuesFiles: [], templates: [{ file: "t.yaml", rel: "templates/t.yaml", text }], manifests: [], complete: false, dockerfiles: [], externalNames: [] });
  it("pairs an env var's name with the value right below it", () => {
    const text = ["env:", "  - name: API_TOKEN", "    value: tok-7f3a", "  - name: LOG_LEVEL", "    value: debug"].join("\n");
    expect(plaintextSecret.check(inputsWith(text)).map((f) => f.line)).toEqual([3]);
  });
  it("does not pair a later, unrelated value with an earlier env name", () => {
    const text = ["env:", "  - name: API_TOKEN", "    valueFrom:", "      secretKeyRef: { name: s, key: API_TOKEN }", "tolerations:", "  - key: dedicated", "    value: gpu"].join("\n");
    expect(plaintextSecret.check(inputsWith(text))).toEqual([]);
  });
  it("finds a URL with an embedded password under any key, and skips templated values", () => {
    const text = ["data:", "  DATABASE_URL: postgres://app:s3cr3t@db:5432/app", "  OTHER_URL: postgres://app:{{ .Values.pw }}@db/app", "  password: {{ .Values.password | quote }}"].join("\n");
    expect(plaintextSecret.check(inputsWith(text)).map((f) => `${f.line} ${f.message}`)).toEqual(['2 "DATABASE_URL" holds a URL with an embedded password']);
  });
});

describe("printf %d", async () => {
  const { printfInt } = await import("./templates.js");
  const lines = (text: string) => printfInt.check({ chartDir: "c", valuesFiles: [], templates: [{ file: "t.yaml", rel: "templates/t.yaml", text }], manifests: [], complete: false, dockerfiles: [], externalNames: [] }).map((f) => f.line);
  it("flags values and variables taken from values, not range indexes or converted numbers", () => {
    const text = [
      '{{- $c := .Values.backend }}', // 1
      'a: {{ printf "%d" $c.port }}', // 2
      '{{- range $i, $e := .Values.list }}', // 3
      'b{{ $i }}: {{ printf "item-%d" $i }}', // 4
      '{{- end }}', // 5
      'c: {{ printf "%d" (int .Values.port) }}', // 6
      'd: {{ printf "%d" .Values.port }}', // 7
      'e: {{ printf "%d" (len .Values.list) }}', // 8
    ].join("\n");
    expect(lines(text)).toEqual([2, 7]);
  });
});

describe("the path an exec probe requests", () => {
  it.each([
    [["podcli", "check", "http", "localhost:9898/healthz"], { path: "/healthz", arg: 3 }],
    [["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/ready?full=1"], { path: "/ready", arg: 4 }],
    [["sh", "-c", "curl -fsS http://localhost/livez || exit 1"], { path: "/livez", arg: 2 }],
    [["redis-cli", "ping"], undefined],
    [["pg_isready", "-h", "localhost"], undefined],
    [["curl", "-f", "http://localhost.example.com/healthz"], undefined],
    [["curl", "-f", "http://backend:8080/healthz"], undefined],
  ])("%j", (command, want) => {
    expect(execProbePath({ exec: { command } })).toEqual(want);
  });
});
