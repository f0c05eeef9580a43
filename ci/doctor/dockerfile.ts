// A small Dockerfile reader: instructions with their first line, continuation
// lines joined, heredocs kept, stages linked to the stage they build FROM, and
// ARG/ENV values substituted the way the builder does (${X}, $X, ${X:-d}).
// Pure: text in, structure out.

export interface Instruction {
  keyword: string;
  /** Arguments as written (continuations joined, comment lines dropped). */
  raw: string;
  /** Arguments with ARG/ENV values known at this point substituted. */
  args: string;
  /** `--flag=value` options at the start (e.g. COPY --from=build, RUN --mount=…). */
  flags: string[];
  /** Arguments after the flags (substituted). */
  rest: string;
  line: number;
  heredocs: string[];
}

export interface Stage {
  index: number;
  from: Instruction;
  /** Base image reference as resolved (ARG defaults substituted). */
  base: string;
  /** Whether the base reference used a build argument with no default. */
  baseUnresolved: boolean;
  name?: string;
  /** The earlier stage this one builds on, when FROM names one. */
  parent?: Stage;
  instructions: Instruction[];
  /** ENV values at the end of the stage (inherited by stages built on it). */
  env: Map<string, string>;
}

export interface Dockerfile {
  file: string;
  text: string;
  /** ARGs before the first FROM, with defaults. */
  globalArgs: Map<string, string | undefined>;
  preamble: Instruction[];
  stages: Stage[];
  /** The .dockerignore that applies (beside it, or `<Dockerfile>.dockerignore`): its path, null when there is none, absent when unknown. */
  dockerignore?: string | null;
}

export function expandVars(s: string, vars: ReadonlyMap<string, string | undefined>): { value: string; unresolved: boolean } {
  let unresolved = false;
  const value = s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a, op, word, b) => {
    const name = (a ?? b) as string;
    const v = vars.get(name);
    if (op === "-") return v ? v : (word as string);
    if (op === "+") return v ? (word as string) : "";
    if (v === undefined) {
      unresolved = true;
      return "";
    }
    return v;
  });
  return { value, unresolved };
}

function splitFlags(args: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let rest = args.trimStart();
  for (;;) {
    const m = /^(--[A-Za-z-]+(?:=(?:"[^"]*"|\S*))?)\s*/.exec(rest);
    if (!m) break;
    flags.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

/** KEY=VALUE pairs of ARG/ENV (also the legacy `ENV KEY value`). */
export function parseAssignments(args: string, legacy: boolean): Array<[string, string | undefined]> {
  const s = args.trim();
  if (legacy && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(s)) {
    const m = /^(\S+)\s*(.*)$/s.exec(s);
    return m ? [[m[1]!, m[2]!]] : [];
  }
  const out: Array<[string, string | undefined]> = [];
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of s.matchAll(re)) {
    let v = m[2];
    if (v !== undefined && /^["']/.test(v)) v = v.slice(1, -1);
    out.push([m[1]!, v]);
  }
  return out;
}

export function parseDockerfile(file: string, text: string, dockerignore?: string | null): Dockerfile {
  const lines = text.split(/\r?\n/);
  let escape = "\\";
  const directive = /^#\s*escape\s*=\s*(\S)/i.exec(lines[0] ?? "");
  if (directive) escape = directive[1]!;

  const instructions: Array<Omit<Instruction, "args" | "rest" | "flags">> = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i;
    let body = first.trim();
    // Join continuation lines; comment lines inside an instruction are dropped, as the builder does.
    while (body.endsWith(escape) && i + 1 < lines.length) {
      body = body.slice(0, -1);
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) {
        body += escape; // keep continuing past the comment
        continue;
      }
      body += " " + next.trim();
    }
    const m = /^(\S+)\s*(.*)$/s.exec(body);
    if (!m) continue;
    const heredocs: string[] = [];
    for (const h of m[2]!.matchAll(/<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/g)) {
      const end = h[1]!;
      const doc: string[] = [];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== end) doc.push(lines[++i]!);
      i++;
      heredocs.push(doc.join("\n"));
    }
    instructions.push({ keyword: m[1]!.toUpperCase(), raw: m[2]!, line: start + 1, heredocs });
  }

  const globalArgs = new Map<string, string | undefined>();
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  let vars = new Map<string, string | undefined>();
  let stage: Stage | undefined;
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      // Split before substituting: an ARG with no default must not shift "AS name" into the image slot.
      const { flags, rest: rawRest } = splitFlags(ins.raw);
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rawRest.trim());
      const resolved = expandVars(m?.[1] ?? "", globalArgs);
      const base = resolved.value;
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === base.toLowerCase());
      const from: Instruction = { ...ins, args: expandVars(ins.raw, globalArgs).value, flags, rest: expandVars(rawRest, globalArgs).value };
      stage = {
        index: stages.length,
        from,
        base,
        baseUnresolved: resolved.unresolved || base === "",
        ...(m?.[2] ? { name: m[2] } : {}),
        ...(parent ? { parent } : {}),
        instructions: [],
        env: new Map(parent?.env ?? []),
      };
      stages.push(stage);
      vars = new Map<string, string | undefined>(stage.env);
      continue;
    }
    const { value } = expandVars(ins.raw, vars);
    const { flags, rest } = splitFlags(value);
    const full: Instruction = { ...ins, args: value, flags, rest };
    if (ins.keyword === "ARG") {
      for (const [k, v] of parseAssignments(ins.raw, false)) {
        const val = v !== undefined ? expandVars(v, vars).value : stage ? globalArgs.get(k) : undefined;
        if (!stage) globalArgs.set(k, val);
        else if (!vars.has(k) || v !== undefined) vars.set(k, val);
      }
    } else if (ins.keyword === "ENV" && stage) {
      for (const [k, v] of parseAssignments(ins.raw, true)) {
        const val = expandVars(v ?? "", vars).value;
        vars.set(k, val);
        stage.env.set(k, val);
      }
    }
    if (stage) stage.instructions.push(full);
    else preamble.push(full);
  }
  return { file, text, globalArgs, preamble, stages, ...(dockerignore !== undefined ? { dockerignore } : {}) };
}

/** The stage the image ends with (the last one, unless a build target is chosen). */
export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

/** A stage's instructions followed by those of the stages it builds on, nearest first. */
export function lineage(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s; s = s.parent) out.push(s);
  return out;
}

/** The command text of a RUN (shell form, exec form joined, heredoc bodies appended). */
export function runCommand(ins: Instruction): string {
  let cmd = ins.rest.trim();
  if (cmd.startsWith("[")) {
    try {
      const arr = JSON.parse(cmd) as unknown;
      if (Array.isArray(arr)) cmd = arr.map(String).join(" ");
    } catch {
      /* not valid JSON: shell form after all */
    }
  }
  return [cmd, ...ins.heredocs].join("\n");
}
