// Dockerfile rules.
import { finalStage, lineage, runCommand, type Dockerfile, type Instruction, type Stage } from "../dockerfile.js";
import { finalUser, isRootUser } from "../links.js";
import type { DoctorInputs, Finding, Rule } from "../types.js";
import { finding } from "./finding.js";

const runs = (s: Stage): Instruction[] => s.instructions.filter((i) => i.keyword === "RUN");

/** Instructions of a stage and the stages it builds on, oldest first. */
function history(s: Stage): Instruction[] {
  return lineage(s).reverse().flatMap((x) => x.instructions);
}

const PROD_INSTALL = /\b(npm\s+(ci|install|i)\b[^;&|\n]*(--omit[= ]dev|--only[= ]prod(uction)?|--production)\b|yarn\s+(install\b)?[^;&|\n]*--production\b|pnpm\s+(install|i)\b[^;&|\n]*(--prod\b|\s-P\b))/;
// Bare `yarn` installs too; `yarn build` does not.
const PLAIN_INSTALL = /\b(npm\s+(ci|install|i)(\s|$)|yarn\s+install\b|yarn\s*$|yarn\s+--|pnpm\s+(install|i)(\s|$))/;
const BUILD = /\b(npm\s+run\s+[\w:-]*build[\w:-]*|yarn\s+(run\s+)?build|pnpm\s+(run\s+)?build|next\s+build|tsc(\s|$)|vite\s+build|webpack(\s|$)|nest\s+build|npx\s+(tsc|next|vite|webpack))/;

function eachDockerfile(inputs: DoctorInputs, fn: (df: Dockerfile) => void): void {
  for (const df of inputs.dockerfiles) fn(df);
}

export const dockerRoot: Rule = {
  id: "dockerfile/runs-as-root",
  severity: "error",
  title: "Image runs as root",
  why: "Without a non-root USER the process runs as root; runAsNonRoot pods refuse to start with a non-numeric or root user, and a compromise owns the container.",
  fix: "Add `USER 10001:10001` (numeric, so Kubernetes can verify runAsNonRoot) to the final stage.",
  example: { bad: "FROM node:22-slim@sha256:…\nCMD [\"node\", \"server.js\"]", good: "FROM node:22-slim@sha256:…\nUSER 10001:10001\nCMD [\"node\", \"server.js\"]" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      const u = finalUser(df);
      if (!u) return;
      const stage = finalStage(df)!;
      // Images built to run non-root (distroless :nonroot) carry their own user.
      if (u.user === "" && /:nonroot\b|-nonroot\b/.test(stage.base)) return;
      if (u.user === "") out.push(finding(this, { file: df.file, line: u.line }, "the final stage sets no USER, so the image runs as root"));
      else if (isRootUser(u.user)) out.push(finding(this, { file: df.file, line: u.line }, `the final stage runs as ${u.user}`));
    });
    return out;
  },
};

export const noHealthcheck: Rule = {
  id: "dockerfile/no-healthcheck",
  severity: "warning",
  title: "No HEALTHCHECK",
  why: "docker run and Compose cannot tell a hung container from a healthy one; the HEALTHCHECK also documents the health path the chart's probes should use.",
  fix: "Add `HEALTHCHECK CMD [\"node\", \"healthcheck.js\"]` (exec form; the runtime image may have no shell or curl) probing the app's health path.",
  example: { bad: "CMD [\"node\", \"server.js\"]", good: "HEALTHCHECK --interval=10s CMD [\"node\", \"/app/healthcheck.mjs\"]\nCMD [\"node\", \"server.js\"]" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      const stage = finalStage(df);
      if (!stage) return;
      const hc = history(stage).filter((i) => i.keyword === "HEALTHCHECK").pop();
      if (!hc) out.push(finding(this, { file: df.file, line: stage.from.line }, "the final stage has no HEALTHCHECK"));
      else if (/^NONE\b/i.test(hc.rest.trim())) out.push(finding(this, { file: df.file, line: hc.line }, "HEALTHCHECK NONE disables the health check"));
    });
    return out;
  },
};

