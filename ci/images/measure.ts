// Measures a container image from its tarball: per-layer uncompressed sizes,
// the total, and each layer's diffID, so budgets can be checked and the layers
// of a base image recognised. Reads both formats the pipeline meets:
// `docker save` (manifest.json) and OCI image layouts (index.json), which is
// what Dagger's Container.asTarball() writes. Only the layers are streamed;
// nothing is unpacked to disk.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import zlib from "node:zlib";
import {
  TAR_BLOCK, TarFormatError, TarParser, applyExtendedHeaders, isExtendedHeader, parseHeaderBlock, parsePaxRecords, typeOf, type TarEntry,
} from "./tar.js";

export interface LayerFile {
  path: string;
  bytes: number;
}

export interface MeasuredLayer {
  /** sha256 of the uncompressed layer tar, as listed in the config's rootfs.diff_ids. */
  diffId: string;
  /**
   * What the layer unpacks to: regular file sizes (a hard link adds nothing) plus
   * symlink target lengths, as `du --apparent-size` counts files. Docker's
   * image Size is the same sum, except that some storage paths leave out the
   * symlinks; `symlinkBytes` says how much that can be.
   */
  bytes: number;
  symlinkBytes: number;
  /** Length of the uncompressed layer tar (headers and padding included). */
  tarBytes: number;
  /** Size of the blob as stored in the tarball (compressed or not). */
  storedBytes: number;
  fileCount: number;
  /** The instruction that made the layer (image history), when recorded. */
  createdBy: string;
  /** The largest files of the layer, biggest first. */
  largestFiles: LayerFile[];
  /**
   * With the contentDigests option: sha256 over the layer's entries (path, type, mode, owner,
   * size, link target and the sha256 of the data, sorted by path), so a layer an engine wrote
   * again from the same files (other tar headers, another diffID) is recognised.
   */
  contentDigest?: string;
}

export interface MeasuredImage {
  format: "docker-archive" | "oci-layout";
  /** Tags recorded in a docker-archive (empty for OCI layouts without a ref name). */
  tags: string[];
  /** sha256 of the image config: the image ID. */
  configDigest: string;
  layers: MeasuredLayer[];
  /** Sum of the layers' bytes: the image's uncompressed size. */
  totalBytes: number;
  labels: Record<string, string>;
}

export interface MeasureOptions {
  /** Which image of a multi-image docker-archive (a tag as in RepoTags). */
  image?: string;
  /** How many of each layer's largest files to keep (default 5). */
  largestFiles?: number;
  /** Sees every entry of every layer (for secret scans); return true to get the content through onFileData. */
  onFile?: (layerIndex: number, entry: TarEntry) => boolean | void;
  onFileData?: (layerIndex: number, entry: TarEntry, chunk: Uint8Array) => void;
  onFileEnd?: (layerIndex: number, entry: TarEntry) => void;
  /** Also compute each layer's contentDigest (hashes every file's data once more). */
  contentDigests?: boolean;
}

export class ImageTarballError extends Error {}

interface OuterEntry {
  offset: number;
  size: number;
}

