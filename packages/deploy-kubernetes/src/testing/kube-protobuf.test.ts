import { describe, expect, it } from "vitest";
import { decodeKubeProtobuf, ProtobufBodyError } from "./kube-protobuf.js";

/** Protobuf encoding, just enough for the envelope and a Secret. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
};
const bytes = (field: number, value: Buffer | string): Buffer => {
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.from([...varint((field << 3) | 2), ...varint(b.length), ...b]);
};
const entry = (field: number, key: string, value: string) =>
  bytes(field, Buffer.concat([bytes(1, key), bytes(2, value)]));
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from("k8s\0", "latin1"),
    bytes(1, Buffer.concat([bytes(1, apiVersion), bytes(2, kind)])),
    bytes(2, raw),
  ]);

describe("Kubernetes protobuf request bodies", () => {
  it("decodes a Secret as helm's release store writes it", () => {
    const meta = Buffer.concat([
      bytes(1, "sh.helm.release.v1.shop.v1"),
      entry(11, "owner", "helm"),
    ]);
    const secret = Buffer.concat([
      bytes(1, meta),
      entry(2, "release", "H4sI"),
      bytes(3, "helm.sh/release.v1"),
    ]);
    expect(decodeKubeProtobuf(envelope("v1", "Secret", secret))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "sh.helm.release.v1.shop.v1", labels: { owner: "helm" } },
      data: { release: Buffer.from("H4sI").toString("base64") },
      type: "helm.sh/release.v1",
    });
  });

  it("refuses kinds and fields it does not decode", () => {
    expect(() => decodeKubeProtobuf(envelope("v1", "ConfigMap", Buffer.alloc(0)))).toThrow(
      ProtobufBodyError,
    );
    const unknownField = Buffer.concat([bytes(1, Buffer.alloc(0)), bytes(9, "x")]);
    expect(() => decodeKubeProtobuf(envelope("v1", "Secret", unknownField))).toThrow(
      /Secret field 9 is not supported/,
    );
    expect(() => decodeKubeProtobuf(Buffer.from("{}"))).toThrow(/magic/);
  });
});