export const prodInstallBeforeBuild: Rule = {
  id: "dockerfile/prod-install-before-build",
  severity: "error",
  title: "Production-only install before a build that needs dev dependencies",
  why: "`npm ci --omit=dev` (or --only=production, NODE_ENV=production) leaves out TypeScript, Next.js plugins and bundlers; the build step after it fails, or worse, succeeds with a different toolchain on the builder's PATH.",
  fix: "Install everything in the build stage; install production dependencies in a separate stage (or `npm prune --omit=dev` after the build) and copy only those into the runtime stage.",
  example: { bad: "RUN npm ci --omit=dev\nRUN npm run build", good: "FROM base AS build\nRUN npm ci && npm run build\nFROM base AS prod-deps\nRUN npm ci --omit=dev" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      const reported = new Set<number>();
      // The production-only install whose node_modules each stage ends with, so a later
      // stage that copies them (COPY --from=deps …/node_modules) and builds is caught too.
      const endsWith = new Map<string, Instruction>();
      for (const stage of df.stages) {
        let prod: Instruction | undefined;
        let prodEnv = false;
        for (const ins of history(stage)) {
          if (ins.keyword === "ENV" && /\bNODE_ENV=["']?production\b/.test(ins.raw)) prodEnv = true;
          const from = ins.keyword === "COPY" && /node_modules/.test(ins.rest) ? /--from=(\S+)/.exec(ins.args)?.[1] : undefined;
          if (from !== undefined && endsWith.has(from)) prod ??= endsWith.get(from);
          if (ins.keyword !== "RUN") continue;
          const cmd = runCommand(ins);
          for (const part of cmd.split(/&&|;|\n/)) {
            const envProd = prodEnv || /\bNODE_ENV=production\b/.test(part);
            if (PROD_INSTALL.test(part) || (envProd && PLAIN_INSTALL.test(part) && !/--include[= ]dev|--production=false/.test(part))) prod ??= ins;
            else if (PLAIN_INSTALL.test(part) && !envProd) prod = undefined; // a full install afterwards restores dev dependencies
            if (prod && BUILD.test(part) && !reported.has(prod.line)) {
              reported.add(prod.line);
              out.push(finding(this, { file: df.file, line: prod.line }, `production-only install here, then \`${part.trim().slice(0, 60)}\` at line ${ins.line} needs the dev dependencies it left out`));
            }
          }
        }
        if (prod) for (const key of [stage.name, String(stage.index)]) if (key !== undefined) endsWith.set(key, prod);
      }
    });
    return out;
  },
};

const ENV_FILE = /(^|\/)(\.env(\.[\w-]+)?|[\w-]+\.env)$/;
const ENV_TEMPLATE = /\.(example|sample|template|dist)$/;

export const copiesEnvFile: Rule = {
  id: "dockerfile/copies-env-file",
  severity: "error",
  title: "COPY/ADD of a .env file",
  why: "A .env file copied into a layer stays in the image forever (even if deleted later): anyone who can pull the image reads its secrets.",
  fix: "Do not copy .env files; pass configuration as runtime environment or secret mounts (RUN --mount=type=secret), and list .env* in .dockerignore.",
  example: { bad: "COPY .env ./", good: "# configuration comes from the environment at run time" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      for (const s of df.stages) {
        for (const ins of s.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
          let parts: string[];
          const rest = ins.rest.trim();
          try {
            parts = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
          } catch {
            parts = rest.split(/\s+/);
          }
          const sources = parts.slice(0, -1);
          const bad = sources.find((src) => ENV_FILE.test(src.replace(/\/$/, "")) && !ENV_TEMPLATE.test(src));
          if (bad) out.push(finding(this, { file: df.file, line: ins.line }, `${ins.keyword} ${bad} puts an environment file (secrets) into an image layer`));
        }
      }
    });
    return out;
  },
};

