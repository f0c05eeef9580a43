// Paths an app serves, found in its source: route decorators and calls of the common web
// frameworks, and file-system routes of Next.js. Pure: files in, routes out (reader.ts reads them).

export interface SourceFile {
  /** Path as findings show it. */
  file: string;
  /** Path relative to the source root, with forward slashes (Next.js routes are derived from it). */
  rel: string;
  text: string;
}

export interface Route {
  /** The path as written (`/items/:id`, `/items/{id}`, `/items/[id]`); a `prefix` route serves everything under it. */
  path: string;
  file: string;
  line: number;
  /** Which convention found it (fastapi, flask, express, next-app, go, spring…). */
  how: string;
  prefix?: boolean;
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;

/** Whether the match at `index` is on a comment line (`//`, `#`, ` * `): an example in a comment is no route. */
const inComment = (text: string, index: number): boolean => /^\s*(\/\/|#|\*|\/\*)/.test(text.slice(text.lastIndexOf("\n", index - 1) + 1, index));

const joinPath = (prefix: string, path: string): string => {
  const p = `${prefix.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return p.length > 1 ? p.replace(/\/+$/, "") || "/" : "/";
};

/** Python: FastAPI/Starlette/Flask decorators, Starlette Route(...), with an APIRouter/Blueprint prefix of the same file. */
function python(f: SourceFile): Route[] {
  const out: Route[] = [];
  const prefixes = new Map<string, string>();
  for (const m of f.text.matchAll(/^\s*(\w+)\s*=\s*(APIRouter|Blueprint)\(([^)]*)\)/gm)) {
    const p = /(?:prefix|url_prefix)\s*=\s*["']([^"']*)["']/.exec(m[3]!);
    if (p) prefixes.set(m[1]!, p[1]!);
  }
  for (const m of f.text.matchAll(/^\s*@(\w+)\.(get|post|put|delete|patch|head|options|route|api_route|websocket)\(\s*["']([^"']*)["']/gm)) {
    if (inComment(f.text, m.index!)) continue;
    const how = /Blueprint|flask/i.test(f.text) && m[2] === "route" ? "flask" : /fastapi|APIRouter/.test(f.text) ? "fastapi" : "python";
    out.push({ path: joinPath(prefixes.get(m[1]!) ?? "", m[3]!), file: f.file, line: lineOf(f.text, m.index! + m[0].indexOf("@")), how });
  }
  for (const m of f.text.matchAll(/\b(Route|Mount|WebSocketRoute)\(\s*["'](\/[^"']*)["']/g)) {
    if (inComment(f.text, m.index!)) continue;
    out.push({ path: m[2]!, file: f.file, line: lineOf(f.text, m.index!), how: "starlette", ...(m[1] === "Mount" ? { prefix: true } : {}) });
  }
  return out;
}

const HTTP_CLIENTS = /^(axios|client|http|https|request|got|ky|superagent|fetcher|instance|cy|page|nock|mock\w*|\w*Client|\w*client)$/;

/** JavaScript/TypeScript: Express, Hono, Fastify, Koa-router calls with a literal path. */
function javascript(f: SourceFile): Route[] {
  const out: Route[] = [];
  for (const m of f.text.matchAll(/\b(\w+)\.(get|post|put|delete|patch|head|options|all|use|route)\(\s*(["'`])(\/[^"'`]*)\3/g)) {
    if (inComment(f.text, m.index!)) continue;
    // An HTTP client calling a path (axios.get("/api/x")) is not a server defining it.
    if (HTTP_CLIENTS.test(m[1]!)) continue;
    out.push({ path: m[4]!, file: f.file, line: lineOf(f.text, m.index!), how: "express", ...(m[2] === "use" || m[2] === "route" ? { prefix: m[2] === "use" } : {}) });
  }
  // fastify.route({ method: "GET", url: "/x" })
  for (const m of f.text.matchAll(/\.route\(\s*\{[^}]*?\burl\s*:\s*(["'`])(\/[^"'`]*)\1/g)) {
    if (inComment(f.text, m.index!)) continue;
    out.push({ path: m[2]!, file: f.file, line: lineOf(f.text, m.index!), how: "fastify" });
  }
  return out;
}

/** Go: net/http (HandleFunc, Go 1.22 "GET /x" patterns), chi, gin, echo, gorilla/mux (with its PathPrefix). */
function go(f: SourceFile): Route[] {
  const out: Route[] = [];
  for (const m of f.text.matchAll(/\.(HandleFunc|Handle|Get|Post|Put|Delete|Patch|Head|Options|GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|Any|Route|Mount|Group|PathPrefix)\(\s*"(?:[A-Z]+\s+)?(\/[^"]*)"/g)) {
    if (inComment(f.text, m.index!)) continue;
    // gorilla/mux's PathPrefix("/static/").Handler(…) serves what is under it, like chi's Mount.
    const prefix = /^(Route|Mount|Group|PathPrefix)$/.test(m[1]!) || (m[1] === "Handle" && m[2]!.endsWith("/") && m[2] !== "/");
    out.push({ path: m[2]!, file: f.file, line: lineOf(f.text, m.index!), how: "go", ...(prefix ? { prefix: true } : {}) });
  }
  return out;
}

/** Spring: @GetMapping("/x") etc., under the class's @RequestMapping prefix. */
function spring(f: SourceFile): Route[] {
  const out: Route[] = [];
  const mapping = /@(Get|Post|Put|Delete|Patch|Request)Mapping\s*\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*"([^"]*)"/g;
  const classAt = [...f.text.matchAll(/\bclass\s+\w+/g)].map((m) => m.index!);
  const prefixes: Array<{ at: number; prefix: string }> = [];
  for (const m of f.text.matchAll(mapping)) {
    if (inComment(f.text, m.index!)) continue;
    const nextClass = classAt.find((c) => c > m.index!);
    // A @RequestMapping right before `class` is the controller's prefix.
    if (m[1] === "Request" && nextClass !== undefined && !/[;{}]/.test(f.text.slice(m.index! + m[0].length, nextClass).replace(/^[^)]*\)/, ""))) {
      prefixes.push({ at: nextClass, prefix: m[2]! });
      continue;
    }
    const prefix = [...prefixes].reverse().find((p) => p.at < m.index!)?.prefix ?? "";
    out.push({ path: joinPath(prefix, m[2]! || "/"), file: f.file, line: lineOf(f.text, m.index!), how: "spring" });
  }
  return out;
}

/** Next.js: app router route.ts/page.tsx and pages router files; `next start` serves `/` (the home page or a 404 page). */
function nextjs(f: SourceFile): Route[] {
  const rel = f.rel;
  const app = /^(?:.*\/)?(?:src\/)?app((?:\/[^/]+)*)\/(route|page)\.(?:t|j)sx?$|^(?:.*\/)?(?:src\/)?app((?:\/[^/]+)*)\/(route|page)\.mjs$/.exec(rel);
  if (app && !rel.includes("node_modules/")) {
    const dirs = (app[1] ?? app[3] ?? "").split("/").filter((s) => s !== "" && !/^\(.*\)$/.test(s) && !s.startsWith("@") && !s.startsWith("_"));
    return [{ path: `/${dirs.join("/")}`, file: f.file, line: 1, how: app[2] === "route" || app[4] === "route" ? "next-app-route" : "next-app-page" }];
  }
  const pages = /^(?:.*\/)?(?:src\/)?pages\/(.+)\.(?:t|j)sx?$/.exec(rel);
  if (pages && !rel.includes("node_modules/") && /^(api\/|[^_])/.test(pages[1]!)) {
    const segs = pages[1]!.split("/");
    if (segs[segs.length - 1] === "index") segs.pop();
    return [{ path: `/${segs.join("/")}`, file: f.file, line: 1, how: "next-pages" }];
  }
  if (/(^|\/)package\.json$/.test(rel) && !rel.includes("node_modules/")) {
    const m = /"[^"]+"\s*:\s*"[^"]*\bnext\s+start\b[^"]*"/.exec(f.text);
    if (m) return [{ path: "/", file: f.file, line: lineOf(f.text, m.index), how: "next start" }];
  }
  return [];
}

