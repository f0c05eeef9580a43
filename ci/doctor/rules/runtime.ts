// What stops an app at run time that no install step notices: pods that get traffic before
// they are ready, build contexts copied whole, secrets regenerated on every upgrade, start
// commands that name a tool not on PATH, switches in values that nothing reads, environment
// variables set but never read or read but never set, and HEALTHCHECKs on paths nothing serves
// (the last three need the app's source).
import { finalStage, lineage, runCommand, type Dockerfile } from "../dockerfile.js";
import { allContainers, asArr, asObj, containersOf, getIn, isHook, podOwners, selectorMatches } from "../k8s.js";
import { dockerfileOf } from "../links.js";
import type { DoctorInputs, Finding, Rule } from "../types.js";
import { scalarEntries } from "../yaml-source.js";
import { routeServing } from "../routes.js";
import { finding } from "./finding.js";
import { startCommand } from "./ports.js";

export const noReadiness: Rule = {
  id: "probe/no-readiness",
  severity: "warning",
  title: "Workload behind a Service without a readinessProbe",
  why: "A Service sends traffic to a pod as soon as its containers start when none has a readinessProbe: during every rollout and restart, requests reach a process that is not listening yet and fail.",
  fix: "Add a readinessProbe to the container that serves the Service's port (an HTTP path the app answers when it can serve, or a tcpSocket on that port).",
  example: {
    bad: "kind: Service\nspec: { selector: { app: web } }\n---\nkind: Deployment\n...\n      containers:\n        - name: web\n          image: acme/web:1.4.2",
    good: "      containers:\n        - name: web\n          image: acme/web:1.4.2\n          readinessProbe: { httpGet: { path: /ready, port: http } }",
  },
  check(inputs) {
    // Our own chart: probe/missing (house policy) reports it, as an error.
    if (inputs.policy) return [];
    // A Service that only exposes metrics is scraped, not served from: a scrape before the pod is ready costs nothing.
    const metricsOnly = (svc: (typeof inputs.manifests)[number]) => {
      const ports = asArr(getIn(svc.obj, ["spec", "ports"])).map(asObj);
      return /metrics$/i.test(svc.name) || (ports.length > 0 && ports.every((p) => /metrics|prometheus/i.test(String(p.name ?? ""))));
    };
    const services = inputs.manifests.filter((m) => m.kind === "Service" && !m.partial && !metricsOnly(m));
    const out: Finding[] = [];
    for (const o of podOwners(inputs.manifests, { hooks: false })) {
      if (!o.longRunning || o.manifest.partial) continue;
      const svc = services.find((s) => {
        const sel = asObj(getIn(s.obj, ["spec", "selector"]));
        return Object.keys(sel).length > 0 && selectorMatches(sel, o.labels);
      });
      if (!svc) continue;
      const containers = containersOf(o).filter((c) => !c.init);
      if (containers.length === 0 || containers.some((c) => c.container.readinessProbe)) continue;
      const c = containers[0]!;
      out.push(finding(this, o.manifest.locate([...c.path, "name"]), `${o.manifest.kind}/${o.manifest.name} is selected by Service/${svc.name}, but none of its containers (${containers.map((x) => `"${x.name}"`).join(", ")}) has a readinessProbe, so traffic reaches pods before they can serve`));
    }
    return out;
  },
};

/** `COPY . .`, `COPY ./ /app`, `ADD . .`: the whole build context (not --from another stage). */
function copiesWholeContext(rest: string, flags: readonly string[]): boolean {
  if (flags.some((f) => f.startsWith("--from"))) return false;
  let parts = rest.trim().split(/\s+/);
  if (rest.trim().startsWith("[")) {
    try {
      parts = (JSON.parse(rest) as unknown[]).map(String);
    } catch {
      /* shell form */
    }
  }
  return parts.length >= 2 && parts.slice(0, -1).some((p) => p === "." || p === "./");
}

