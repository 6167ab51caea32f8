import type { EvidenceEntry, RunRecord, StepRecord } from "../model/run-record.js";
import { formatDuration } from "./format.js";

/** One track's numbers on one poll. */
export interface ChartTrackReading {
  errorRate: number | null;
  p95LatencyMs: number | null;
}

/** The numbers an SLO evidence row carries: the canary's, and stable's when it was measured. */
export interface PollReadings {
  canary: ChartTrackReading;
  stable: ChartTrackReading | null;
}

/** A value at a moment. */
export interface ChartPoint {
  atMs: number;
  value: number;
}

/** A series per metric for one track. */
export interface TrackSeries {
  errorRate: ChartPoint[];
  p95LatencyMs: ChartPoint[];
}

/** One canary step (or the stabilization window) as a band on the time axis. */
export interface ChartStep {
  label: string;
  startMs: number;
  endMs: number;
  result: StepRecord["result"];
}

/** A moment worth a vertical line: where a step breached, where the canary was promoted. */
export interface ChartMarker {
  kind: "breach" | "promotion" | "cancelled";
  atMs: number;
  label: string;
}

/** Everything the chart draws, taken from a run record by {@link canaryChartData}. */
export interface CanaryChartData {
  title: string;
  startMs: number;
  endMs: number;
  steps: ChartStep[];
  canary: TrackSeries;
  stable: TrackSeries;
  objectives: { errorRateMax: number; p95LatencyMs: number };
  markers: ChartMarker[];
  rollback: { startMs: number; endMs: number; verified: boolean } | null;
}

/**
 * The per-poll numbers of an SLO evidence row, where the row carries them: what the poll
 * measured (canary, and stable when measured), else the judge's view of the step so far.
 */
export function pollReadings(entry: EvidenceEntry): PollReadings | null {
  const judge = entry.judge;
  if (!judge) return null;
  if (judge.poll) return { canary: judge.poll.canary, stable: judge.poll.stable };
  return { canary: judge.evidence.canary, stable: judge.evidence.stable };
}

const time = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

const finite = (n: number | null | undefined): n is number =>
  typeof n === "number" && Number.isFinite(n);

function push(series: TrackSeries, atMs: number, reading: ChartTrackReading | null): void {
  if (!reading) return;
  if (finite(reading.errorRate)) series.errorRate.push({ atMs, value: reading.errorRate });
  if (finite(reading.p95LatencyMs)) series.p95LatencyMs.push({ atMs, value: reading.p95LatencyMs });
}

const stepLabel = (step: StepRecord) =>
  step.phase === "stabilization" ? "stabilization" : `${step.weight}%`;

/**
 * What the canary chart shows, from the run record alone: the steps as bands, the canary's
 * (and stable's) error rate and p95 per poll from the evidence rows, the objectives, the
 * breach or promotion, and the rollback. A step whose evidence rows carry no numbers shows
 * the step's last reading at its end. Null when no canary step ran.
 */
