/*
 * Test-only: the Kubernetes protobuf wire format (`application/vnd.kubernetes.protobuf`)
 * for the request bodies client-go's typed clients send — helm's Secret release store
 * writes Secrets this way. The envelope is the `k8s\0` magic and a `runtime.Unknown`
 * holding the object's own message; only the kinds and fields decoded here are
 * understood, and anything else is refused, so a client sending more fails loudly.
 */

/** A protobuf body the emulator does not understand. */
export class ProtobufBodyError extends Error {}

/** The media type of Kubernetes protobuf bodies. */
export const KUBE_PROTOBUF = "application/vnd.kubernetes.protobuf";

type Field = { number: number; wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new ProtobufBodyError("truncated varint");
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ number, wire, value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      const end = after + Number(length);
      if (end > buf.length) throw new ProtobufBodyError("truncated field");
      out.push({ number, wire, value: buf.subarray(after, end) });
      at = end;
    } else {
      throw new ProtobufBodyError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const bytesOf = (f: Field): Buffer => {
  if (!Buffer.isBuffer(f.value)) throw new ProtobufBodyError(`field ${f.number}: expected bytes`);
  return f.value;
};
const text = (f: Field) => bytesOf(f).toString("utf8");
const mapEntry = (f: Field): [string, Buffer] => {
  let key = "";
  let value: Buffer = Buffer.alloc(0);
  for (const e of fields(bytesOf(f))) {
    if (e.number === 1) key = text(e);
    else if (e.number === 2) value = bytesOf(e);
  }
  return [key, value];
};

function time(f: Field): string | null {
  let seconds = 0n;
  for (const e of fields(bytesOf(f))) if (e.number === 1) seconds = e.value as bigint;
  if (bytesOf(f).length === 0) return null;
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const f of fields(buf)) {
    switch (f.number) {
      case 1:
        meta.name = text(f);
        break;
      case 2:
        if (text(f)) meta.generateName = text(f);
        break;
      case 3:
        if (text(f)) meta.namespace = text(f);
        break;
      case 4:
        break; // selfLink: ignored by the server
      case 5:
        if (text(f)) meta.uid = text(f);
        break;
      case 6:
        if (text(f)) meta.resourceVersion = text(f);
        break;
      case 7:
        if (f.value !== 0n) meta.generation = Number(f.value);
        break;
      case 8: {
        const t = time(f);
        if (t) meta.creationTimestamp = t;
        break;
      }
      case 11: {
        const [k, v] = mapEntry(f);
        labels[k] = v.toString("utf8");
        break;
      }
      case 12: {
        const [k, v] = mapEntry(f);
        annotations[k] = v.toString("utf8");
        break;
      }
      case 14:
        meta.finalizers = [...((meta.finalizers as string[]) ?? []), text(f)];
        break;
      default:
        throw new ProtobufBodyError(`ObjectMeta field ${f.number} is not supported`);
    }
  }
  if (Object.keys(labels).length) meta.labels = labels;
  if (Object.keys(annotations).length) meta.annotations = annotations;
  return meta;
}

function secret(buf: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: "v1", kind: "Secret", metadata: {} };
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  for (const f of fields(buf)) {
    switch (f.number) {
      case 1:
        out.metadata = objectMeta(bytesOf(f));
        break;
      case 2: {
        const [k, v] = mapEntry(f);
        data[k] = v.toString("base64");
        break;
      }
      case 3:
        if (text(f)) out.type = text(f);
        break;
      case 4: {
        const [k, v] = mapEntry(f);
        stringData[k] = v.toString("utf8");
        break;
      }
      case 5:
        out.immutable = f.value !== 0n;
        break;
      default:
        throw new ProtobufBodyError(`Secret field ${f.number} is not supported`);
    }
  }
  // As the API server does: stringData is merged into data on write.
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v).toString("base64");
  if (Object.keys(data).length) out.data = data;
  return out;
}

const decoders: Record<string, (buf: Buffer) => Record<string, unknown>> = {
  "v1/Secret": secret,
};

/** Decodes a protobuf request body into the object's JSON form. */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString("latin1") !== "k8s\0") {
    throw new ProtobufBodyError("missing the k8s protobuf magic");
  }
  let apiVersion = "";
  let kind = "";
  let raw: Buffer | null = null;
  for (const f of fields(body.subarray(4))) {
    if (f.number === 1) {
      for (const t of fields(bytesOf(f))) {
        if (t.number === 1) apiVersion = text(t);
        if (t.number === 2) kind = text(t);
      }
    } else if (f.number === 2) raw = bytesOf(f);
    else if ((f.number === 3 || f.number === 4) && text(f) !== "") {
      throw new ProtobufBodyError(`runtime.Unknown field ${f.number} must be empty`);
    }
  }
  const decode = decoders[`${apiVersion}/${kind}`];
  if (!decode || !raw)
    throw new ProtobufBodyError(`${apiVersion}/${kind} in protobuf is not supported`);
  return decode(raw);
}
