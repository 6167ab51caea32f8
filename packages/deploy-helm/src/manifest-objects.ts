import { parseAllDocuments } from "yaml";

/** One object of a rendered manifest. */
export interface ManifestObject {
  kind: string;
  name: string;
  object: Record<string, unknown>;
}

/** The Kubernetes objects of a multi-document manifest (as `helm template` prints it). */
export function manifestObjects(text: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) continue;
    const value = doc.toJS() as Record<string, unknown> | null;
    if (!value || typeof value !== "object") continue;
    const metadata = value.metadata as { name?: unknown } | undefined;
    if (typeof value.kind !== "string" || typeof metadata?.name !== "string") continue;
    out.push({ kind: value.kind, name: metadata.name, object: value });
  }
  return out;
}

/** Container images of the workloads in a manifest. */
export function manifestImages(objects: readonly ManifestObject[]): string[] {
  return objects.flatMap((o) => {
    const spec = o.object.spec as
      | { template?: { spec?: { containers?: { image?: string }[] } } }
      | undefined;
    return (spec?.template?.spec?.containers ?? []).map((c) => c.image ?? "");
  });
}