export function canaryChartData(record: RunRecord): CanaryChartData | null {
  if (record.steps.length === 0) return null;
  const canary: TrackSeries = { errorRate: [], p95LatencyMs: [] };
  const stable: TrackSeries = { errorRate: [], p95LatencyMs: [] };
  const steps: ChartStep[] = [];
  const markers: ChartMarker[] = [];
  const lastMs = Math.max(
    ...[record.endedAt, record.rollback?.endedAt, ...record.evidence.map((e) => e.at)]
      .map(time)
      .filter(finite),
    ...record.steps.map((s) => time(s.endedAt) ?? time(s.startedAt) ?? 0),
  );

  for (const step of record.steps) {
    const startMs = time(step.startedAt) ?? lastMs;
    const endMs = time(step.endedAt) ?? lastMs;
    steps.push({ label: stepLabel(step), startMs, endMs, result: step.result });
    const rows = record.evidence.filter(
      (e) => e.kind === "slo" && e.phase === step.phase && e.weight === step.weight,
    );
    let withNumbers = 0;
    for (const row of rows) {
      const at = time(row.at);
      const readings = pollReadings(row);
      if (at === null || at < startMs || at > endMs || !readings) continue;
      withNumbers += 1;
      push(canary, at, readings.canary);
      push(stable, at, readings.stable);
    }
    if (withNumbers === 0)
      push(canary, endMs, { errorRate: step.errorRate, p95LatencyMs: step.p95LatencyMs });
    if (step.result === "breached" || step.result === "error")
      markers.push({ kind: "breach", atMs: endMs, label: `breach at ${stepLabel(step)}` });
    if (step.result === "cancelled")
      markers.push({ kind: "cancelled", atMs: endMs, label: `cancelled at ${stepLabel(step)}` });
  }
  if (record.promoted) {
    const stabilization = record.steps.find((s) => s.phase === "stabilization");
    const lastCanary = [...record.steps].reverse().find((s) => s.phase === "canary");
    const at = time(stabilization?.startedAt) ?? time(lastCanary?.endedAt);
    if (at !== null) markers.push({ kind: "promotion", atMs: at, label: "promoted" });
  }
  const r = record.rollback;
  const rollbackStart = time(r?.startedAt);
  const rollback =
    r && rollbackStart !== null
      ? { startMs: rollbackStart, endMs: time(r.endedAt) ?? lastMs, verified: r.verified }
      : null;
  const startMs = Math.min(...steps.map((s) => s.startMs));
  const spec = record.spec;
  return {
    title: `${spec.service} ${spec.version} in ${spec.environment}: canary error rate and p95`,
    startMs,
    endMs: Math.max(lastMs, rollback?.endMs ?? 0, ...steps.map((s) => s.endMs)),
    steps,
    canary,
    stable,
    objectives: { errorRateMax: spec.slo.error_rate_max, p95LatencyMs: spec.slo.p95_latency_ms },
    markers,
    rollback,
  };
}

// Layout (px). Two panels share the time axis: error rate above, p95 below.
const WIDTH = 880;
const LEFT = 76;
const RIGHT = 24;
const PANELS = [
  { top: 78, height: 170 },
  { top: 300, height: 170 },
] as const;
const HEIGHT = 520;
const COLORS = {
  canary: "#1f6feb",
  stable: "#6e7781",
  objective: "#cf222e",
  breach: "#cf222e",
  promotion: "#1a7f37",
  rollback: "#bf8700",
  grid: "#d0d7de",
  text: "#24292f",
};

