// Test support: a fixture case is the clean fixture with one defect's files laid over it.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoctor } from "./doctor.js";
import { renderChart } from "./reader.js";
import type { DoctorProjectConfig, Finding } from "./types.js";

export const FIXTURES = join(import.meta.dirname, "fixtures");
export const FIXTURE_KUBE_VERSION = "1.33.0";

/** The apps of the fixture chart as todo.config.yaml would declare them. */
export const FIXTURE_PROJECT: DoctorProjectConfig = {
  apps: { web: { image: "example/web", port: 8080, routes: ["/healthz", "/api"], dockerfile: "docker/web/Dockerfile" } },
};

/** Copies the clean fixture and the defect's files into a fresh directory. */
export function materialize(defect?: string): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), "doctor-fixture-"));
  cpSync(join(FIXTURES, "clean"), root, { recursive: true });
  if (defect) {
    // "name" is a defect of fixtures/defects; "classes/name" any directory under fixtures.
    const dir = join(FIXTURES, defect.includes("/") ? defect : join("defects", defect));
    if (!existsSync(dir)) throw new Error(`no fixture ${dir}`);
    cpSync(dir, root, { recursive: true });
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs the doctor on a fixture the way the CLI does: rendered by the host's helm unless text mode. */
export async function doctorOnFixture(defect: string | undefined, opts: { project?: boolean; helm?: boolean; values?: string[]; dockerfiles?: string[]; source?: string } = {}): Promise<Finding[]> {
  const { root, cleanup } = materialize(defect);
  try {
    const render = opts.helm === false ? {} : await renderChart({ chartPath: "chart", valuesFiles: opts.values ?? [], kubeVersion: FIXTURE_KUBE_VERSION, cwd: root });
    return await runDoctor({
      chartPath: "chart",
      valuesFiles: opts.values ?? [],
      dockerfiles: opts.dockerfiles ?? ["docker/web/Dockerfile"],
      cwd: root,
      ...(render.manifests !== undefined ? { renderedManifests: render.manifests } : {}),
      ...(render.error !== undefined ? { renderError: render.error } : {}),
      ...("errors" in render && render.errors !== undefined ? { renderErrors: render.errors } : {}),
      ...(opts.project ? { projectConfig: FIXTURE_PROJECT } : {}),
      ...(opts.source !== undefined ? { sourceDir: opts.source } : {}),
    });
  } finally {
    cleanup();
  }
}
