import type { IncidentDetails, IncidentSink } from "../../contracts/incident-sink.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";

/** An {@link IncidentSink} that keeps incidents in memory (or fails, to test loud reporting). */
export function createMemoryIncidentSink(
  options: { fail?: boolean } = {},
): IncidentSink & { opened: IncidentDetails[]; resolved: string[] } {
  const opened: IncidentDetails[] = [];
  const resolved: string[] = [];
  return {
    name: "memory-incidents",
    opened,
    resolved,
    open(incident, { signal }) {
      return guarded(signal, () => {
        if (options.fail) return new ShipgateError("unavailable", "incident backend is down");
        opened.push(incident);
        return {
          sink: "memory-incidents",
          id: `MEM-${opened.length}`,
          url: `https://incidents.example.com/MEM-${opened.length}`,
        };
      });
    },
    findOpened(releaseKey, { signal }) {
      return guarded(signal, () => {
        if (options.fail) return new ShipgateError("unavailable", "incident backend is down");
        const n = opened.findIndex((i) => i.releaseKey === releaseKey);
        return n < 0
          ? null
          : {
              sink: "memory-incidents",
              id: `MEM-${n + 1}`,
              url: `https://incidents.example.com/MEM-${n + 1}`,
            };
      });
    },
    resolveOpen(scope, { signal }) {
      return guarded(signal, () => {
        const key = `${scope.service}/${scope.environment}`;
        const open = opened.filter(
          (i) => `${i.service}/${i.environment}` === key && !resolved.includes(i.dedupKey),
        );
        resolved.push(...open.map((i) => i.dedupKey));
        return open.map((i, n) => ({
          sink: "memory-incidents",
          id: `MEM-resolved-${n + 1}`,
          url: `https://incidents.example.com/${i.dedupKey}`,
        }));
      });
    },
  };
}
