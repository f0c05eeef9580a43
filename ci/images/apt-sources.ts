// The machine's own Debian mirror, from its apt sources (one-line
// /etc/apt/sources.list and *.list, deb822 *.sources), so debootstrap and apt
// in the local images use whatever mirror or proxy the machine is set up with. Pure.

export interface AptSource {
  /** File it came from, for messages. */
  file: string;
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
}

/** Entries of a one-line sources.list (`deb [opts] uri suite comp...`). */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, "").replace(/\[[^\]]*\]/, " ").trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (!type || !uri || !suite || !/^deb(-src)?$/.test(type)) continue;
    out.push({ file, types: [type], uris: [uri], suites: [suite], components, enabled: true });
  }
  return out;
}

/** Stanzas of a deb822 .sources file. */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\r?\n\s*\r?\n/)) {
    const fields = new Map<string, string>();
    let last = "";
    for (const line of stanza.split(/\r?\n/)) {
      if (/^\s*#/.test(line) || !line.trim()) continue;
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last)} ${line.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((last = m[1]!.toLowerCase()), m[2]!.trim());
    }
    const list = (k: string) => (fields.get(k) ?? "").split(/\s+/).filter(Boolean);
    if (!fields.has("uris")) continue;
    out.push({ file, types: list("types"), uris: list("uris"), suites: list("suites"), components: list("components"), enabled: !/^no$/i.test(fields.get("enabled") ?? "yes") });
  }
  return out;
}

export function parseAptSources(files: Record<string, string>): AptSource[] {
  return Object.entries(files).flatMap(([file, text]) => (file.endsWith(".sources") ? parseDeb822Sources(text, file) : parseOneLineSources(text, file)));
}

/**
 * The mirror debootstrap should use for `suite`: the first enabled binary (deb)
 * source carrying that suite with the main component. Errors say what to fix.
 */
export function debianMirror(files: Record<string, string>, suite: string): string {
  const names = Object.keys(files);
  const sources = parseAptSources(files);
  const hit = sources.find((s) => s.enabled && s.types.includes("deb") && s.suites.includes(suite) && s.components.includes("main"));
  if (!hit) {
    throw new Error(
      `no apt source for Debian ${suite} main in ${names.join(", ") || "(no apt source files)"}: add one (e.g. /etc/apt/sources.list.d/debian.sources with URIs: <your mirror>, Suites: ${suite}, Components: main)`,
    );
  }
  return hit.uris[0]!.replace(/\/+$/, "");
}
