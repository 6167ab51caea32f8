// How CloudWatch checks a GetMetricData input, and the errors it answers with, as the
// emulator reproduces them.

const STATS = /^(Sum|SampleCount|Average|Minimum|Maximum|p(100|[1-9]?\d(\.\d+)?))$/;
const ID = /^[a-z][a-zA-Z0-9_]{0,254}$/;

/**
 * `__type` for the codes the emulator sends. Recorded real answers (see `__fixtures__`) use
 * `com.amazon.coral.validate#ValidationException` for validation failures and
 * `com.amazonaws.cloudwatch.v2010_08_01#<Shape>` for modelled errors.
 */
export const ERROR_TYPES: Record<string, string> = {
  ValidationError: "com.amazon.coral.validate#ValidationException",
  InvalidParameterValue: "com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterValueException",
  InvalidParameterCombination:
    "com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterCombinationException",
  MissingParameter: "com.amazonaws.cloudwatch.v2010_08_01#MissingRequiredParameterException",
  InvalidNextToken: "com.amazonaws.cloudwatch.v2010_08_01#InvalidNextToken",
  InternalServiceError: "com.amazonaws.cloudwatch.v2010_08_01#InternalServiceFault",
  Throttling: "com.amazon.coral.availability#ThrottlingException",
  ServiceUnavailable: "com.amazon.coral.availability#ServiceUnavailableException",
  InvalidClientTokenId: "com.amazon.coral.service#UnrecognizedClientException",
  MissingAuthenticationToken: "com.amazon.coral.service#MissingAuthenticationTokenException",
  UnknownOperation: "com.amazon.coral.service#UnknownOperationException",
};

/** An error answer: status, query-compatible code, message, and whose fault it is. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fault: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
  }
}

/** One entry of `MetricDataQueries` as received. */
export interface QueryInput {
  Id?: unknown;
  MetricStat?: {
    Metric?: {
      Namespace?: unknown;
      MetricName?: unknown;
      Dimensions?: { Name?: unknown; Value?: unknown }[];
    };
    Period?: unknown;
    Stat?: unknown;
  };
  Expression?: unknown;
  Label?: unknown;
  ReturnData?: unknown;
  Period?: unknown;
}

/** A GetMetricData input that passed validation. */
export interface ValidMetricDataInput {
  queries: QueryInput[];
  start: number;
  end: number;
  scanAscending: boolean;
  maxDatapoints: number;
}

/** Checks a GetMetricData body as CloudWatch does; throws a {@link WireError} naming the member. */
export function validateMetricDataInput(body: Record<string, unknown>): ValidMetricDataInput {
  const queries = body.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0)
    throw new WireError(400, "MissingParameter", "The parameter MetricDataQueries is required.");
  if (queries.length > 500)
    throw new WireError(
      400,
      "ValidationError",
      "The collection MetricDataQueries must not have more than 500 members.",
    );
  for (const name of ["StartTime", "EndTime"]) {
    if (body[name] === undefined)
      throw new WireError(400, "MissingParameter", `The parameter ${name} is required.`);
    if (typeof body[name] !== "number")
      throw new WireError(
        400,
        "InvalidParameterValue",
        `The parameter ${name} must be a timestamp.`,
      );
  }
  const start = body.StartTime as number;
  const end = body.EndTime as number;
  if (start >= end)
    throw new WireError(
      400,
      "ValidationError",
      "The parameter StartTime must be less than the parameter EndTime.",
    );
  const ids = new Set<string>();
  for (const [i, raw] of (queries as QueryInput[]).entries()) {
    const member = `MetricDataQueries.member.${i + 1}`;
    if (typeof raw.Id !== "string" || !ID.test(raw.Id))
      throw new WireError(
        400,
        "ValidationError",
        `The value ${String(raw.Id)} for parameter ${member}.Id is invalid: it must start with a lower-case letter and contain only letters, numbers and underscores.`,
      );
    if (ids.has(raw.Id))
      throw new WireError(
        400,
        "ValidationError",
        `The values for parameter Id in MetricDataQueries are not unique (${raw.Id}).`,
      );
    ids.add(raw.Id);
    if ((raw.MetricStat === undefined) === (raw.Expression === undefined))
      throw new WireError(
        400,
        "ValidationError",
        `The parameter ${member} must contain exactly one of MetricStat or Expression.`,
      );
    if (raw.MetricStat) {
      const m = raw.MetricStat;
      if (typeof m.Metric?.MetricName !== "string" || m.Metric.MetricName === "")
        throw new WireError(
          400,
          "MissingParameter",
          `The parameter ${member}.MetricStat.Metric.MetricName is required.`,
        );
      const period = m.Period;
      if (
        typeof period !== "number" ||
        !(period > 0) ||
        !(period % 60 === 0 || [1, 5, 10, 20, 30].includes(period))
      )
        throw new WireError(
          400,
          "InvalidParameterValue",
          `The value ${String(period)} for parameter ${member}.MetricStat.Period is invalid: use 1, 5, 10, 20, 30 or a multiple of 60.`,
        );
      if (typeof m.Stat !== "string" || !STATS.test(m.Stat))
        throw new WireError(
          400,
          "InvalidParameterValue",
          `The value ${String(m.Stat)} for parameter ${member}.MetricStat.Stat is invalid.`,
        );
      for (const d of m.Metric.Dimensions ?? []) {
        if (
          typeof d.Name !== "string" ||
          typeof d.Value !== "string" ||
          d.Value.length < 1 ||
          d.Value.length > 1024
        )
          throw new WireError(
            400,
            "InvalidParameterValue",
            `The value for parameter ${member}.MetricStat.Metric.Dimensions is invalid.`,
          );
      }
    } else if (typeof raw.Expression !== "string" || raw.Expression.trim() === "") {
      throw new WireError(
        400,
        "ValidationError",
        `The parameter ${member}.Expression must be a non-empty string.`,
      );
    }
  }
  if (!(queries as QueryInput[]).some((q) => q.ReturnData !== false))
    throw new WireError(
      400,
      "ValidationError",
      "At least one MetricDataQuery must have ReturnData set to true.",
    );
  const scanBy = body.ScanBy ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending")
    throw new WireError(
      400,
      "InvalidParameterValue",
      `The value ${String(scanBy)} for parameter ScanBy is invalid.`,
    );
  const maxDatapoints = body.MaxDatapoints ?? 100_800;
  if (typeof maxDatapoints !== "number" || maxDatapoints < 1)
    throw new WireError(
      400,
      "InvalidParameterValue",
      "The parameter MaxDatapoints must be a positive integer.",
    );
  return {
    queries: queries as QueryInput[],
    start,
    end,
    scanAscending: scanBy === "TimestampAscending",
    maxDatapoints,
  };
}
