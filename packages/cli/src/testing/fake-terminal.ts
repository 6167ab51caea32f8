import type { ReleaseEvent } from "@shipgate/core";
import pc from "picocolors";
import { stripAnsi } from "../ansi.js";
import type { CliIo, OutputMode } from "../cli-io.js";
import type { LiveViewPlan } from "../live-view.js";

/**
 * Test support: an interactive terminal `columns` wide, without colours, that keeps
 * everything written to stdout (`chunks`, and `text()` for all of it).
 */
export function fakeTerminal(columns: number) {
  const chunks: string[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => chunks.push(t), isTTY: true, columns },
    stderr: { write: () => true },
    env: {},
    cwd: "/repo",
  };
  const mode: OutputMode = {
    json: false,
    quiet: false,
    tty: true,
    colors: pc.createColors(false),
    errColors: pc.createColors(false),
  };
  return { io, mode, chunks, text: () => chunks.join("") };
}

/** The plan of a release walking 5 → 25 → 100% in windows of 10 minutes, within 1% and 300 ms. */
export const threeStepPlan = (extra: Partial<LiveViewPlan> = {}): LiveViewPlan => ({
  canarySteps: [5, 25, 100],
  errorRateMax: 0.01,
  p95LatencyMs: 300,
  windowMs: 600_000,
  stabilization: false,
  ...extra,
});

/** `ESC [ n F`: the cursor-up the live view redraws with. */
export const CURSOR_UP = new RegExp(`${String.fromCharCode(27)}\\[\\d+F`);

/** The screen after the last redraw: the text after the last cursor-up, without styling. */
export function lastFrame(raw: string): string {
  return stripAnsi(raw.split(CURSOR_UP).at(-1)!);
}

/** A release event at a fixed instant (2026-01-05T10:00Z). */
export const eventAt = (e: Record<string, unknown>) =>
  ({ at: "2026-01-05T10:00:00.000Z", ...e }) as ReleaseEvent;
