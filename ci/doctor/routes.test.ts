// Routes found in an app's source, framework by framework (pure: text in, routes out).
import { describe, expect, it } from "vitest";
import { envPrefixes, readsEnvironment, routeServing, routesFromSource, routesUnder, strictEnvReads, type SourceFile } from "./routes.js";

const src = (rel: string, text: string): SourceFile => ({ file: `src-root/${rel}`, rel, text });
const paths = (files: SourceFile[]) => routesFromSource(files).map((r) => `${r.how} ${r.path} ${r.file}:${r.line}`);

describe("routesFromSource", () => {
  it("FastAPI and Starlette: decorators on the app and on an APIRouter with its prefix, Route()", () => {
    const text = ['from fastapi import APIRouter, FastAPI', 'app = FastAPI()', 'router = APIRouter(prefix="/api")', '', '@app.get("/health")', 'def h(): ...', '@router.get("/ready")', 'def r(): ...'].join("\n");
    expect(paths([src("app/main.py", text)])).toEqual(["fastapi /health src-root/app/main.py:5", "fastapi /api/ready src-root/app/main.py:7"]);
    expect(paths([src("app.py", 'routes = [Route("/healthz", endpoint=h)]')])).toEqual(["starlette /healthz src-root/app.py:1"]);
  });

  it("Flask: @app.route and a Blueprint's url_prefix", () => {
    const text = ['from flask import Blueprint, Flask', 'app = Flask(__name__)', 'bp = Blueprint("ops", __name__, url_prefix="/ops")', '@app.route("/")', 'def index(): ...', '@bp.route("/ping")', 'def ping(): ...'].join("\n");
    expect(paths([src("web.py", text)])).toEqual(["flask / src-root/web.py:4", "flask /ops/ping src-root/web.py:6"]);
  });

  it("Express, Hono and Fastify calls with a literal path; an HTTP client's call is not a route", () => {
    const text = ["const app = express();", "app.get('/healthz', (req, res) => res.send('ok'));", 'hono.get("/ready", (c) => c.text("ok"));', "fastify.route({ method: 'GET', url: '/live', handler });", "await axios.get('/api/tasks');", "app.use('/static', serveStatic);"].join("\n");
    expect(paths([src("server.ts", text)])).toEqual(["express /healthz src-root/server.ts:2", "express /ready src-root/server.ts:3", "express /static src-root/server.ts:6", "fastify /live src-root/server.ts:4"]);
  });

  it("Next.js: app router route and page files (groups left out), pages/api, and the / of next start", () => {
    const files = [
      src("web/src/app/api/health/route.ts", "export function GET() {}"),
      src("web/app/(marketing)/about/page.tsx", "export default function Page() {}"),
      src("web/pages/api/ready.ts", "export default function handler() {}"),
      src("web/pages/_app.tsx", "export default function App() {}"),
      src("web/package.json", '{\n  "scripts": {\n    "start": "next start -p 3000"\n  }\n}'),
    ];
    expect(paths(files)).toEqual(["next-app-route /api/health src-root/web/src/app/api/health/route.ts:1", "next-app-page /about src-root/web/app/(marketing)/about/page.tsx:1", "next-pages /api/ready src-root/web/pages/api/ready.ts:1", "next start / src-root/web/package.json:3"]);
  });

  it("Go: net/http (with a 1.22 method pattern), chi and gin", () => {
    const text = ['mux.HandleFunc("GET /healthz", health)', 'r.Get("/ready", ready)', 'router.GET("/live", live)', 'http.Handle("/metrics", promhttp.Handler())'].join("\n");
    expect(paths([src("cmd/server/main.go", text)])).toEqual(["go /healthz src-root/cmd/server/main.go:1", "go /ready src-root/cmd/server/main.go:2", "go /live src-root/cmd/server/main.go:3", "go /metrics src-root/cmd/server/main.go:4"]);
  });

  it("Go: gorilla/mux HandleFunc(…).Methods(…), its {name:regexp} parameters and PathPrefix", () => {
    const text = ['s.router.HandleFunc("/healthz", s.healthzHandler).Methods("GET")', 's.router.HandleFunc("/delay/{wait:[0-9]+}", s.delayHandler).Methods("GET").Name("delay")', 's.router.PathPrefix("/static/").Handler(fs)'].join("\n");
    const routes = routesFromSource([src("pkg/api/server.go", text)]);
    expect(routes.map((r) => `${r.how} ${r.path} ${r.line}${r.prefix ? " prefix" : ""}`)).toEqual(["go /healthz 1", "go /delay/{wait:[0-9]+} 2", "go /static/ 3 prefix"]);
    expect(routeServing(routes, "/delay/3")?.line).toBe(2);
    expect(routeServing(routes, "/static/app.js")?.line).toBe(3);
    expect(routeServing(routes, "/readyz")).toBeUndefined();
  });

  it("Spring: @GetMapping under the controller's @RequestMapping", () => {
    const text = ['@RestController', '@RequestMapping("/api")', "public class Ops {", '  @GetMapping("/ping")', "  public String ping() { return \"ok\"; }", '  @GetMapping(value = "/ready")', "  public String ready() { return \"ok\"; }", "}"].join("\n");
    expect(paths([src("src/main/java/Ops.java", text)])).toEqual(["spring /api/ping src-root/src/main/java/Ops.java:4", "spring /api/ready src-root/src/main/java/Ops.java:6"]);
  });
});

