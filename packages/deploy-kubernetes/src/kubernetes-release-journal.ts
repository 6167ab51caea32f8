import type { V1Lease } from "@kubernetes/client-node";
import {
  abortedError,
  type CallOptions,
  type JournalRead,
  type JournalRecord,
  parseJournalLines,
  type ReleaseJournal,
  ShipgateError,
  seqConflict,
  serializeJournalRecord,
} from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { KubeClients } from "./kube-clients.js";
import { safely } from "./kube-object-api.js";
import { leaseNameFor } from "./kubernetes-lease-lock.js";
import { shipgateLease } from "./shipgate-lease.js";

/** Annotation holding the journal as JSON lines. */
export const JOURNAL_ANNOTATION = "shipgate.dev/journal";

/** The API server refuses more than 256 KiB of annotations on one object. */
const ANNOTATIONS_LIMIT_BYTES = 262_144;

/** Options of {@link createKubernetesReleaseJournal}. */
export interface KubernetesReleaseJournalOptions {
  /** Clients of the context and namespace the release Leases live in. */
  clients: KubeClients;
  /** Name prefix of the journal objects; the service follows (default `shipgate-journal-`). */
  namePrefix?: string;
  /** The most one release's journal may hold (default 192 KiB, under the API server's 256 KiB). */
  maxBytes?: number;
}

/**
 * A {@link ReleaseJournal} next to the Lease lock: one `coordination.k8s.io/v1` Lease per
 * service (`shipgate-journal-<service>`, never held — only its annotations are used), the
 * journal as JSON lines in the `shipgate.dev/journal` annotation. Every write is an update
 * carrying the `resourceVersion` it read, so it is atomic: of two runners appending the same
 * record, the API server lets one win (409 for the other). Once the server answers, the
 * record is in etcd: durable, and readable by a runner on another machine that takes the
 * lock over. It outlives the lock (which is deleted when a release ends), so `status`
 * can show the last release. Bounded: one release's journal, at most `maxBytes`.
 *
 * @example
 * ```ts
 * const journal = createKubernetesReleaseJournal({ clients });
 * const stack = { ...parts, lock: createKubernetesLeaseLock({ clients }), journal };
 * ```
 */
export function createKubernetesReleaseJournal(
  options: KubernetesReleaseJournalOptions,
): ReleaseJournal {
  const { clients } = options;
  const namespace = clients.namespace;
  const prefix = options.namePrefix ?? "shipgate-journal-";
  const maxBytes = Math.min(options.maxBytes ?? 196_608, ANNOTATIONS_LIMIT_BYTES - 4096);
  const api = clients.coordination;
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  const ref = (service: string) => `${namespace}/${leaseNameFor(service, prefix)}`;

  const get = (name: string, signal: AbortSignal): ResultAsync<V1Lease | null, ShipgateError> =>
    clients
      .request<V1Lease | null>(`GET ${collection}/${name}`, signal, (o) =>
        api.readNamespacedLease({ name, namespace }, o),
      )
      .orElse((e) => (e.kind === "not_found" ? okAsync(null) : errAsync(e)));

  const body = (name: string, service: string, text: string, base: V1Lease | null): V1Lease =>
    shipgateLease({
      name,
      namespace,
      base,
      annotations: { [JOURNAL_ANNOTATION]: text, "shipgate.dev/service": service },
      spec: base?.spec ?? {},
    });

  const write = (
    name: string,
    service: string,
    text: string,
    base: V1Lease | null,
    signal: AbortSignal,
  ) => {
    if (Buffer.byteLength(text, "utf8") > maxBytes)
      return errAsync<void, ShipgateError>(
        new ShipgateError(
          "precondition_failed",
          `The release journal ${ref(service)} would exceed ${maxBytes} bytes`,
          {
            hint: "One release journals a few dozen records; this one is far longer than any release should be",
          },
        ),
      );
    return base
      ? clients
          .request(`PUT ${collection}/${name}`, signal, (o) =>
            api.replaceNamespacedLease(
              { name, namespace, body: body(name, service, text, base) },
              o,
            ),
          )
          .map(() => undefined)
      : clients
          .request(`POST ${collection}`, signal, (o) =>
            api.createNamespacedLease({ namespace, body: body(name, service, text, null) }, o),
          )
          .map(() => undefined);
  };

  const parse = (
    lease: V1Lease | null,
    service: string,
  ): ResultAsync<JournalRead | null, ShipgateError> => {
    const text = lease?.metadata?.annotations?.[JOURNAL_ANNOTATION];
    if (!lease || text === undefined) return okAsync(null);
    const parsed = parseJournalLines(text, ref(service));
    return parsed.isOk() ? okAsync(parsed.value) : errAsync(parsed.error);
  };

  return {
    name: "@shipgate/deploy-kubernetes (Lease journal)",

    read(service: string, { signal }: CallOptions) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const name = leaseNameFor(service, prefix);
      return safely(() => get(name, signal).andThen((lease) => parse(lease, service)));
    },

    begin(service: string, first: JournalRecord, { signal }: CallOptions) {
      if (signal.aborted) return errAsync(abortedError(signal));
      if (first.seq !== 1) return errAsync(seqConflict(ref(service), 1, first.seq));
      const line = serializeJournalRecord(first);
      if (line.isErr()) return errAsync(line.error);
      const name = leaseNameFor(service, prefix);
      return safely(() =>
        get(name, signal)
          .andThen((lease) => write(name, service, line.value, lease, signal))
          .map(() => ({ ref: ref(service) })),
      );
    },

    append(service: string, record: JournalRecord, { signal }: CallOptions) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const line = serializeJournalRecord(record);
      if (line.isErr()) return errAsync(line.error);
      const name = leaseNameFor(service, prefix);
      const attempt = (left: number): ResultAsync<void, ShipgateError> =>
        get(name, signal).andThen((lease) =>
          parse(lease, service).andThen((read) => {
            if (!lease || !read)
              return errAsync<void, ShipgateError>(
                new ShipgateError("not_found", `No release journal ${ref(service)} to append to`, {
                  hint: "A release begins its journal before appending",
                }),
              );
            const expected = (read.records.at(-1)?.seq ?? 0) + 1;
            if (record.seq !== expected)
              return errAsync<void, ShipgateError>(seqConflict(ref(service), expected, record.seq));
            const text = lease.metadata?.annotations?.[JOURNAL_ANNOTATION] ?? "";
            // A record cut short cannot happen here (each update is all or nothing); drop one anyway.
            const kept = read.truncatedTail ? text.slice(0, text.lastIndexOf("\n") + 1) : text;
            // 409: someone else updated it since we read; look again (their record may be this seq).
            return write(name, service, kept + line.value, lease, signal).orElse((e) =>
              e.kind === "conflict" && left > 0 ? attempt(left - 1) : errAsync(e),
            );
          }),
        );
      return safely(() => attempt(3));
    },
  };
}
