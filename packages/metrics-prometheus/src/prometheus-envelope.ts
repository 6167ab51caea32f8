import { z } from "zod";

/**
 * A sample value as Prometheus sends it: always a JSON string, because JSON has no NaN or
 * infinities (`"0.5"`, `"NaN"`, `"+Inf"`, `"-Inf"`).
 */
const sampleValueSchema = z.string();
const samplePairSchema = z.tuple([z.number(), sampleValueSchema]);

/** `{"status":"success","data":{…},"warnings"?:[…],"infos"?:[…]}` from `/api/v1/query`. */
export const prometheusSuccessSchema = z.object({
  status: z.literal("success"),
  data: z.discriminatedUnion("resultType", [
    z.object({
      resultType: z.literal("vector"),
      result: z.array(
        z.object({ metric: z.record(z.string(), z.string()), value: samplePairSchema }),
      ),
    }),
    z.object({ resultType: z.literal("scalar"), result: samplePairSchema }),
    z.object({ resultType: z.literal("string"), result: z.tuple([z.number(), z.string()]) }),
    z.object({
      resultType: z.literal("matrix"),
      result: z.array(
        z.object({ metric: z.record(z.string(), z.string()), values: z.array(samplePairSchema) }),
      ),
    }),
  ]),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional(),
});

/** A successful `/api/v1/query` answer. */
export type PrometheusSuccess = z.infer<typeof prometheusSuccessSchema>;

/** `{"status":"error","errorType":"bad_data","error":"…"}`. */
export const prometheusErrorSchema = z.object({
  status: z.literal("error"),
  errorType: z.string(),
  error: z.string(),
});

/** An error answer in Prometheus' own envelope. */
export type PrometheusErrorEnvelope = z.infer<typeof prometheusErrorSchema>;

/** A parsed sample: a finite number, or why it is not one. */
export type ParsedSample =
  | { kind: "number"; value: number }
  | { kind: "not_a_number"; text: "NaN" | "+Inf" | "-Inf" };

/**
 * Parses a sample value string. The three special spellings are checked explicitly (Go
 * writes `+Inf`, which `Number()` would not read); anything else that is not a number is
 * `null`, i.e. a malformed response.
 */
export function parsePrometheusSampleValue(text: string): ParsedSample | null {
  if (text === "NaN") return { kind: "not_a_number", text: "NaN" };
  if (text === "+Inf" || text === "Inf") return { kind: "not_a_number", text: "+Inf" };
  if (text === "-Inf") return { kind: "not_a_number", text: "-Inf" };
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? { kind: "number", value } : null;
}
