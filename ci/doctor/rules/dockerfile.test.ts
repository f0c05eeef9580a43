// Dockerfile rules on small inline Dockerfiles: the variants each rule must catch, and look-alikes it must not.
import { describe, expect, it } from "vitest";
import { parseDockerfile } from "../dockerfile.js";
import type { DoctorInputs } from "../types.js";
import { DOCKERFILE_RULES } from "./dockerfile.js";

const PIN = `@sha256:${"0".repeat(64)}`;
const HEAD = [`FROM node:22${PIN} AS build`, "RUN npm ci && npm run build", `FROM node:22-slim${PIN}`];
const TAIL = ["USER 10001", 'HEALTHCHECK CMD ["node", "hc.js"]'];

function check(lines: string[]): string[] {
  const inputs: DoctorInputs = { chartDir: "c", valuesFiles: [], templates: [], manifests: [], complete: true, dockerfiles: [parseDockerfile("Dockerfile", lines.join("\n"))], externalNames: [] };
  return DOCKERFILE_RULES.flatMap((r) => r.check(inputs)).map((f) => `${f.rule}:${f.line}`);
}

describe("Dockerfile rules", () => {
  it("the base case is clean", () => {
    expect(check([...HEAD, ...TAIL])).toEqual([]);
  });

  it.each([
    ["yarn install --production then yarn build", [`FROM node:22${PIN} AS b`, "RUN yarn install --production", "RUN yarn build", ...HEAD.slice(2), ...TAIL], ["dockerfile/prod-install-before-build:2"]],
    ["ENV NODE_ENV=production then npm ci and a build", [`FROM node:22${PIN} AS b`, "ENV NODE_ENV=production", "RUN npm ci", "RUN npx tsc -p .", ...HEAD.slice(2), ...TAIL], ["dockerfile/prod-install-before-build:3"]],
    ["--only=production in one RUN with next build", [`FROM node:22${PIN} AS b`, "RUN npm install --only=production && next build", ...HEAD.slice(2), ...TAIL], ["dockerfile/prod-install-before-build:2"]],
    ["prod install in a parent stage, build in the child", [`FROM node:22${PIN} AS deps`, "RUN npm ci --omit=dev", "FROM deps AS build", "RUN npm run build", ...HEAD.slice(2), ...TAIL], ["dockerfile/prod-install-before-build:2"]],
    ["wget -qO- | bash", [...HEAD, "RUN wget -qO- https://x.sh | bash", ...TAIL], ["dockerfile/curl-pipe-shell:4"]],
    ["sh -c \"$(curl …)\"", [...HEAD, 'RUN sh -c "$(curl -fsSL https://x.sh)"', ...TAIL], ["dockerfile/curl-pipe-shell:4"]],
    ["COPY .env.production", [...HEAD, "COPY --chown=1 .env.production ./", ...TAIL], ["dockerfile/copies-env-file:4"]],
    ["ADD config/app.env", [...HEAD, "ADD config/app.env /etc/", ...TAIL], ["dockerfile/copies-env-file:4"]],
    ["USER root at the end", [...HEAD, ...TAIL, "USER root"], ["dockerfile/runs-as-root:6"]],
    ["USER 0:0", [...HEAD, "USER 0:0", TAIL[1]!], ["dockerfile/runs-as-root:4"]],
    ["HEALTHCHECK NONE", [...HEAD, TAIL[0]!, "HEALTHCHECK NONE"], ["dockerfile/no-healthcheck:5"]],
    ["a tag without digest", [`FROM node:22 AS build`, ...HEAD.slice(1), ...TAIL], ["dockerfile/unpinned-base:1"]],
    ["a base from an ARG without default", ["ARG BASE", "FROM ${BASE} AS build", ...HEAD.slice(1), ...TAIL], ["dockerfile/unpinned-base:2"]],
    ["one stage installing gcc", [`FROM debian:12${PIN}`, "RUN apt-get update && apt-get install -y gcc make", ...TAIL], ["dockerfile/single-stage-toolchain:2"]],
  ])("catches %s", (_name, lines, expected) => {
    expect(check(lines)).toEqual(expected);
  });

  it.each([
    ["npm ci --omit=dev in a stage nothing builds from", [...HEAD.slice(0, 2), `FROM node:22${PIN} AS prod`, "RUN npm ci --omit=dev", HEAD[2]!, "COPY --from=prod /n /n", ...TAIL]],
    ["a full install after a production one", [`FROM node:22${PIN} AS b`, "RUN npm ci --omit=dev", "RUN npm ci", "RUN npm run build", ...HEAD.slice(2), ...TAIL]],
    ["npm prune --omit=dev after the build", [`FROM node:22${PIN} AS b`, "RUN npm ci && npm run build && npm prune --omit=dev", ...HEAD.slice(2), ...TAIL]],
    ["curl to a file, checksum verified", [...HEAD, "RUN curl -fsSLo x.sh https://x.sh && echo 'abc  x.sh' | sha256sum -c && sh x.sh", ...TAIL]],
    ["COPY .env.example", [...HEAD, "COPY .env.example ./", ...TAIL]],
    ["USER inherited from the stage built on", [`FROM node:22${PIN} AS base`, "USER 10001", 'HEALTHCHECK CMD ["node", "hc.js"]', "FROM base", 'CMD ["node", "s.js"]']],
    ["distroless :nonroot with no USER", [...HEAD.slice(0, 2), `FROM gcr.io/distroless/nodejs22-debian12:nonroot${PIN}`, TAIL[1]!]],
    ["FROM scratch", [...HEAD.slice(0, 2), "FROM scratch", "COPY --from=build /app /app", ...TAIL]],
    ["a base pinned through an ARG default", [`ARG BASE=node:22${PIN}`, "FROM ${BASE} AS build", ...HEAD.slice(1), ...TAIL]],
  ])("leaves alone %s", (_name, lines) => {
    expect(check(lines)).toEqual([]);
  });
});

describe("secrets in Dockerfile ENV/ARG", async () => {
  const { plaintextSecret } = await import("./secrets.js");
  const find = (lines: string[]) => plaintextSecret.check({ chartDir: "c", valuesFiles: [], templates: [], manifests: [], complete: true, dockerfiles: [parseDockerfile("Dockerfile", lines.join("\n"))], externalNames: [] }).map((f) => `${f.line} ${f.message}`);
  it("finds a literal secret value, not a declared-only ARG, a reference or a digest", () => {
    expect(find([`ARG BASE=node:22${PIN}`, "ARG NPM_TOKEN", "FROM ${BASE}", "ENV API_KEY=sk-live-1234 LOG_LEVEL=info", "ENV DB_PASSWORD=${DB_PASSWORD}", "ENV DATABASE_URL postgres://u:pw@db/app"])).toEqual([
      '4 "API_KEY" holds a secret in plain text',
      '6 "DATABASE_URL" holds a URL with an embedded password',
    ]);
  });
});
