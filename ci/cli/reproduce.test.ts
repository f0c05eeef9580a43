// Replay planning against a real temporary git repository.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, loadProjectConfig } from "../config/load.js";
import { type RunRecord, pinnedImages } from "../policies/run-record.js";
import { ReproduceError, createWorktree, planReproduction, removeWorktree, replayArgs, replayModuleArgs } from "./reproduce.js";

const repo = mkdtempSync(join(tmpdir(), "reproduce-repo-"));
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
let first = "";
let second = "";
const configText = readFileSync(join(REPO_ROOT, "todo.config.yaml"), "utf8");
const record = (commit: string, images = pinnedImages(loadProjectConfig())): RunRecord => ({
  schema: "todo-pipeline/run-record@1",
  function: "deploy",
  args: { revision: commit, dirty: "false", target: "minikube", context: "minikube" },
  commit,
  dirty: false,
  startedAt: "2026-11-22T10:00:00Z",
  versions: {},
  images,
  steps: [],
  verdict: "failed",
});

beforeAll(() => {
  git("init", "-q");
  git("config", "user.email", "t@example.test");
  git("config", "user.name", "test");
  writeFileSync(join(repo, "todo.config.yaml"), configText);
  git("add", ".");
  git("commit", "-qm", "one");
  first = git("rev-parse", "HEAD");
  // A later commit moves the Trivy digest: replaying the first commit must not use it.
  writeFileSync(join(repo, "todo.config.yaml"), configText.replace(/(trivy:\n[\s\S]*?digest: sha256:)[0-9a-f]{64}/, `$1${"f".repeat(64)}`));
  git("commit", "-qam", "two");
  second = git("rev-parse", "HEAD");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("reproduce", () => {
  it("replays the recorded function with its own arguments", () => {
    expect(replayArgs(record(first))).toEqual(["--target", "minikube", "--context", "minikube"]);
    // The scanners are a module argument: passed before the function, not after it.
    const scanned = { ...record(first), args: { ...record(first).args, scanners: "secret,misconfig" } };
    expect(replayArgs(scanned)).toEqual(["--target", "minikube", "--context", "minikube"]);
    expect(replayModuleArgs(scanned)).toEqual(["--scanners", "secret,misconfig"]);
    expect(replayModuleArgs(record(first))).toEqual([]);
  });

  it("plans the recorded commit and finds no drift when the pins match", async () => {
    const plan = await planReproduction(record(first), repo);
    expect(plan).toMatchObject({ commit: first, fn: "deploy", drift: [] });
  });

  it("names every pinned image whose digest at the commit differs from the record", async () => {
    const plan = await planReproduction(record(second), repo);
    expect(plan.drift).toHaveLength(1);
    expect(plan.drift[0]).toMatch(/^aquasec\/trivy:0\.68\.2: recorded sha256:05d0.*, at the commit sha256:f{64}$/);
  });

  it("says how to replay images an air-gapped run pulled by tag from a registry", async () => {
    const plan = await planReproduction(record(first, { "172.17.0.1:5000/node:22-bookworm-slim": `sha256:${"a".repeat(64)}` }), repo);
    expect(plan.drift).toEqual([`172.17.0.1:5000/node:22-bookworm-slim: recorded sha256:${"a".repeat(64)}, pulled by tag from 172.17.0.1:5000: replay with TODO_REGISTRY=172.17.0.1:5000 and check it still serves that digest`]);
  });

  it("checks the commit out in a temporary worktree and removes it afterwards", async () => {
    const plan = await planReproduction(record(first), repo);
    await createWorktree(repo, plan);
    expect(execFileSync("git", ["rev-parse", "HEAD"], { cwd: plan.worktree, encoding: "utf8" }).trim()).toBe(first);
    expect(readFileSync(join(plan.worktree, "todo.config.yaml"), "utf8")).toBe(configText);
    await removeWorktree(repo, plan);
    expect(existsSync(plan.worktree)).toBe(false);
  });

  it("says what to do when the commit is missing or unknown", async () => {
    await expect(planReproduction(record("0".repeat(40)), repo)).rejects.toThrow(/git fetch origin 0{40}/);
    await expect(planReproduction({ ...record(first), commit: "unknown" }, repo)).rejects.toThrow(ReproduceError);
  });
});