export const noDockerignore: Rule = {
  id: "dockerfile/no-dockerignore",
  severity: "error",
  title: "COPY of the whole build context with no .dockerignore",
  why: "`COPY . .` without a .dockerignore copies everything in the context: `.env` files (secrets in an image layer), `.git`, and the host's node_modules, whose native modules were built for another system and then shadow the ones the image installed.",
  fix: "Add a .dockerignore to the build context (beside the Dockerfile, `<Dockerfile>.dockerignore`, or at the repository root when that is the context) listing .env*, .git and node_modules, or copy only what the build needs.",
  example: { bad: "COPY . .   # no .dockerignore", good: "# .dockerignore\n.env*\n.git\nnode_modules" },
  check(inputs) {
    const out: Finding[] = [];
    for (const df of inputs.dockerfiles) {
      // Unknown (the caller did not say which files exist): say nothing.
      if (df.dockerignore !== null) continue;
      for (const s of df.stages) {
        for (const ins of s.instructions) {
          if ((ins.keyword === "COPY" || ins.keyword === "ADD") && copiesWholeContext(ins.rest, ins.flags)) {
            out.push(finding(this, { file: df.file, line: ins.line }, `${ins.keyword} ${ins.rest.trim()} copies the whole build context, and no .dockerignore applies to ${df.file}: .env files, .git and node_modules go into the image`));
          }
        }
      }
    }
    return out;
  },
};

const RAND = /\b(randAlphaNum|randAlpha|randAscii|randNumeric|randBytes)\b/;

