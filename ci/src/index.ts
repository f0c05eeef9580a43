/**
 * The Todo AI Chatbot's delivery pipeline. Every function here is a thin
 * entry: the work lives in ci/steps (one module per step) and ci/pipelines
 * (their compositions); the policies in ci/policies are plain TypeScript.
 */
import { type Container, type Directory, type File, type Secret, type Service, argument, dag, func, object } from "@dagger.io/dagger";
import { describeScanDb, scanRecordOf } from "../config/offline-db.js";
import { type AppName, PROJECT_CONFIG_FILE, type ProjectConfig, appNames, parseProjectConfig, withScanners } from "../config/project-config.js";
import type { ImageProvenance } from "../images/build-args.js";
import { pushRegistry, withRegistry } from "../images/registry.js";
import { runBuild } from "../pipelines/build.js";
import { runCi } from "../pipelines/ci.js";
import { runDeploy } from "../pipelines/deploy.js";
import { stepTable } from "../policies/run-record.js";
import { describeScan } from "../policies/scan-gate.js";
import { buildBareImage, buildImage } from "../steps/build.js";
import { lintChartStep } from "../steps/chart.js";
import { checkScanSetup, offlineDbFrom, scanImage } from "../steps/scan.js";
import { checkImageSize } from "../steps/size.js";
import { SUITE_NAMES, isSuiteName } from "../steps/test.js";
import { testStep } from "../pipelines/ci.js";
import { targetOfKubeconfig } from "../tools/kubeconfig.js";
import { gitProvenance } from "../steps/git-provenance.js";
import { toolboxTools } from "../steps/toolbox.js";

@object()
export class TodoPipeline {
  source: Directory;
  revision: string;
  registry: string;
  sourceUrl: string;
  created: string;
  scanners: string;
  git?: Directory;

  constructor(
    @argument({ defaultPath: "/", ignore: ["**/node_modules", "**/.next", "**/dist", ".data", ".git", "runs", "**/screenshots", "README.md", "backend/README.md", "frontend/README.md", "docker/README.md", "helm/README.md", "CHANGELOG.md", "bench", ".ci"] }) source: Directory,
    /** Commit the images are built from (OCI revision label and the run record); default: HEAD of the checkout, with its commit time and origin. */
    revision = "unknown",
    /**
     * Air-gapped mode: pull every base and pipeline image from this registry (host[:port][/path])
     * instead of the config's `registry:`; "none" for the pinned upstream images.
     */
    registry = "",
    /** Repository URL for the images' org.opencontainers.image.source label (pipeline:* passes git's origin). */
    sourceUrl = "",
    /** RFC 3339 time for the images' created label; the commit time keeps builds reproducible and cached. */
    created = "1970-01-01T00:00:00Z",
    /**
     * Trivy scanners for this run instead of the config's scan.scanners, comma-separated
     * (e.g. secret,misconfig where no vulnerability DB is available); the run record names them.
     */
    scanners = "",
    /**
     * The checkout's .git (HEAD, refs, objects, config), read when --revision is not given so
     * that a plain `dagger call` labels the images as pipeline:* does. The index, logs and hooks
     * stay out: they change on every git command and nothing reads them.
     */
    @argument({ defaultPath: "/", ignore: ["*", "!.git", ".git/index", ".git/logs", ".git/hooks", ".git/info", ".git/**/*.lock", ".git/FETCH_HEAD", ".git/ORIG_HEAD", ".git/worktrees", ".git/modules", ".git/lfs"] })
    git?: Directory,
  ) {
    this.source = source;
    this.revision = revision;
    this.registry = registry;
    this.sourceUrl = sourceUrl;
    this.created = created;
    this.scanners = scanners;
    this.git = git;
  }

  private async config(): Promise<ProjectConfig> {
    const config = withRegistry(parseProjectConfig(await this.source.file(PROJECT_CONFIG_FILE).contents()), this.registry, "--registry");
    return withScanners(config, this.scanners, "--scanners");
  }

  /** The images' labels: the constructor's arguments, else (a plain `dagger call`) HEAD of the checkout. */
  private async provenance(): Promise<ImageProvenance> {
    const head = this.revision === "unknown" ? await gitProvenance(this.git, toolboxTools(await this.config())) : undefined;
    const revision = head?.revision ?? this.revision;
    const created = head?.created ?? this.created;
    const source = this.sourceUrl || head?.sourceUrl || "unknown";
    return { source, revision, version: `0.0.0-${revision.slice(0, 12)}`, created };
  }