/** Every route the source defines. */
export function routesFromSource(files: readonly SourceFile[]): Route[] {
  return files.flatMap((f) => {
    const routes = [...nextjs(f)];
    if (/\.py$/.test(f.rel)) routes.push(...python(f));
    else if (/\.(m|c)?[jt]sx?$/.test(f.rel)) routes.push(...javascript(f));
    else if (/\.go$/.test(f.rel)) routes.push(...go(f));
    else if (/\.(java|kt)$/.test(f.rel)) routes.push(...spring(f));
    return routes;
  });
}

/** A route's path as a pattern: `:id`, `{id}`, `<id>`, `[id]` match one segment, `[...slug]`/`*` the rest. */
function routeRegex(path: string, prefix: boolean): RegExp {
  // net/http's "/readyz/" serves /readyz too (by a redirect, which probes follow).
  const parts = (path.replace(/\/+$/, "") || "/").split("/").map((seg) => {
    if (/^\[\[?\.\.\..+\]\]?$/.test(seg) || seg === "*" || /^\{\w+:\.\*\}$/.test(seg) || /^\*\w*$/.test(seg)) return "__REST__";
    if (/^(:\w+\??|\{[^}]+\}|<[^>]+>|\[[^\]]+\])$/.test(seg)) return "[^/]+";
    return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  let re = parts.join("/").replace(/\/__REST__$/, "(/.*)?").replace(/__REST__/g, ".*");
  if (re === "") re = "/";
  return new RegExp(`^${re}${prefix && re !== "/" ? "(/.*)?" : ""}/?$`);
}

