// A streaming reader of tar archives (ustar, pax and GNU long names), fed in
// chunks of any size. Pure: no I/O. Used for image tarballs (to index their
// blobs) and for each layer (to count what it unpacks to).

export type TarEntryType = "file" | "hardlink" | "symlink" | "directory" | "other";

export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Bytes of content that follow the header (0 for links and directories). */
  size: number;
  linkTarget: string;
  mode: number;
  uid: number;
  gid: number;
  /** Offset of the entry's content from the start of the archive. */
  dataOffset: number;
}

export interface TarHandlers {
  /** Called for each entry; return true to receive its content through onData. */
  onEntry?: (entry: TarEntry) => boolean | void;
  onData?: (entry: TarEntry, chunk: Uint8Array) => void;
  onEntryEnd?: (entry: TarEntry) => void;
}

export class TarFormatError extends Error {}

const BLOCK = 512;

function cString(buf: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && buf[end] !== 0) end++;
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("utf8");
}

/** Numeric header field: octal text, or base-256 when the high bit is set (GNU, for sizes ≥ 8 GiB). */
function numeric(buf: Uint8Array, start: number, length: number): number {
  if ((buf[start]! & 0x80) !== 0) {
    let value = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + buf[i]!;
    return value;
  }
  const text = cString(buf, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`bad numeric field "${text}" in a tar header`);
  return parseInt(text, 8);
}

function checksumOk(header: Uint8Array): boolean {
  let stored: number;
  try {
    stored = numeric(header, 148, 8);
  } catch {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === stored;
}

/** Parses pax extended-header records ("<len> key=value\n"; len counts bytes). */
export function parsePaxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) break;
    const length = parseInt(buf.toString("ascii", pos, space), 10);
    if (!Number.isFinite(length) || length <= space - pos) break;
    const record = buf.toString("utf8", space + 1, pos + length);
    const eq = record.indexOf("=");
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1).replace(/\n$/, ""));
    pos += length;
  }
  return records;
}


const TYPES: Record<string, TarEntryType> = {
  "0": "file", "\0": "file", "7": "file", "1": "hardlink", "2": "symlink", "5": "directory",
};

export interface RawHeader {
  path: string;
  typeflag: string;
  size: number;
  linkTarget: string;
  mode: number;
  uid: number;
  gid: number;
}

/** Parses one 512-byte header block; null for a zero block (end of archive). */
export function parseHeaderBlock(h: Uint8Array, at = 0): RawHeader | null {
  if (h.length < BLOCK) throw new TarFormatError(`tar archive is truncated at byte ${at}`);
  if (h.subarray(0, BLOCK).every((b) => b === 0)) return null;
  if (!checksumOk(h)) throw new TarFormatError(`not a tar archive (bad header checksum at byte ${at})`);
  let path = cString(h, 0, 100);
  if (cString(h, 257, 6).startsWith("ustar")) {
    const prefix = cString(h, 345, 155);
    if (prefix) path = `${prefix}/${path}`;
  }
  return {
    path,
    typeflag: String.fromCharCode(h[156]!),
    size: numeric(h, 124, 12),
    linkTarget: cString(h, 157, 100),
    mode: numeric(h, 100, 8),
    uid: numeric(h, 108, 8),
    gid: numeric(h, 116, 8),
  };
}

/** Name, link target and size of an entry after pax / GNU long-name headers are applied. */
export function applyExtendedHeaders(raw: RawHeader, pax: Map<string, string>, longName: string | null, longLink: string | null) {
  return {
    path: pax.get("path") ?? longName ?? raw.path,
    linkTarget: pax.get("linkpath") ?? longLink ?? raw.linkTarget,
    size: pax.has("size") ? Number(pax.get("size")) : raw.size,
  };
}

export const isExtendedHeader = (typeflag: string) => typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K";
export const typeOf = (typeflag: string): TarEntryType => TYPES[typeflag] ?? "other";
export const TAR_BLOCK = BLOCK;

export class TarParser {
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private remaining = 0; // content bytes of the current entry still to come
  private padding = 0;
  private offset = 0; // bytes consumed so far
  private current: TarEntry | null = null;
  private deliver = false;
  private meta: { kind: "pax" | "globalpax" | "longname" | "longlink"; chunks: Uint8Array[] } | null = null;
  private pax = new Map<string, string>();
  private longName: string | null = null;
  private longLink: string | null = null;
  private ended = false;

  constructor(private readonly handlers: TarHandlers = {}) {}

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.ended) {
        this.offset += chunk.length - pos; // trailing zero blocks / padding after end-of-archive
        return;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - pos);
        const part = chunk.subarray(pos, pos + n);
        if (this.meta) this.meta.chunks.push(part.slice());
        else if (this.deliver && this.current) this.handlers.onData?.(this.current, part);
        this.remaining -= n;
        pos += n;
        this.offset += n;
        if (this.remaining === 0) this.finishContent();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - pos);
        this.padding -= n;
        pos += n;
        this.offset += n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - pos);
      this.header.set(chunk.subarray(pos, pos + n), this.headerFill);
      this.headerFill += n;
      pos += n;
      this.offset += n;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.readHeader();
      }
    }
  }

  /** Declares the input complete; throws if it stopped inside an entry. */
  end(): void {
    if (this.remaining > 0 || this.headerFill > 0 || this.meta) {
      throw new TarFormatError(`tar archive is truncated at byte ${this.offset}`);
    }
  }

  private readHeader(): void {
    const raw = parseHeaderBlock(this.header, this.offset - BLOCK);
    if (raw === null) {
      this.ended = true; // end-of-archive marker
      return;
    }
    this.remaining = raw.size;
    this.padding = (BLOCK - (raw.size % BLOCK)) % BLOCK;
    if (isExtendedHeader(raw.typeflag)) {
      const kind = raw.typeflag === "x" ? "pax" : raw.typeflag === "g" ? "globalpax" : raw.typeflag === "L" ? "longname" : "longlink";
      this.meta = { kind, chunks: [] };
      if (raw.size === 0) this.finishContent();
      return;
    }
    const { path, linkTarget, size } = applyExtendedHeaders(raw, this.pax, this.longName, this.longLink);
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.pax = new Map();
    this.longName = null;
    this.longLink = null;
    const entry: TarEntry = {
      path, type: typeOf(raw.typeflag), size, linkTarget, mode: raw.mode, uid: raw.uid, gid: raw.gid, dataOffset: this.offset,
    };
    this.current = entry;
    this.deliver = this.handlers.onEntry?.(entry) === true;
    if (this.remaining === 0) this.finishContent();
  }

  private finishContent(): void {
    if (this.meta) {
      const data = Buffer.concat(this.meta.chunks);
      if (this.meta.kind === "pax") {
        this.pax = parsePaxRecords(data);
      } else if (this.meta.kind === "globalpax") {
        // Global pax records (archive comments, mtimes) change no sizes or names we use.
      } else {
        const name = cString(data, 0, data.length);
        if (this.meta.kind === "longname") this.longName = name;
        else this.longLink = name;
      }
      this.meta = null;
      return;
    }
    if (this.current) this.handlers.onEntryEnd?.(this.current);
    this.current = null;
    this.deliver = false;
  }
}
