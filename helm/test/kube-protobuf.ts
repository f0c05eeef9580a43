// Just enough of Kubernetes' protobuf encoding to read the Secrets helm stores
// its releases in (client-go sends core types as protobuf): the "k8s\0"
// envelope (runtime.Unknown), v1.Secret and its ObjectMeta. Everything else
// helm sends is JSON.

type Field = { num: number; wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

export function decodeFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      out.push({ num, wire, value: v });
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      out.push({ num, wire, value: buf.subarray(p2, end) });
      pos = end;
    } else if (wire === 1) {
      out.push({ num, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ num, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  return out;
}

const str = (f: Field) => (f.value as Buffer).toString("utf8");

function mapEntry(f: Field): [string, Buffer] {
  const inner = decodeFields(f.value as Buffer);
  const k = inner.find((x) => x.num === 1);
  const v = inner.find((x) => x.num === 2);
  return [k ? str(k) : "", v ? (v.value as Buffer) : Buffer.alloc(0)];
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const f of decodeFields(buf)) {
    if (f.num === 1) meta.name = str(f);
    else if (f.num === 3) meta.namespace = str(f);
    else if (f.num === 6) meta.resourceVersion = str(f);
    else if (f.num === 11) {
      const [k, v] = mapEntry(f);
      labels[k] = v.toString("utf8");
    } else if (f.num === 12) {
      const [k, v] = mapEntry(f);
      annotations[k] = v.toString("utf8");
    }
  }
  meta.labels = labels;
  meta.annotations = annotations;
  return meta;
}

/** Decodes a protobuf-encoded v1.Secret request body into its JSON form. */
export function decodeSecret(body: Buffer): Record<string, unknown> {
  if (body.subarray(0, 4).toString("latin1") !== "k8s\0") throw new Error("not a Kubernetes protobuf envelope");
  const unknown = decodeFields(body.subarray(4));
  const raw = unknown.find((f) => f.num === 2)?.value as Buffer | undefined;
  if (!raw) throw new Error("protobuf envelope without an object");
  const secret: Record<string, unknown> = { apiVersion: "v1", kind: "Secret" };
  const data: Record<string, string> = {};
  for (const f of decodeFields(raw)) {
    if (f.num === 1) secret.metadata = objectMeta(f.value as Buffer);
    else if (f.num === 2) {
      const [k, v] = mapEntry(f);
      data[k] = v.toString("base64");
    } else if (f.num === 3) secret.type = str(f);
  }
  secret.data = data;
  return secret;
}