export const randomSecret: Rule = {
  id: "secret/random-on-upgrade",
  severity: "error",
  title: "Secret value generated with randAlphaNum and no lookup",
  why: "helm renders the template again on every upgrade, so a password or session key from `randAlphaNum` changes each time: sessions are signed with a new key, and the app's database password no longer matches the one the database was created with.",
  fix: "Keep the value the Secret already has: `lookup` the existing Secret and reuse its data, generating only when it does not exist yet (or take the value from an existing Secret).",
  example: {
    bad: "stringData:\n  password: {{ randAlphaNum 32 }}",
    good: "{{- $old := lookup \"v1\" \"Secret\" .Release.Namespace \"web-db\" }}\ndata:\n  password: {{ if $old }}{{ index $old.data \"password\" }}{{ else }}{{ randAlphaNum 32 | b64enc }}{{ end }}",
  },
  check(inputs) {
    const out: Finding[] = [];
    for (const t of inputs.templates) {
      if (!/\.ya?ml$/.test(t.rel) || /\blookup\b/.test(t.text) || !/^kind:\s*["']?Secret["']?\s*$/m.test(t.text)) continue;
      t.text.split(/\r?\n/).forEach((l, i) => {
        const m = /\{\{[^}]*\}\}/g;
        for (const a of l.matchAll(m)) {
          const r = RAND.exec(a[0]);
          if (r) {
            out.push(finding(this, { file: t.file, line: i + 1 }, `a Secret value comes from ${r[1]}, and the template never looks up the existing Secret: it changes on every helm upgrade`));
            break;
          }
        }
      });
    }
    return out;
  },
};

/** CLIs that npm packages install into node_modules/.bin only (not onto PATH). */
const NPM_BIN_TOOLS = new Set(["next", "nest", "vite", "tsc", "tsx", "ts-node", "nodemon", "react-scripts", "prisma", "remix-serve", "nuxt", "nuxi", "astro", "serve", "pm2", "pm2-runtime", "knex", "sequelize", "typeorm", "drizzle-kit", "webpack", "esbuild", "turbo", "concurrently"]);

/** The commands a shell line runs: the first word of each `&&`, `||`, `;` or `|` part (after env assignments and exec). */
export function commandsOf(line: string): string[] {
  return line
    .split(/&&|\|\||;|\|/)
    .map((part) => part.trim().split(/\s+/).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && w !== "exec"))
    .map((words) => (words[0] ?? "").replace(/^["']|["']$/g, ""))
    .filter(Boolean);
}

/** The npm-installed tool a container command line calls by bare name, if any. */
export function bareNpmTool(argv: readonly string[]): string | undefined {
  if (argv.length === 0) return undefined;
  // sh -c "next start" / bash -lc '…': the script is the argument after -c.
  const shell = /^(\/bin\/|\/usr\/bin\/)?(sh|bash|ash|dash)$/.test(argv[0]!);
  const ci = argv.findIndex((a) => /^-\w*c$/.test(a));
  const lines = shell && ci > 0 && argv[ci + 1] !== undefined ? [argv[ci + 1]!] : [argv.join(" ")];
  for (const line of lines) {
    for (const cmd of shell ? commandsOf(line) : [argv[0]!]) {
      if (NPM_BIN_TOOLS.has(cmd)) return cmd;
    }
  }
  return undefined;
}

/** Whether the image puts npm tools on PATH: ENV PATH with node_modules/.bin, or a global install of that tool. */
function imageHasTool(df: Dockerfile, tool: string): boolean {
  const stage = finalStage(df);
  if (!stage) return true;
  for (const s of lineage(stage)) {
    if (/node_modules\/\.bin/.test(s.env.get("PATH") ?? "")) return true;
    for (const ins of s.instructions) {
      if (ins.keyword !== "RUN") continue;
      const cmd = runCommand(ins);
      if (new RegExp(`\\b(npm\\s+(i|install|add)\\s+(-g|--global)\\b|yarn\\s+global\\s+add|pnpm\\s+(add|i|install)\\s+(-g|--global)\\b)[^\\n;&|]*\\b${tool}\\b`).test(cmd)) return true;
      if (new RegExp(`\\bln\\s+-s\\S*\\s+\\S*node_modules/\\.bin/${tool}\\b`).test(cmd)) return true;
    }
  }
  // Not a Node.js image at all (nothing installs from npm here): the tool may be a native binary of that name.
  return !/\b(npm|yarn|pnpm)\b/.test(lineage(stage).flatMap((s) => s.instructions).map((i) => i.raw).join("\n")) && !/(^|\/)node[:@]/.test(stage.base) && !/node_modules/.test(df.text);
}

function execArgv(rest: string): string[] | undefined {
  if (!rest.trim().startsWith("[")) return undefined;
  try {
    const arr = JSON.parse(rest) as unknown;
    return Array.isArray(arr) ? arr.map(String) : undefined;
  } catch {
    return undefined;
  }
}

export const commandNotOnPath: Rule = {
  id: "container/command-not-on-path",
  severity: "error",
  title: "Start command calls a tool that is not on the image's PATH",
  why: "npm installs package CLIs (next, nest, prisma, tsx…) into node_modules/.bin, which is on PATH only inside `npm run`; a container command calling `next start` directly exits with `next: not found` and restarts forever, though the image built fine.",
  fix: "Call it through the package manager (`npm run start`, `npx next start`) or by its path (`node_modules/.bin/next start`), or add `ENV PATH=/app/node_modules/.bin:$PATH` to the image.",
  example: { bad: "command: [\"sh\", \"-c\", \"next start\"]", good: "command: [\"npm\", \"run\", \"start\"]   # or node_modules/.bin/next start" },
  check(inputs) {
    const out: Finding[] = [];
    for (const c of allContainers(inputs.manifests)) {
      if (c.owner.manifest.partial || isHook(c.owner.manifest)) continue;
      const command = asArr(c.container.command).map(String);
      const args = asArr(c.container.args).map(String);
      // A command given in the chart (with its args), or args alone appended to the image's ENTRYPOINT (unknown here).
      if (command.length === 0) continue;
      const tool = bareNpmTool([...command, ...args]);
      if (!tool) continue;
      const df = dockerfileOf(inputs, c);
      if (!df || imageHasTool(df, tool)) continue;
      out.push(finding(this, c.owner.manifest.locate([...c.path, "command"]), `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} runs \`${tool}\` by its bare name, but npm installs it into node_modules/.bin and its image (${df.file}) does not put that on PATH: the container exits with "${tool}: not found"`));
    }
    for (const df of inputs.dockerfiles) {
      const stage = finalStage(df);
      const cmd = stage ? startCommand(stage) : undefined;
      if (!cmd) continue;
      const argv = execArgv(cmd.rest) ?? ["sh", "-c", cmd.rest];
      const tool = bareNpmTool(argv);
      if (!tool || imageHasTool(df, tool)) continue;
      out.push(finding(this, { file: df.file, line: cmd.line }, `${cmd.keyword} runs \`${tool}\` by its bare name, but npm installs it into node_modules/.bin and the image does not put that on PATH: the container exits with "${tool}: not found"`));
    }
    return out;
  },
};

/** Keys whose `enabled` a subchart reads (dependency names, aliases, conditions) or that every chart shares. */
function dependencyKeys(inputs: DoctorInputs): Set<string> {
  const keys = new Set(["global"]);
  const chart = (inputs.chartYaml?.docs[0]?.toJS() ?? {}) as Record<string, unknown>;
  for (const d of asArr(chart.dependencies)) {
    const dep = asObj(d);
    for (const k of [dep.name, dep.alias]) if (typeof k === "string") keys.add(k);
    if (typeof dep.condition === "string") for (const c of dep.condition.split(",")) keys.add(c.trim().split(".")[0]!);
  }
  return keys;
}

export const unusedSwitch: Rule = {
  id: "values/unused-switch",
  severity: "warning",
  title: "A feature switched on in values that no template reads",
  why: "`ingress.enabled: true` does nothing when no template reads `ingress`: the feature the values promise (an Ingress, a ServiceMonitor, persistence) is silently not deployed, usually after a key was renamed.",
  fix: "Read the switch in the template that makes the feature (`{{- if .Values.ingress.enabled }}`), or fix the key's name to the one the templates read, or remove it.",
  example: { bad: "ingress:\n  enabled: true   # no template mentions ingress", good: "# templates/ingress.yaml\n{{- if .Values.ingress.enabled }}\nkind: Ingress\n…" },
  check(inputs) {
    if (inputs.templates.length === 0) return [];
    const text = inputs.templates.map((t) => t.text).join("\n");
    const deps = dependencyKeys(inputs);
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const f of inputs.valuesFiles) {
      for (const d of f.docs) {
        if (d.errors.length > 0) continue;
        for (const e of scalarEntries(d, f.lineCounter)) {
          if (e.key !== "enabled" || e.value !== true || e.path.length < 2 || typeof e.path[e.path.length - 2] !== "string") continue;
          const feature = e.path[e.path.length - 2] as string;
          const dotted = e.path.slice(0, -1).join(".");
          if (deps.has(String(e.path[0])) || seen.has(dotted)) continue;
          // Read anywhere under any spelling: .Values.x.enabled, (.Values.x).enabled, index .Values "x", with .x, a helper.
          if (new RegExp(`(^|[^A-Za-z0-9_])${feature.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")}([^A-Za-z0-9_]|$)`).test(text)) continue;
          seen.add(dotted);
          out.push(finding(this, { file: f.file, line: e.line }, `${dotted}.enabled is true, but no template reads "${feature}": the feature is not deployed`));
        }
      }
    }
    return out;
  },
};

/** Variables read by runtimes, platforms and libraries rather than by the app's own code. */
const RUNTIME_VARS = /^(PORT|HOST|HOSTNAME|TZ|LANG|LC_\w+|HOME|PATH|USER|NODE_ENV|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|NODE_TLS_\w+|NPM_CONFIG_\w+|NEXT_\w+|PYTHON\w*|PIP_\w+|UV_\w+|GO\w+|JAVA_\w+|JDK_\w+|SPRING_\w+|SERVER_PORT|DJANGO_SETTINGS_MODULE|GUNICORN_CMD_ARGS|WEB_CONCURRENCY|UVICORN_\w+|SSL_CERT_\w+|REQUESTS_CA_BUNDLE|HTTPS?_PROXY|NO_PROXY|OTEL_\w+|AWS_\w+|GOOGLE_\w+|AZURE_\w+|KUBERNETES_\w+|RUST_\w+|MALLOC_\w+)$/i;

export const unreadEnv: Rule = {
  id: "env/unread",
  severity: "warning",
  title: "Environment variable the chart sets and the app's source never mentions",
  why: "A variable the app never reads is usually a misspelled or renamed one (DATABSE_URL, an old API_HOST): the chart looks configured, and the app runs on its default or fails on the missing value.",
  fix: "Spell the variable as the app reads it (search the source for process.env / os.environ / os.Getenv / viper's SetEnvPrefix), or remove it from the chart.",
  example: { bad: "env:\n  - name: SESION_SECRET   # the app reads SESSION_SECRET", good: "env:\n  - name: SESSION_SECRET" },
  check(inputs) {
    const words = inputs.source?.words;
    // Only when the app's code is in the source: some file of it reads the environment.
    if (!words || words.size === 0 || inputs.source?.readsEnv === false) return [];
    const dockerWords = new Set(inputs.dockerfiles.flatMap((d) => d.text.toLowerCase().split(/[^a-z0-9_]+/)));
    // A variable under a prefix the app reads by rule (viper: PODINFO_<any key>) may be read: no verdict.
    const prefixes = inputs.source?.envPrefixes ?? [];
    if (prefixes.includes("")) return [];
    const unread = (name: string) => !RUNTIME_VARS.test(name) && !words.has(name.toLowerCase()) && !dockerWords.has(name.toLowerCase()) && !prefixes.some((p) => name.toUpperCase().startsWith(p));
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const c of allContainers(inputs.manifests)) {
      if (c.owner.manifest.partial || isHook(c.owner.manifest)) continue;
      // Only images built from this source: a postgres or redis image reads its own variables.
      const df = dockerfileOf(inputs, c);
      if (!df) continue;
      asArr(c.container.env).forEach((e, i) => {
        const { name, valueFrom } = asObj(e);
        if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || asObj(valueFrom).fieldRef || asObj(valueFrom).resourceFieldRef || !unread(name)) return;
        out.push(finding(this, c.owner.manifest.locate([...c.path, "env", i, "name"]), `container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} sets ${name}, which the source at ${inputs.source!.dir} never mentions: a misspelled or stale name?`));
      });
      for (const ef of asArr(c.container.envFrom)) {
        const cmName = getIn(ef, ["configMapRef", "name"]);
        const cm = inputs.manifests.find((m) => m.kind === "ConfigMap" && m.name === cmName && !m.partial);
        if (!cm || typeof getIn(ef, ["prefix"]) === "string") continue;
        for (const key of Object.keys(asObj(getIn(cm.obj, ["data"])))) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || !unread(key) || seen.has(`${cm.name}/${key}`)) continue;
          seen.add(`${cm.name}/${key}`);
          out.push(finding(this, cm.locate(["data", key]), `ConfigMap/${cm.name} (loaded with envFrom by container "${c.name}") sets ${key}, which the source at ${inputs.source!.dir} never mentions: a misspelled or stale name?`));
        }
      }
    }
    return out;
  },
};