  /** The backend image, built from docker/backend/Dockerfile with the pinned bases. */
  @func()
  async buildBackend(): Promise<Container> {
    return buildImage(this.source, await this.config(), "backend", await this.provenance());
  }

  /** The frontend image, built from docker/frontend/Dockerfile with the pinned bases. */
  @func()
  async buildFrontend(): Promise<Container> {
    return buildImage(this.source, await this.config(), "frontend", await this.provenance());
  }

  /** Both images, built in parallel: backend.tar and frontend.tar (OCI) of those that built, and the run record (record.verdict says whether both did). */
  // A run record names its time: never hand back one from an earlier session.
  @func({ cache: "session" })
  async build(): Promise<Directory> {
    const provenance = await this.provenance();
    const run = await runBuild(this.source, await this.config(), provenance, { revision: provenance.revision });
    console.log(stepTable(run.record.steps));
    return run.artifacts;
  }

  /**
   * The repository's test suites as cached steps in parallel, each with only the files it reads:
   * backend (with PostgreSQL as a service), frontend (components), pipeline (module, CLI, doctor), chart.
   * Returns their step table; fails when one fails. The browser suite (Chromium) and the image
   * suite (Docker Engine) stay host-only: run them with `npm test`.
   */
  // Each suite's vitest exec is cached by the engine on its own inputs; the table says which did work.
  @func({ cache: "session" })
  async test(
    /** Only this suite: backend, frontend, pipeline or chart. */
    suite?: string,
  ): Promise<string> {
    if (suite && !isSuiteName(suite)) throw new Error(`suite must be one of ${SUITE_NAMES.join(", ")}, got "${suite}"`);
    const config = await this.config();
    const steps = await Promise.all((suite ? [suite as (typeof SUITE_NAMES)[number]] : SUITE_NAMES).map((s) => testStep(this.source, config, s)));
    const table = stepTable(steps);
    const details = steps.flatMap((s) => s.findings.map((f) => `${s.name}: ${f.message}`)).join("\n");
    if (steps.some((s) => s.verdict === "failed")) throw new Error(`${table}\n\n${details}`);
    return `${table}\n\n${details}`;
  }

  /**
   * Trivy on both images (or one app's, or an image tarball of yours); fails on the policy in
   * todo.config.yaml; returns the SBOMs, the reports and scan.json (scanners run, vulnerability DB used).
   */
  // The verdict depends on the date (ignore expiry) and the vulnerability database, not only on the inputs.
  @func({ cache: "session" })
  async scan(
    /** Only this app's image (an app of todo.config.yaml). */
    app?: string,
    /** Scan this image tarball (docker save or OCI) instead of building ours, e.g. to check the gate on a planted finding. */
    tarball?: File,
  ): Promise<Directory> {
    const config = await this.config();
    const today = new Date().toISOString().slice(0, 10);
    const db = await offlineDbFrom(this.source, config);
    // vuln without a DB on a closed network is refused here, before any build.
    checkScanSetup(config, db);
    if (app && !appNames(config).includes(app as AppName)) throw new Error(`app must be one of ${appNames(config).join(", ")} (apps in todo.config.yaml), got "${app}"`);
    const targets: { key: string; name: string; image: () => Promise<Container> }[] = tarball
      ? [{ key: "image", name: "image", image: async () => dag.container().import_(tarball) }]
      : appNames(config)
          .filter((a) => !app || a === app)
          .map((a) => ({ key: a, name: config.apps[a].image, image: async () => buildBareImage(this.source, config, a) }));
    const results = await Promise.all(targets.map(async (t) => ({ key: t.key, r: await scanImage(config, t.name, await t.image(), today, db) })));
    const what = `scanners: ${config.scan.scanners.join(", ")}; vulnerability DB: ${describeScanDb(config.scan.scanners, db?.info ?? null)}`;
    const summary = [...results.flatMap(({ r }) => describeScan(r.verdict)), what].join("\n");
    console.log(summary);
    if (results.some(({ r }) => !r.verdict.passed)) throw new Error(summary);
    let out = dag.directory().withNewFile(
      "scan.json",
      `${JSON.stringify({ ...scanRecordOf(config.scan.scanners, db?.info ?? null), verdicts: results.map(({ r }) => ({ artifact: r.verdict.artifact, passed: r.verdict.passed, counts: r.verdict.counts })) }, null, 2)}\n`,
    );
    for (const { key, r } of results) out = out.withFile(`sbom-${key}.cdx.json`, r.sbom).withFile(`trivy-${key}.json`, r.report);
    return out;
  }