describe("routeServing / routesUnder", () => {
  const routes = routesFromSource([src("a.ts", "app.get('/items/:id', h);\napp.use('/static', s);\napp.get('/health', h);"), src("app/docs/[...slug]/page.tsx", "")]);
  it("matches parameters, prefixes and catch-alls, not other paths", () => {
    expect(routeServing(routes, "/items/42")?.line).toBe(1);
    expect(routeServing(routes, "/static/app.js")?.line).toBe(2);
    expect(routeServing(routes, "/health?full=1")?.line).toBe(3);
    expect(routeServing(routes, "/docs/a/b")?.how).toBe("next-app-page");
    expect(routeServing(routes, "/healthz")).toBeUndefined();
    expect(routeServing(routes, "/items")).toBeUndefined();
  });
  it("lists the routes under a prefix", () => {
    expect(routesUnder(routes, "/items").map((r) => r.path)).toEqual(["/items/:id"]);
  });
});

describe("environment reads in Go", () => {
  const reads = (text: string) => strictEnvReads([src("cmd/app/main.go", text)]).map((r) => `${r.name}:${r.line}`);

  it("a read the program stops without is required: a Must-style helper, an if on the read or on its variable whose block stops", () => {
    const text = [
      'dsn, ok := os.LookupEnv("DATABASE_URL")', // 1
      "if !ok {",
      '\tlog.Fatal("DATABASE_URL is required")',
      "}",
      'if os.Getenv("SESSION_SALT") == "" { panic("no salt") }', // 5
      'key := mustGetenv("STRIPE_KEY")', // 6
      'if v, ok := os.LookupEnv("API_TOKEN"); !ok || v == "" {', // 7
      '\treturn fmt.Errorf("API_TOKEN is required")',
      "}",
      'region := os.Getenv("REGION")', // 10
      "if len(region) == 0 {",
      "\tos.Exit(2)",
      "}",
    ].join("\n");
    expect(reads(text)).toEqual(["DATABASE_URL:1", "SESSION_SALT:5", "STRIPE_KEY:6", "API_TOKEN:7", "REGION:10"]);
  });

  it("a read with a fallback, a bare read, viper's MustBindEnv, a comment and a name not written out are not", () => {
    const text = [
      'level := os.Getenv("LOG_LEVEL")',
      'if level == "" {',
      '\tlevel = "info"',
      "}",
      'cache := os.Getenv("REDIS_URL")',
      'viper.MustBindEnv("port", "PORT")',
      '// if os.Getenv("EXAMPLE") == "" { log.Fatal("x") }',
      "v := os.Getenv(name)",
      'if v == "" { log.Fatalf("%s is required", name) }',
      'other := os.Getenv("OTHER")',
      'if cache == "" { log.Fatal("REDIS_URL is required") }',
    ].join("\n");
    expect(reads(text)).toEqual([]);
  });

  it("viper's SetEnvPrefix and envconfig's Process name the prefix the app reads under; AutomaticEnv with no prefix, any name", () => {
    expect(envPrefixes([src("main.go", 'viper.SetEnvPrefix("podinfo")\nviper.AutomaticEnv()')])).toEqual(["PODINFO_"]);
    expect(envPrefixes([src("main.go", 'envconfig.MustProcess("shop", &cfg)')])).toEqual(["SHOP_"]);
    expect(envPrefixes([src("main.go", "v := viper.New()\nv.AutomaticEnv()")])).toEqual([""]);
    expect(envPrefixes([src("main.go", '// viper.SetEnvPrefix("old")\nos.Getenv("X")'), src("app.py", 'SetEnvPrefix("py")')])).toEqual([]);
    expect(readsEnvironment([src("main.go", 'viper.SetEnvPrefix("podinfo")\nviper.AutomaticEnv()')])).toBe(true);
  });
});