/** What a Dockerfile COPYs from the build context (taken to be the source root): paths, "." for everything. */
function copiedFromContext(df: Dockerfile): string[] {
  const out: string[] = [];
  for (const s of df.stages) {
    for (const ins of s.instructions) {
      if ((ins.keyword !== "COPY" && ins.keyword !== "ADD") || ins.flags.some((f) => f.startsWith("--from"))) continue;
      let parts = ins.rest.trim().split(/\s+/);
      if (ins.rest.trim().startsWith("[")) {
        try {
          parts = (JSON.parse(ins.rest) as unknown[]).map(String);
        } catch {
          /* shell form */
        }
      }
      out.push(...parts.slice(0, -1).map((p) => p.replace(/^\.\//, "").replace(/\/+$/, "") || "."));
    }
  }
  return out;
}

export const unsetEnv: Rule = {
  id: "env/unset",
  severity: "warning",
  title: "Environment variable the app requires and neither the chart nor the image sets",
  why: "Code that reads a variable with no default (`os.environ[\"X\"]`, `process.env.X!`, Go that exits when `os.Getenv(\"X\")` is empty) fails at start, or on the first request that needs it, when the variable is missing: the chart installs, the pod crash-loops.",
  fix: "Set the variable in the chart (env, or a ConfigMap/Secret loaded with envFrom), or give it a default in the code.",
  example: { bad: "# app/settings.py\nSTRIPE_KEY = os.environ[\"STRIPE_KEY\"]   # the chart sets no STRIPE_KEY", good: "env:\n  - name: STRIPE_KEY\n    valueFrom: { secretKeyRef: { name: stripe, key: key } }" },
  check(inputs) {
    const reads = inputs.source?.envReads ?? [];
    if (reads.length === 0) return [];
    const out: Finding[] = [];
    const reported = new Set<string>();
    for (const c of allContainers(inputs.manifests)) {
      if (c.init || c.owner.manifest.partial || isHook(c.owner.manifest)) continue;
      const df = dockerfileOf(inputs, c);
      if (!df) continue;
      // The variables the container gets: env, and the keys of ConfigMaps/Secrets of the chart it loads (one made elsewhere: unknown, so no verdict).
      const set = new Set(asArr(c.container.env).map((e) => String(asObj(e).name ?? "")));
      let unknown = false;
      for (const ef of asArr(c.container.envFrom)) {
        for (const [key, kind] of [["configMapRef", "ConfigMap"], ["secretRef", "Secret"]] as const) {
          const name = getIn(ef, [key, "name"]);
          if (typeof name !== "string") continue;
          const obj = inputs.manifests.find((m) => m.kind === kind && m.name === name && !m.partial);
          if (!obj) unknown = true;
          else for (const k of [...Object.keys(asObj(getIn(obj.obj, ["data"]))), ...Object.keys(asObj(getIn(obj.obj, ["stringData"])))]) set.add(`${String(getIn(ef, ["prefix"]) ?? "")}${k}`);
        }
      }
      if (unknown) continue;
      const stage = finalStage(df);
      for (const s of stage ? lineage(stage) : []) for (const k of s.env.keys()) set.add(k);
      // The app this image runs: the source files its Dockerfile copies.
      const copied = copiedFromContext(df);
      const inImage = (rel: string) => copied.some((p) => p === "." || rel === p || rel.startsWith(`${p}/`));
      for (const r of reads) {
        if (set.has(r.name) || RUNTIME_VARS.test(r.name) || !inImage(r.rel) || reported.has(`${r.name}:${r.file}:${r.line}`)) continue;
        reported.add(`${r.name}:${r.file}:${r.line}`);
        out.push(finding(this, { file: r.file, line: r.line }, `the app reads ${r.name} with no default, but neither container "${c.name}" in ${c.owner.manifest.kind}/${c.owner.manifest.name} nor its image (${df.file}) sets it`));
      }
    }
    return out;
  },
};

export const healthcheckUnserved: Rule = {
  id: "dockerfile/healthcheck-unserved",
  severity: "warning",
  title: "HEALTHCHECK requests a path no route of the app's source serves",
  why: "A HEALTHCHECK on a path the app answers with 404 marks every container unhealthy: Docker, Compose and Swarm then restart it or hold back whatever depends on it, though the app is fine.",
  fix: "Request a path the app serves (its health route), or add that route to the app.",
  example: { bad: "HEALTHCHECK CMD wget -qO- http://localhost:8080/status || exit 1   # the app serves /healthz", good: "HEALTHCHECK CMD wget -qO- http://localhost:8080/healthz || exit 1" },
  check(inputs) {
    const routes = inputs.source?.routes ?? [];
    if (routes.length === 0) return [];
    const out: Finding[] = [];
    for (const df of inputs.dockerfiles) {
      const stage = finalStage(df);
      const hc = stage ? lineage(stage).map((s) => s.instructions.filter((i) => i.keyword === "HEALTHCHECK").pop()).find((i) => i !== undefined) : undefined;
      if (!hc) continue;
      for (const m of hc.rest.matchAll(/\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?(\/[^\s"'`?#]*)/g)) {
        const path = m[1]!;
        if (path === "/" || routeServing(routes, path)) continue;
        out.push(finding(this, { file: df.file, line: hc.line }, `HEALTHCHECK requests ${path}, but no route in the source at ${inputs.source!.dir} serves it (routes found: ${[...new Set(routes.map((r) => r.path))].slice(0, 6).join(", ")}${routes.length > 6 ? ", …" : ""})`));
      }
    }
    return out;
  },
};

export const RUNTIME_RULES: Rule[] = [noReadiness, commandNotOnPath, randomSecret, unusedSwitch, noDockerignore, unreadEnv, unsetEnv, healthcheckUnserved];
