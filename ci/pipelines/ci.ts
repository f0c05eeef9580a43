// ci: build both images, then test, scan, size and chart checks in parallel;
// one verdict and a run record, returned with the SBOMs and scan reports.
import { type Container, type Directory, type File, dag } from "@dagger.io/dagger";
import { type AppName, type ProjectConfig, appNames } from "../config/project-config.js";
import type { ImageProvenance } from "../images/build-args.js";
import { describeScan } from "../policies/scan-gate.js";
import { type RunRecord, type StepResult, runStep } from "../policies/run-record.js";
import { lintChartContainer, lintChartStep } from "../steps/chart.js";
import { scanRecordOf } from "../config/offline-db.js";
import { checkScanSetup, offlineDbFrom, scanImage } from "../steps/scan.js";
import { checkImageSize, sizeContainer } from "../steps/size.js";
import { RAN_AT_FILE, SUITE_NAMES, type SuiteName, TEST_SUITES, ranInThisCall, suiteContainer, testFailureSummary, vitestSummary } from "../steps/test.js";
import { buildSteps } from "./build.js";
import { probedStep, runRecordOf } from "./record.js";

export interface CiRun {
  record: RunRecord;
  artifacts: Directory;
  images: Partial<Record<AppName, Container>>;
}

export async function runCi(source: Directory, config: ProjectConfig, provenance: ImageProvenance, args: Record<string, string>, fn = "ci"): Promise<CiRun> {
  const startedAt = new Date().toISOString();
  const today = startedAt.slice(0, 10);
  // A missing or stale offline DB, or vuln without a DB on a closed network, stops the run before any build.
  const scanDb = await offlineDbFrom(source, config, new Date(startedAt));
  checkScanSetup(config, scanDb);
  let artifacts = dag.directory();

  // The tests and lint-chart need no image: they start at once, beside the builds.
  const independent: Promise<StepResult>[] = [
    ...SUITE_NAMES.map((suite) => testStep(source, config, suite)),
    probedStep(config, "lint-chart", () => lintChartStep(source, config), () => lintChartContainer(source, config)),
  ];

  // The builds (the image steps need them); a failed build fails its dependents, not the others.
  const { steps: builds, bare, images } = await buildSteps(source, config, provenance);
  const skipped = (name: string): StepResult => ({ name, verdict: "skipped", durationMs: 0, findings: [{ severity: "info", message: "its image did not build" }] });

  for (const app of appNames(config)) {
    const image = bare[app];
    if (!image) {
      independent.push(Promise.resolve(skipped(`scan-${app}`)), Promise.resolve(skipped(`check-size-${app}`)));
      continue;
    }
    let report: File | undefined;
    independent.push(
      probedStep(
        config,
        `scan-${app}`,
        async () => {
          const r = await scanImage(config, config.apps[app].image, image, today, scanDb);
          report = r.report;
          artifacts = artifacts.withFile(`sbom-${app}.cdx.json`, r.sbom).withFile(`trivy-${app}.json`, r.report);
          const lines = describeScan(r.verdict);
          return [
            { severity: r.verdict.passed ? "info" : "error", message: lines.join("\n") },
            { severity: "info", message: `scanners: ${r.scanners.join(", ")}; vulnerability DB: ${r.db}` },
          ];
        },
        () => report,
      ),
      probedStep(
        config,
        `check-size-${app}`,
        async () => {
          const v = await checkImageSize(source, config, app, image);
          return [{ severity: v.ok ? "info" : "error", message: v.message }];
        },
        () => sizeContainer(source, config, app, image),
      ),
    );
  }
  const steps = [...builds, ...(await Promise.all(independent))];
  // What the scans looked for: a run without vuln, or on an old DB, must not read as a full scan.
  const record = await runRecordOf(config, fn, args, provenance, startedAt, steps, scanRecordOf(config.scan.scanners, scanDb?.info ?? null));
  artifacts = artifacts.withNewFile("run-record.json", `${JSON.stringify(record, null, 2)}\n`);
  return { record, artifacts, images };
}

/**
 * One test suite as the step `test-<suite>`: its verdict, its failing tests,
 * its vitest summary, and from the exec's own start and end times (RAN_AT_FILE)
 * whether it ran now or came from the cache, and how long its run took.
 */
export async function testStep(source: Directory, config: ProjectConfig, suite: SuiteName): Promise<StepResult> {
  const started = Date.now();
  let cache: Pick<StepResult, "cache" | "workSeconds"> = {};
  const step = await runStep(`test-${suite}`, async () => {
    const run = suiteContainer(source, config, suite);
    let stdout: string;
    try {
      stdout = await run.stdout();
    } catch (err) {
      // A failed exec is never cached: it ran now. Name the failing tests, not only the exit code.
      cache = { cache: "miss" };
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(testFailureSummary(`${e.stdout ?? ""}\n${e.stderr ?? ""}`, e.message));
    }
    const ran = ranInThisCall(await run.file(RAN_AT_FILE).contents(), started);
    if (ran) cache = { cache: ran.ran ? "miss" : "hit", workSeconds: ran.seconds };
    return [{ severity: "info", message: `vitest (${TEST_SUITES[suite].projects.join(", ")}): ${vitestSummary(stdout) || "no summary"}` }];
  });
  return { ...step, ...cache };
}
