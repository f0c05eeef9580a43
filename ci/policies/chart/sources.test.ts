// The source scan (values files, templates, NOTES: the doctor's source rules) both ways.
import { describe, expect, it } from "vitest";
import { scanChartSources } from "./index.js";

const scan = (path: string, text: string) => scanChartSources([{ path, text }]);

describe("scanChartSources catches", () => {
  it.each([
    ["a password in a values file", "values-prod.yaml", "postgresql:\n  password: hunter2\n", "values-prod.yaml:2"],
    ["an API key in a values file", "values.yaml", "llm:\n  apiKey: \"sk-live-123\"\n", "values.yaml:2"],
    ["a DATABASE_URL with credentials in a values file", "values.yaml", "env:\n  - value: postgresql://neon:pa55@ep-1.neon.tech/db\n", "values.yaml:2"],
    ["a hard-coded secret in a template", "templates/secret.yaml", "stringData:\n  BETTER_AUTH_SECRET: abcdefgh\n", "templates/secret.yaml:2"],
    ["a private key in a template", "templates/tls.yaml", "data: |\n  -----BEGIN RSA PRIVATE KEY-----\n", "templates/tls.yaml:2"],
  ])("%s", (_n, path, text, where) => {
    const f = scan(path, text);
    expect(f.map((x) => x.rule)).toEqual(["secret/plaintext"]);
    expect(f[0]!.source).toBe(where);
  });

  it("a duplicate key in a values file, with its line", () => {
    const f = scan("values-minikube.yaml", "backend:\n  replicaCount: 1\nfrontend:\n  replicaCount: 1\nbackend:\n  logLevel: debug\n");
    expect(f.map((x) => x.rule)).toEqual(["values/duplicate-key"]);
    expect(f[0]!.source).toBe("values-minikube.yaml:5");
    expect(f[0]!.message).toMatch(/"backend" is set again here \(first at line 1\)/);
  });

  it("NOTES.txt that decodes a Secret", () => {
    const f = scan("templates/NOTES.txt", 'Password: {{ (lookup "v1" "Secret" .Release.Namespace "x").data.PASSWORD | b64dec }}\n');
    expect(f.map((x) => x.rule)).toContain("secret/notes-prints");
  });
});

describe("scanChartSources lets through", () => {
  it.each([
    ["names of existing Secrets and their keys", "values.yaml", "database:\n  existingSecret: todo-database\n  existingSecretKey: DATABASE_URL\n"],
    ["empty placeholders", "values.yaml", "llm:\n  apiKey: \"\"\n  token: null\n"],
    ["booleans such as automountServiceAccountToken", "templates/sa.yaml", "automountServiceAccountToken: false\n"],
    ["templated values", "templates/secret.yaml", "  BETTER_AUTH_SECRET: {{ randAlphaNum 48 | b64enc }}\n  DATABASE_URL: {{ printf \"postgresql://%s:%s@%s\" $u $p $h | b64enc }}\n"],
    ["comments", "values.yaml", "# password: example only\n"],
    ["a URL without credentials", "values.yaml", "baseUrl: https://llm.example.com/v1\n"],
  ])("%s", (_n, path, text) => {
    expect(scan(path, text)).toEqual([]);
  });
});