// Most labels need no escaping: test once before five replacements.
const esc = (s: string) =>
  !/[&<>"']/.test(s)
    ? s
    : s
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&apos;");
const n = (v: number) => (Math.round(v * 10) / 10).toString();
const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
const ms = (v: number) => `${Math.round(v)} ms`;

function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ""}>${esc(content)}</text>`;
}

/** The top of a scale: above the highest value and the objective, never 0. */
function scaleMax(values: number[], objective: number): number {
  const top = Math.max(objective, ...values);
  return top > 0 ? top * 1.2 : 1;
}

/**
 * Renders the chart as a standalone SVG document (no script, no external resource), readable
 * on its own and embeddable in markdown: title, legend, step bands, per-metric panels with
 * the objective as a dashed line, canary (and stable) series, breach/promotion lines and the
 * rollback band.
 */
export function renderCanaryChart(data: CanaryChartData): string {
  // A little room after the last moment, so a breach or rollback at the end stays visible.
  const span = Math.max(1, data.endMs - data.startMs) * 1.06;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (atMs: number) => LEFT + ((atMs - data.startMs) / span) * plotWidth;
  // Labels near the right edge run leftwards from their line.
  const label = (atMs: number) =>
    x(atMs) > LEFT + plotWidth * 0.7
      ? { x: x(atMs) - 4, anchor: ' text-anchor="end"' }
      : { x: x(atMs) + 4, anchor: "" };
  // A poll's moment is drawn on both panels for both tracks: its x and its offset from the
  // start are formatted once.
  const moments = new Map<number, { x: string; offset: string }>();
  const moment = (atMs: number) => {
    let known = moments.get(atMs);
    if (!known) {
      known = { x: n(x(atMs)), offset: formatDuration(atMs - data.startMs) };
      moments.set(atMs, known);
    }
    return known;
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img">`,
    `<title>${esc(data.title)}</title>`,
    `<desc>${esc(describeChart(data))}</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(LEFT, 24, data.title, `font-size="15" font-weight="bold" fill="${COLORS.text}"`),
  );
  // Legend.
  const legend: [string, string, string][] = [
    ["canary", COLORS.canary, ""],
    ...(data.stable.errorRate.length || data.stable.p95LatencyMs.length
      ? ([["stable", COLORS.stable, ' stroke-dasharray="4 3"']] as [string, string, string][])
      : []),
    ["objective", COLORS.objective, ' stroke-dasharray="6 4"'],
  ];
  let lx = LEFT;
  out.push('<g class="legend">');
  for (const [label, color, dash] of legend) {
    out.push(
      `<line x1="${lx}" y1="44" x2="${lx + 22}" y2="44" stroke="${color}" stroke-width="2"${dash}/>`,
      text(lx + 28, 48, label, `fill="${COLORS.text}"`),
    );
    lx += 40 + label.length * 7;
  }
  if (data.rollback) {
    out.push(
      `<rect x="${lx}" y="38" width="22" height="12" fill="${COLORS.rollback}" fill-opacity="0.18"/>`,
      text(lx + 28, 48, "rollback", `fill="${COLORS.text}"`),
    );
  }
  out.push("</g>");

  const metrics = [
    {
      key: "errorRate" as const,
      name: "error rate",
      objective: data.objectives.errorRateMax,
      format: percent,
    },
    {
      key: "p95LatencyMs" as const,
      name: "p95 latency",
      objective: data.objectives.p95LatencyMs,
      format: ms,
    },
  ];
  metrics.forEach((metric, index) => {
    const { top, height } = PANELS[index]!;
    const bottom = top + height;
    const values = [...data.canary[metric.key], ...data.stable[metric.key]].map((p) => p.value);
    const max = scaleMax(values, metric.objective);
    const y = (v: number) => bottom - (v / max) * height;
    out.push(`<g class="panel" data-metric="${metric.key}">`);
    out.push(
      text(LEFT, top - 8, metric.name, `font-weight="bold" fill="${COLORS.text}"`),
      `<rect x="${LEFT}" y="${top}" width="${n(plotWidth)}" height="${height}" fill="none" stroke="${COLORS.grid}"/>`,
    );
    // Step bands, alternating, labelled at the top of the panel.
    data.steps.forEach((step, i) => {
      const x1 = x(step.startMs);
      const w = Math.max(1, x(step.endMs) - x1);
      out.push(
        `<rect class="step" data-step="${esc(step.label)}" data-result="${step.result}" x="${n(x1)}" y="${top}" width="${n(w)}" height="${height}" fill="${i % 2 ? "#f6f8fa" : "#eef2f6"}"/>`,
        text(x1 + 4, top + 14, step.label, `fill="${COLORS.stable}" font-size="11"`),
      );
    });
    if (data.rollback) {
      const x1 = x(data.rollback.startMs);
      out.push(
        `<rect class="rollback" x="${n(x1)}" y="${top}" width="${n(Math.max(6, x(data.rollback.endMs) - x1))}" height="${height}" fill="${COLORS.rollback}" fill-opacity="0.18"/>`,
      );
    }
    // Axis ticks: 0, half, the top of the scale.
    for (const v of [0, max / 2, max]) {
      out.push(
        `<line x1="${LEFT - 4}" y1="${n(y(v))}" x2="${LEFT}" y2="${n(y(v))}" stroke="${COLORS.text}"/>`,
        text(LEFT - 8, y(v) + 4, metric.format(v), `text-anchor="end" fill="${COLORS.text}"`),
      );
    }
    out.push(
      `<line class="objective" x1="${LEFT}" y1="${n(y(metric.objective))}" x2="${n(LEFT + plotWidth)}" y2="${n(y(metric.objective))}" stroke="${COLORS.objective}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      text(
        LEFT + 6,
        y(metric.objective) - 5,
        `objective ${metric.format(metric.objective)}`,
        `fill="${COLORS.objective}" font-size="11"`,
      ),
    );
    for (const [track, series, dash] of [
      ["stable", data.stable[metric.key], ' stroke-dasharray="4 3"'],
      ["canary", data.canary[metric.key], ""],
    ] as const) {
      if (series.length === 0) continue;
      const color = track === "canary" ? COLORS.canary : COLORS.stable;
      // Each point's coordinates, formatted once for the line and its dot.
      const xs = series.map((p) => moment(p.atMs).x);
      const ys = series.map((p) => n(y(p.value)));
      let points = "";
      for (let i = 0; i < series.length; i++) points += `${i ? " " : ""}${xs[i]},${ys[i]}`;
      out.push(
        `<polyline class="series" data-track="${track}" points="${points}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
      );
      series.forEach((p, i) => {
        out.push(
          `<circle data-track="${track}" cx="${xs[i]}" cy="${ys[i]}" r="2.5" fill="${color}"><title>${esc(`${track} ${metric.name} ${metric.format(p.value)} at +${moment(p.atMs).offset}`)}</title></circle>`,
        );
      });
    }
    for (const marker of data.markers) {
      const color = marker.kind === "promotion" ? COLORS.promotion : COLORS.breach;
      const mx = n(x(marker.atMs));
      out.push(
        `<line class="marker" data-kind="${marker.kind}" x1="${mx}" y1="${top}" x2="${mx}" y2="${bottom}" stroke="${color}" stroke-width="2"/>`,
      );
      const at = label(marker.atMs);
      if (index === 0)
        out.push(
          text(at.x, top + 28, marker.label, `fill="${color}" font-weight="bold"${at.anchor}`),
        );
    }
    out.push("</g>");
  });

  // Time axis under the lower panel.
  const axisY = PANELS[1].top + PANELS[1].height;
  out.push('<g class="time-axis">');
  for (let i = 0; i <= 4; i++) {
    const at = data.startMs + (span * i) / 4;
    out.push(
      `<line x1="${n(x(at))}" y1="${axisY}" x2="${n(x(at))}" y2="${axisY + 4}" stroke="${COLORS.text}"/>`,
      text(
        x(at),
        axisY + 18,
        `+${formatDuration(at - data.startMs)}`,
        `text-anchor="${i === 4 ? "end" : i === 0 ? "start" : "middle"}" fill="${COLORS.text}"`,
      ),
    );
  }
  if (data.rollback) {
    const at = label(data.rollback.startMs);
    out.push(
      text(
        at.x,
        axisY + 34,
        data.rollback.verified ? "rollback (verified)" : "rollback NOT VERIFIED",
        `fill="${COLORS.rollback}" font-weight="bold"${at.anchor}`,
      ),
    );
  }
  out.push("</g>", "</svg>");
  // Concatenated, not joined: `join` flattens every line into a new string first, where
  // `+` links them and the whole document is copied once, by whoever reads it.
  let svg = "";
  for (const line of out) svg += `${line}\n`;
  return svg;
}

/** One sentence for screen readers and for the SVG's `<desc>`. */
function describeChart(data: CanaryChartData): string {
  const steps = data.steps.map((s) => `${s.label} ${s.result}`).join(", ");
  const marks = data.markers.map((m) => m.label).join(", ");
  return `Steps: ${steps}.${marks ? ` ${marks}.` : ""}${data.rollback ? ` Rolled back${data.rollback.verified ? " (verified)" : " (not verified)"}.` : ""} Objectives: error rate ≤ ${percent(data.objectives.errorRateMax)}, p95 ≤ ${ms(data.objectives.p95LatencyMs)}.`;
}

/** The chart of a run as an SVG document, or null when no canary step ran. */
export function renderCanaryChartOf(record: RunRecord): string | null {
  const data = canaryChartData(record);
  return data ? renderCanaryChart(data) : null;
}