/** Lists the regular-file members of an (uncompressed) tar file, reading headers only. */
async function indexTar(file: FileHandle, path: string): Promise<Map<string, OuterEntry>> {
  const members = new Map<string, OuterEntry>();
  const { size: fileSize } = await file.stat();
  const block = Buffer.alloc(TAR_BLOCK);
  await file.read(block, 0, 2, 0);
  if (block[0] === 0x1f && block[1] === 0x8b) {
    throw new ImageTarballError(`${path} is gzip-compressed; decompress it first (gunzip), image tarballs are read uncompressed`);
  }
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  let pos = 0;
  // Headers only: content is skipped by seeking, so a 1 GB tarball costs a few hundred reads.
  while (pos + TAR_BLOCK <= fileSize) {
    await file.read(block, 0, TAR_BLOCK, pos);
    let raw;
    try {
      raw = parseHeaderBlock(block, pos);
    } catch (err) {
      throw new ImageTarballError(`${path}: ${(err as Error).message}`);
    }
    if (raw === null) break;
    const dataAt = pos + TAR_BLOCK;
    if (isExtendedHeader(raw.typeflag)) {
      const data = Buffer.alloc(raw.size);
      await file.read(data, 0, raw.size, dataAt);
      if (raw.typeflag === "x") pax = parsePaxRecords(data);
      else if (raw.typeflag === "L") longName = data.toString("utf8").replace(/\0.*$/s, "");
      else if (raw.typeflag === "K") longLink = data.toString("utf8").replace(/\0.*$/s, "");
      pos = dataAt + Math.ceil(raw.size / TAR_BLOCK) * TAR_BLOCK;
      continue;
    }
    const { path: name, size } = applyExtendedHeaders(raw, pax, longName, longLink);
    pax = new Map();
    longName = longLink = null;
    if (dataAt + size > fileSize) throw new ImageTarballError(`${path} is truncated (ends inside ${name})`);
    if (typeOf(raw.typeflag) === "file") members.set(name.replace(/^\.\//, ""), { offset: dataAt, size });
    pos = dataAt + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return members;
}

async function readMember(file: FileHandle, members: Map<string, OuterEntry>, name: string, path: string): Promise<Buffer> {
  const m = members.get(name);
  if (!m) throw new ImageTarballError(`${path} has no ${name}; is it a \`docker save\` tarball or an OCI image layout?`);
  const buf = Buffer.alloc(m.size);
  await file.read(buf, 0, m.size, m.offset);
  return buf;
}

async function readJson<T>(file: FileHandle, members: Map<string, OuterEntry>, name: string, path: string): Promise<T> {
  const text = (await readMember(file, members, name, path)).toString("utf8");
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ImageTarballError(`${path}: ${name} is not valid JSON`);
  }
}

const blobPath = (digest: string) => `blobs/${digest.replace(":", "/")}`;

interface ImageConfig {
  config?: { Labels?: Record<string, string> | null };
  rootfs?: { diff_ids?: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

interface OciDescriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
  annotations?: Record<string, string>;
}

/** Resolves an OCI index down to one image manifest (linux/amd64 preferred, else the first). */
async function ociManifest(file: FileHandle, members: Map<string, OuterEntry>, path: string) {
  let index = await readJson<{ manifests?: OciDescriptor[] }>(file, members, "index.json", path);
  const tags: string[] = [];
  for (let depth = 0; depth < 4; depth++) {
    const list = index.manifests ?? [];
    if (list.length === 0) throw new ImageTarballError(`${path}: the OCI index lists no manifests`);
    const pick = list.find((d) => d.platform?.os === "linux" && d.platform?.architecture === "amd64") ?? list[0]!;
    const ref = pick.annotations?.["org.opencontainers.image.ref.name"] ?? pick.annotations?.["io.containerd.image.name"];
    if (ref) tags.push(ref);
    const doc = await readJson<{ manifests?: OciDescriptor[]; config?: OciDescriptor; layers?: OciDescriptor[]; mediaType?: string }>(
      file, members, blobPath(pick.digest), path,
    );
    if (doc.config && doc.layers) {
      return { configName: blobPath(doc.config.digest), layerNames: doc.layers.map((l) => blobPath(l.digest)), tags };
    }
    index = doc;
  }
  throw new ImageTarballError(`${path}: OCI index nests too deeply`);
}

function decompressorFor(magic: Buffer): NodeJS.ReadWriteStream | null {
  if (magic[0] === 0x1f && magic[1] === 0x8b) return zlib.createGunzip();
  if (magic.readUInt32LE(0) === 0xfd2fb528) {
    const z = zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream };
    if (!z.createZstdDecompress) throw new ImageTarballError("a layer is zstd-compressed and this Node has no zstd; export the image with gzip or uncompressed layers, or use Node ≥ 22.15");
    return z.createZstdDecompress();
  }
  return null;
}

async function measureLayer(
  file: FileHandle,
  path: string,
  member: OuterEntry,
  index: number,
  options: MeasureOptions,
): Promise<Omit<MeasuredLayer, "createdBy">> {
  const magic = Buffer.alloc(4);
  await file.read(magic, 0, 4, member.offset);
  const keep = options.largestFiles ?? 5;
  const hash = createHash("sha256");
  let tarBytes = 0;
  let bytes = 0;
  let symlinkBytes = 0;
  let fileCount = 0;
  let largest: LayerFile[] = [];
  const content = options.contentDigests ? new LayerContent() : null;
  let asked = false;
  const parser = new TarParser({
    onEntry: (entry) => {
      fileCount++;
      content?.entry(entry);
      // Regular files by size, symlinks by target length (their lstat size), hard links not again.
      const link = entry.type === "symlink" ? Buffer.byteLength(entry.linkTarget) : 0;
      symlinkBytes += link;
      bytes += (entry.type === "file" ? entry.size : 0) + link;
      if (entry.type === "file" && keep > 0 && (largest.length < keep || entry.size > largest.at(-1)!.bytes)) {
        largest.push({ path: entry.path.replace(/^\.?\//, ""), bytes: entry.size });
        largest.sort((a, b) => b.bytes - a.bytes);
        largest = largest.slice(0, keep);
      }
      asked = options.onFile?.(index, entry) === true;
      return asked || (content !== null && entry.type === "file");
    },
    onData: (entry, chunk) => {
      content?.data(chunk);
      if (asked) options.onFileData?.(index, entry, chunk);
    },
    onEntryEnd: (entry) => options.onFileEnd?.(index, entry),
  });
  const raw = createReadStream("", { fd: file.fd, autoClose: false, start: member.offset, end: member.offset + member.size - 1 });
  const decompress = decompressorFor(magic);
  const stream: NodeJS.ReadableStream = decompress ? raw.pipe(decompress) : raw;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      tarBytes += chunk.length;
      parser.push(chunk);
    }
    parser.end();
  } catch (err) {
    if (err instanceof TarFormatError || (err as NodeJS.ErrnoException).code?.startsWith("Z_")) {
      throw new ImageTarballError(`${path}: layer ${index + 1} is not a readable tar (${(err as Error).message})`);
    }
    throw err;
  }
  return {
    diffId: `sha256:${hash.digest("hex")}`, bytes, symlinkBytes, tarBytes, storedBytes: member.size, fileCount, largestFiles: largest,
    ...(content ? { contentDigest: content.digest() } : {}),
  };
}

/** Accumulates a layer's contentDigest: one line per entry (its data hashed as it streams), sorted by path. */
class LayerContent {
  private readonly lines: string[] = [];
  private current: { line: string; hash: ReturnType<typeof createHash> | null } | null = null;

  entry(entry: TarEntry): void {
    this.finish();
    // "./etc/x" and "etc/x" are the same file; the root directory entry is left out by some writers.
    const path = entry.path.replace(/^\.?\//, "").replace(/\/$/, "");
    if (path === "" || path === ".") return;
    const link = entry.type === "hardlink" ? entry.linkTarget.replace(/^\.?\//, "") : entry.linkTarget;
    const line = [JSON.stringify(path), entry.type, (entry.mode & 0o7777).toString(8), entry.uid, entry.gid, entry.type === "file" ? entry.size : 0, JSON.stringify(link)].join(" ");
    this.current = { line, hash: entry.type === "file" ? createHash("sha256") : null };
  }

  data(chunk: Uint8Array): void {
    this.current?.hash?.update(chunk);
  }

  digest(): string {
    this.finish();
    const all = createHash("sha256");
    for (const line of this.lines.sort()) all.update(`${line}\n`);
    return `sha256:${all.digest("hex")}`;
  }

  private finish(): void {
    if (!this.current) return;
    this.lines.push(this.current.hash ? `${this.current.line} ${this.current.hash.digest("hex")}` : this.current.line);
    this.current = null;
  }
}

/** Measures the image in a `docker save` tarball or an OCI image layout tarball. */
export async function measureImageTarball(path: string, options: MeasureOptions = {}): Promise<MeasuredImage> {
  let file: FileHandle;
  try {
    file = await open(path, "r");
  } catch (err) {
    throw new ImageTarballError(`cannot open image tarball ${path}: ${(err as Error).message}`);
  }
  try {
    const members = await indexTar(file, path);
    let format: MeasuredImage["format"];
    let configName: string;
    let layerNames: string[];
    let tags: string[];
    if (members.has("manifest.json")) {
      format = "docker-archive";
      const manifest = await readJson<Array<{ Config: string; RepoTags?: string[] | null; Layers: string[] }>>(file, members, "manifest.json", path);
      const wanted = options.image;
      const entry = wanted ? manifest.find((m) => (m.RepoTags ?? []).includes(wanted)) : manifest.length === 1 ? manifest[0] : undefined;
      if (!entry) {
        const all = manifest.map((m) => (m.RepoTags ?? []).join(",") || m.Config).join("; ");
        throw new ImageTarballError(
          wanted ? `${path} has no image tagged ${wanted} (it has: ${all})` : `${path} holds ${manifest.length} images (${all}); say which with the image option`,
        );
      }
      ({ Config: configName, Layers: layerNames } = entry);
      tags = entry.RepoTags ?? [];
      // Docker ≥ 25 writes OCI blobs and manifest.json together; both name the same files.
      if (!members.has(configName) && members.has(configName.replace(/^/, "blobs/sha256/"))) configName = `blobs/sha256/${configName}`;
    } else if (members.has("index.json")) {
      format = "oci-layout";
      ({ configName, layerNames, tags } = await ociManifest(file, members, path));
    } else {
      throw new ImageTarballError(`${path} has neither manifest.json (docker save) nor index.json (OCI layout); it is not an image tarball`);
    }
    const configBytes = await readMember(file, members, configName, path);
    const config = JSON.parse(configBytes.toString("utf8")) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layerNames.length) {
      throw new ImageTarballError(`${path}: the config lists ${diffIds.length} diffIDs for ${layerNames.length} layers`);
    }
    // History entries with empty_layer made no layer; the others map to layers in order.
    const createdBy = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? "");
    const layers: MeasuredLayer[] = [];
    for (const [i, name] of layerNames.entries()) {
      const member = members.get(name);
      if (!member) throw new ImageTarballError(`${path}: layer ${name} is listed but missing from the tarball`);
      const layer = await measureLayer(file, path, member, i, options);
      if (layer.diffId !== diffIds[i]) {
        throw new ImageTarballError(`${path}: layer ${i + 1} unpacks to ${layer.diffId}, but the config says ${diffIds[i]}; the tarball is corrupt`);
      }
      layers.push({ ...layer, createdBy: createdBy.length === layerNames.length ? createdBy[i]! : "" });
    }
    return {
      format,
      tags,
      configDigest: `sha256:${createHash("sha256").update(configBytes).digest("hex")}`,
      layers,
      totalBytes: layers.reduce((sum, l) => sum + l.bytes, 0),
      labels: config.config?.Labels ?? {},
    };
  } finally {
    await file.close();
  }
}
