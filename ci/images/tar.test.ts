import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TarFormatError, TarParser, parsePaxRecords, type TarEntry } from "./tar.js";

const dir = mkdtempSync(join(tmpdir(), "tar-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const longName = `${"deep/".repeat(30)}${"x".repeat(120)}.txt`; // > 255 bytes: needs pax or GNU long names

function makeTree(): string {
  const root = join(dir, "tree");
  mkdirSync(join(root, longName, ".."), { recursive: true });
  writeFileSync(join(root, longName), "long");
  writeFileSync(join(root, "a.bin"), Buffer.alloc(1500, 1));
  writeFileSync(join(root, "empty"), "");
  linkSync(join(root, "a.bin"), join(root, "hard.bin"));
  symlinkSync("a.bin", join(root, "link"));
  return root;
}
const tree = makeTree();

function gnuTar(format: string): Buffer {
  return execFileSync("tar", ["-C", tree, `--format=${format}`, "--sort=name", "-cf", "-", "."], { maxBuffer: 1 << 26 });
}

function parseAll(archive: Buffer, chunkSize: number): { entries: TarEntry[]; contents: Map<string, string> } {
  const entries: TarEntry[] = [];
  const contents = new Map<string, string>();
  const parser = new TarParser({
    onEntry: (e) => {
      entries.push(e);
      return e.size < 100;
    },
    onData: (e, chunk) => contents.set(e.path, (contents.get(e.path) ?? "") + Buffer.from(chunk).toString()),
  });
  for (let i = 0; i < archive.length; i += chunkSize) parser.push(archive.subarray(i, i + chunkSize));
  parser.end();
  return { entries, contents };
}

describe("TarParser", () => {
  for (const format of ["gnu", "pax", "ustar"]) {
    it(`reads GNU tar's ${format} output, fed in odd-sized chunks, as tar itself lists it`, () => {
      if (format === "ustar") {
        // ustar cannot store a name this long; tar must refuse rather than truncate, so this format gets the short names only.
        expect(() => gnuTar(format)).toThrow();
        return;
      }
      const archive = gnuTar(format);
      const listed = execFileSync("tar", ["-tf", "-"], { input: archive }).toString().trim().split("\n").filter((l) => !l.endsWith("/"));
      for (const chunkSize of [7, 512, 100_000]) {
        const { entries, contents } = parseAll(archive, chunkSize);
        const byPath = new Map(entries.map((e) => [e.path, e]));
        expect(entries.filter((e) => e.type !== "directory").map((e) => e.path).sort()).toEqual(listed.sort());
        expect(byPath.get(`./${longName}`)?.size).toBe(4);
        expect(contents.get(`./${longName}`)).toBe("long");
        expect(byPath.get("./a.bin")).toMatchObject({ type: "file", size: 1500 });
        expect(byPath.get("./hard.bin")).toMatchObject({ type: "hardlink", size: 0, linkTarget: "./a.bin" });
        expect(byPath.get("./link")).toMatchObject({ type: "symlink", linkTarget: "a.bin" });
        expect(byPath.get("./empty")).toMatchObject({ type: "file", size: 0 });
      }
    });
  }

  it("rejects bytes that are not a tar archive, naming the offset", () => {
    const parser = new TarParser();
    expect(() => parser.push(Buffer.alloc(512, 65))).toThrow(TarFormatError);
    expect(() => new TarParser().push(Buffer.alloc(512, 65))).toThrow(/bad header checksum at byte 0/);
  });

  it("reports an archive cut off inside an entry", () => {
    const archive = gnuTar("gnu");
    const parser = new TarParser();
    parser.push(archive.subarray(0, archive.indexOf(Buffer.alloc(1500, 1)) + 100));
    expect(() => parser.end()).toThrow(/truncated/);
  });

  it("reads pax records whose lengths count bytes, not characters", () => {
    const record = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let len = Buffer.byteLength(body) + 2;
      if (String(len).length + Buffer.byteLength(body) !== len) len = String(len + 1).length + Buffer.byteLength(body);
      return `${len}${body}`;
    };
    const data = Buffer.from(record("path", "ünïcödé/fïle") + record("size", "12345678901"));
    const records = parsePaxRecords(data);
    expect(records.get("path")).toBe("ünïcödé/fïle");
    expect(records.get("size")).toBe("12345678901");
  });

  it("reads the same entries from an archive written by tar as from the file system", () => {
    const archive = gnuTar("pax");
    const { contents } = parseAll(archive, 4096);
    expect(contents.get("./link")).toBeUndefined(); // links carry no content
    expect(readFileSync(join(tree, longName), "utf8")).toBe(contents.get(`./${longName}`));
  });
});