export const curlPipeShell: Rule = {
  id: "dockerfile/curl-pipe-shell",
  severity: "error",
  title: "Download piped into a shell (curl | sh)",
  why: "Piping a download into a shell runs whatever the server (or anyone between) sends today, unverified and unpinned: the image is neither reproducible nor trustworthy.",
  fix: "Download a pinned version, verify its checksum (`echo \"<sha256>  file\" | sha256sum -c`), then run it; or install from the distribution's packages.",
  example: { bad: "RUN curl -fsSL https://get.example.sh | sh", good: "RUN curl -fsSLo install.sh https://get.example.sh/v1.2.3 \\\n && echo \"<sha256>  install.sh\" | sha256sum -c && sh install.sh" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      for (const s of df.stages) {
        for (const ins of runs(s)) {
          const cmd = runCommand(ins);
          if (/\b(curl|wget)\b[^|;&\n]*\|\s*(sudo\s+)?(\S*\/)?(ba|z|da|k)?sh\b/.test(cmd) || /\b(ba)?sh\s+-c\s+["']?\$\((curl|wget)\b/.test(cmd) || /(ba)?sh\s+<\(\s*(curl|wget)\b/.test(cmd)) {
            out.push(finding(this, { file: df.file, line: ins.line }, "a download is piped straight into a shell"));
          }
        }
      }
    });
    return out;
  },
};

export const unpinnedBase: Rule = {
  id: "dockerfile/unpinned-base",
  severity: "error",
  title: "Base image not pinned by digest",
  why: "A tag moves: the same Dockerfile builds a different image tomorrow (and a compromised tag ships into yours), so a failed build cannot be reproduced bit for bit.",
  fix: "Pin the base by digest: `ARG BASE=node:22-bookworm-slim@sha256:…` then `FROM ${BASE}`; let a tool (Renovate) bump it.",
  example: { bad: "FROM node:22-slim", good: "FROM node:22-slim@sha256:43ac6c60b8f8…" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      for (const s of df.stages) {
        if (s.parent || s.base.toLowerCase() === "scratch") continue;
        if (s.baseUnresolved) out.push(finding(this, { file: df.file, line: s.from.line }, `FROM ${s.from.raw.trim()}: the base comes from a build argument with no default, so nothing pins it`));
        else if (!/@sha256:[0-9a-f]{64}$/.test(s.base)) out.push(finding(this, { file: df.file, line: s.from.line }, `base image ${s.base} is not pinned by digest`));
      }
    });
    return out;
  },
};

const TOOLCHAIN = /\b(apt-get|apt)\s+install\b[^;&\n]*\b(build-essential|gcc|g\+\+|make|cmake|python3?-dev|libc6?-dev)\b|\bapk\s+add\b[^;&\n]*\b(build-base|gcc|g\+\+|make|cmake|python3?-dev|musl-dev)\b|\b(go|cargo)\s+build\b|\b(mvn|gradle)\b/;

export const singleStageToolchain: Rule = {
  id: "dockerfile/single-stage-toolchain",
  severity: "warning",
  title: "A single stage builds and ships the build toolchain",
  why: "Compilers, dev dependencies and caches used by the build end up in the runtime image: hundreds of megabytes more to pull and more vulnerable packages to patch.",
  fix: "Build in a stage of its own and COPY --from=build only the output and production dependencies into a slim runtime stage.",
  example: { bad: "FROM node:22@sha256:…\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/server.js\"]", good: "FROM node:22@sha256:… AS build\nRUN npm ci && npm run build\nFROM node:22-slim@sha256:…\nCOPY --from=build /app/dist ./dist" },
  check(inputs) {
    const out: Finding[] = [];
    eachDockerfile(inputs, (df) => {
      if (df.stages.length !== 1) return;
      const stage = df.stages[0]!;
      const ins = runs(stage).find((i) => TOOLCHAIN.test(runCommand(i)) || BUILD.test(runCommand(i)));
      if (ins) out.push(finding(this, { file: df.file, line: ins.line }, "the only stage builds here, so the runtime image ships the build toolchain and dev dependencies"));
    });
    return out;
  },
};

export const DOCKERFILE_RULES: Rule[] = [dockerRoot, noHealthcheck, prodInstallBeforeBuild, copiesEnvFile, curlPipeShell, unpinnedBase, singleStageToolchain];
export type { Finding };