/** The route that serves `path` (query string ignored), if any. */
export function routeServing(routes: readonly Route[], path: string): Route | undefined {
  const p = path.split("?")[0]!.split("#")[0]!;
  return routes.find((r) => routeRegex(r.path, r.prefix === true).test(p));
}

/** Routes at or under a prefix (an Ingress path the app serves beneath). */
export function routesUnder(routes: readonly Route[], prefix: string): Route[] {
  const p = prefix.replace(/\/+$/, "");
  return routes.filter((r) => r.path === p || r.path.startsWith(`${p}/`));
}

export const where = (r: Route): string => `${r.file}:${r.line}`;

/** Every identifier-like word (3+ characters) of the source, in lower case: which names the app mentions at all. */
export function sourceWords(files: readonly SourceFile[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) for (const w of f.text.toLowerCase().split(/[^a-z0-9_]+/)) if (w.length >= 3) out.add(w);
  return out;
}

export interface EnvRead {
  name: string;
  /** Path relative to the source root (which files a Dockerfile copies is decided on it). */
  rel: string;
  file: string;
  line: number;
}

const ENV_NAME = `"([A-Za-z_][A-Za-z0-9_]*)"`;
/** What stops a Go program, or makes its caller fail: log.Fatal, klog.Fatalf, panic, os.Exit, returning a new error. */
const GO_STOPS = /\b(?:panic\(|os\.Exit\(|\w+\.(?:Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)\(|return\b[^\n]*\b(?:Errorf|errors\.New)\()/;

/** The `{…}` block opening at `open` (an index of `{`), braces counted; strings are not parsed, which is enough for an if block. */
function blockAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 2000; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open, i + 1);
  }
  return "";
}

/**
 * Go reads the program cannot start without. `os.Getenv` has no failing form (a missing variable
 * reads as ""), so a read is required only when the code stops on its absence: a `MustGetenv`-style
 * helper, or an `if` testing the value (`== ""`, `!ok`, `len(…) == 0`) whose block stops (GO_STOPS).
 */
function goRequiredReads(f: SourceFile): Array<{ name: string; index: number }> {
  const out: Array<{ name: string; index: number }> = [];
  const t = f.text;
  // A helper named for it: MustGetenv("X"), mustEnv("X"), requireEnv("X") (viper's MustBindEnv only binds).
  for (const m of t.matchAll(new RegExp(`\\b(?:[Mm]ust|[Rr]equire)(?!\\w*Bind)\\w*[Ee]nv\\w*\\(\\s*${ENV_NAME}\\s*\\)`, "g"))) out.push({ name: m[1]!, index: m.index! });
  // The read tested in the if itself: if os.Getenv("X") == "" { log.Fatal(…) }, if _, ok := os.LookupEnv("X"); !ok { … }.
  for (const m of t.matchAll(new RegExp(`\\bif\\s+([^{\\n]*?\\bos\\.(?:Getenv|LookupEnv)\\(\\s*${ENV_NAME}\\s*\\)[^{\\n]*)\\{`, "g"))) {
    if (/==\s*""|!\s*ok\b|len\([^)]*\)\s*==\s*0/.test(m[1]!) && GO_STOPS.test(blockAt(t, m.index! + m[0].length - 1))) out.push({ name: m[2]!, index: m.index! });
  }
  // Read into a variable, tested within the next three lines: v := os.Getenv("X") … if v == "" { … }.
  for (const m of t.matchAll(new RegExp(`\\b(\\w+)(?:\\s*,\\s*(\\w+))?\\s*:?=\\s*os\\.(?:Getenv|LookupEnv)\\(\\s*${ENV_NAME}\\s*\\)`, "g"))) {
    const start = m.index! + m[0].length;
    const after = t.slice(start, t.split("\n").slice(0, lineOf(t, start) + 3).join("\n").length);
    const tests = [m[1] !== "_" ? `\\b${m[1]}\\s*==\\s*""|len\\(\\s*${m[1]}\\s*\\)\\s*==\\s*0` : "", m[2] && m[2] !== "_" ? `!\\s*${m[2]}\\b` : ""].filter(Boolean).join("|");
    const test = tests ? new RegExp(`\\bif\\s+[^{\\n]*(?:${tests})[^{\\n]*\\{`).exec(after) : null;
    if (test && GO_STOPS.test(blockAt(after, test.index + test[0].length - 1))) out.push({ name: m[3]!, index: m.index! });
  }
  return out;
}