  /** Total and added-over-base bytes of both images against their budgets, with the per-layer breakdown. */
  @func()
  async checkSize(): Promise<string> {
    const config = await this.config();
    const verdicts = await Promise.all([checkImageSize(this.source, config, "backend", await buildBareImage(this.source, config, "backend")), checkImageSize(this.source, config, "frontend", await buildBareImage(this.source, config, "frontend"))]);
    const report = verdicts.map((v) => v.message).join("\n\n");
    if (verdicts.some((v) => !v.ok)) throw new Error(report);
    return report;
  }

  /** helm lint --strict, helm template, Kubernetes schemas, chart policies and the delivery doctor. */
  @func()
  async lintChart(): Promise<string> {
    const findings = await lintChartStep(this.source, await this.config());
    const text = findings.map((f) => `${f.severity}: ${f.message}`).join("\n") || "lint-chart: no findings";
    if (findings.some((f) => f.severity === "error")) throw new Error(text);
    return text;
  }

  /** Everything above, independent steps in parallel: the run record, SBOMs and reports (record.verdict says pass or fail). */
  // A run record names its time and the scan's date: never hand back one from an earlier session.
  @func({ cache: "session" })
  async ci(): Promise<Directory> {
    const provenance = await this.provenance();
    const run = await runCi(this.source, await this.config(), provenance, { revision: provenance.revision, ...(this.scanners ? { scanners: this.scanners } : {}) });
    console.log(stepTable(run.record.steps));
    return run.artifacts;
  }

  /**
   * ci, then install. Without a kubeconfig: an ephemeral k3s cluster inside the
   * engine. With one: that cluster and context; the target is the one of
   * todo.config.yaml whose context the kubeconfig names, unless --target says.
   * The cluster gets the images from a registry (air-gapped mode's, or
   * --image-registry): pushed there and deployed by digest. Without a registry,
   * run it through `npm run pipeline:deploy`, which loads them into the node.
   * A kubeconfig whose server is the host's loopback (Minikube, kind, `npm run
   * cluster:up`) needs that port tunnelled in: `--kube-api tcp://127.0.0.1:PORT`.
   */
  @func({ cache: "never" })
  async deploy(
    kubeconfig?: Secret,
    context?: string,
    target?: string,
    kubeApi?: Service,
    /** Push the images to this registry (host[:port][/path]) and deploy them from there by digest; "none": never push. Default: the air-gapped registry, for every target but k3s. */
    imageRegistry?: string,
  ): Promise<Directory> {
    const config = await this.config();
    const name = target ?? (kubeconfig ? targetOfKubeconfig(config.deploy.targets, await kubeconfig.plaintext(), context) : config.deploy.defaultTarget);
    const pushTo = pushRegistry(name, imageRegistry, config.registry);
    const provenance = await this.provenance();
    const run = await runDeploy(
      this.source,
      config,
      provenance,
      { name, pushTo, ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}), ...(kubeApi ? { kubeApi } : {}) },
      { revision: provenance.revision, target: name, ...(context ? { context } : {}), ...(pushTo ? { "image-registry": pushTo } : {}), ...(this.scanners ? { scanners: this.scanners } : {}) },
    );
    console.log(stepTable(run.record.steps));
    return run.artifacts;
  }

  /** One image as a tarball, for loading into Minikube from the host. */
  @func()
  async imageTarball(app: string): Promise<File> {
    const config = await this.config();
    if (!appNames(config).includes(app as AppName)) throw new Error(`app must be one of ${appNames(config).join(", ")} (apps in todo.config.yaml), got "${app}"`);
    return (await buildImage(this.source, config, app as AppName, await this.provenance())).asTarball();
  }
}