/**
 * Environment variables the source reads with no default, so that the app fails without them:
 * Python `os.environ["X"]`, TypeScript `process.env.X!`, and Go reads the code stops without (goRequiredReads).
 */
export function strictEnvReads(files: readonly SourceFile[]): EnvRead[] {
  const out: EnvRead[] = [];
  for (const f of files) {
    if (/\.go$/.test(f.rel)) {
      const seen = new Set<string>();
      for (const r of goRequiredReads(f).sort((a, b) => a.index - b.index)) {
        const line = lineOf(f.text, r.index);
        if (inComment(f.text, r.index) || seen.has(`${r.name}:${line}`)) continue;
        seen.add(`${r.name}:${line}`);
        out.push({ name: r.name, rel: f.rel, file: f.file, line });
      }
      continue;
    }
    const re = /\.py$/.test(f.rel) ? /\bos\.environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]/g : /\.(m|c)?tsx?$/.test(f.rel) ? /\bprocess\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\])!/g : undefined;
    if (!re) continue;
    for (const m of f.text.matchAll(re)) {
      if (inComment(f.text, m.index!)) continue;
      out.push({ name: (m[1] ?? m[2])!, rel: f.rel, file: f.file, line: lineOf(f.text, m.index!) });
    }
  }
  return out;
}

/**
 * Prefixes of variables the source reads by a rule rather than by name, so any variable under one may be read:
 * Go's viper (`SetEnvPrefix("podinfo")` reads PODINFO_<KEY> for every key) and envconfig (`Process("app", &c)`).
 * "" (viper's AutomaticEnv, or envconfig, with no prefix) means any name may be read.
 */
export function envPrefixes(files: readonly SourceFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    if (!/\.go$/.test(f.rel)) continue;
    const code = f.text.split("\n").filter((l) => !/^\s*\/\//.test(l)).join("\n");
    const viper = [...code.matchAll(/\.SetEnvPrefix\(\s*"([^"]*)"\s*\)/g)].map((m) => m[1]!);
    for (const p of viper) out.add(p ? `${p.toUpperCase()}_` : "");
    // AutomaticEnv with no prefix: viper reads the variable named like each key, keys being any string.
    if (viper.length === 0 && /\.AutomaticEnv\(\s*\)/.test(code)) out.add("");
    for (const m of code.matchAll(/\benvconfig\.(?:Must)?Process\(\s*"([^"]*)"/g)) out.add(m[1] ? `${m[1].toUpperCase()}_` : "");
  }
  return [...out];
}

/** Whether any code file of the source reads the environment at all (else the app's code is not in it, and names cannot be judged). */
export function readsEnvironment(files: readonly SourceFile[]): boolean {
  return files.some((f) => !/(^|\/)(Dockerfile[^/]*|package\.json)$/.test(f.rel) && /\bprocess\.env\b|\bos\.environ\b|\bos\.getenv\b|\bos\.Getenv\b|\bos\.LookupEnv\b|\.AutomaticEnv\(|\.BindEnv\(|\benvconfig\.(?:Must)?Process\(|\bSystem\.getenv\b|\bENV\[|\benv::var\b|\bgetenv\(/.test(f.text));
}
