import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { DeployTarget } from "../../contracts/deployer.js";
import {
  createSimulatedDeployer,
  type SimulatedDeployer,
  type SimulatedDeployerOptions,
} from "./simulated-deployer.js";

/** One action the simulated platform carried out, as kept in its state file. */
export interface SimulatedDeployAction {
  action: "start" | "setWeight" | "promote" | "abort" | "rollback";
  version: string;
  weight?: number;
  /** For a rollback: whether there was anything to undo (a second undo would go a version further back). */
  effective?: boolean;
  /** The pid of the process that asked. */
  pid: number;
}

/** What the state file holds: the platform's state and every action, in order. */
export type SimulatedDeployerFileState = SimulatedDeployer["state"] & {
  actions: SimulatedDeployAction[];
};

/** Options of {@link createFileSimulatedDeployer}. */
export interface FileSimulatedDeployerOptions extends SimulatedDeployerOptions {
  /** Absolute path of the state file (created with `stableVersion` serving when missing). */
  statePath: string;
}

/**
 * The simulated deployer with its state in a JSON file, written (fsync'd, renamed into
 * place) before each action resolves: the "platform" outlives the process that drives it,
 * so a release killed mid-canary leaves its canary where it was for the next process to
 * find and recover, as a real cluster would. The demo and the crash tests use it.
 *
 * @example
 * ```ts
 * const deployer = createFileSimulatedDeployer({ statePath: join(dir, "devops/simulated/deployer.json"), stableVersion: "v1.3.0" });
 * ```
 */
export function createFileSimulatedDeployer(
  options: FileSimulatedDeployerOptions,
): SimulatedDeployer & { readonly actions: () => SimulatedDeployAction[] } {
  const inner = createSimulatedDeployer(options);
  let actions: SimulatedDeployAction[] = [];
  const load = () => {
    let raw: string;
    try {
      raw = readFileSync(options.statePath, "utf8");
    } catch {
      save();
      return;
    }
    const parsed = JSON.parse(raw) as SimulatedDeployerFileState;
    const { actions: stored, ...state } = parsed;
    Object.assign(inner.state, state);
    actions = stored ?? [];
  };
  const save = () => {
    mkdirSync(dirname(options.statePath), { recursive: true });
    const temp = `${options.statePath}.${process.pid}.tmp`;
    const fd = openSync(temp, "w");
    try {
      writeSync(fd, `${JSON.stringify({ ...inner.state, actions }, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, options.statePath);
  };
  load();
  type Mutating = "start" | "setWeight" | "promote" | "abort" | "rollback";
  const wrap = <K extends Mutating>(action: K) => {
    const call = inner[action] as (...args: unknown[]) => ReturnType<SimulatedDeployer[K]>;
    return ((...args: unknown[]) => {
      load();
      const target = args[0] as DeployTarget;
      const s = inner.state;
      const effective = s.canaryVersion !== null || s.stableVersion === target.version;
      return call(...args).map((value) => {
        actions.push({
          action,
          version: target.version,
          ...(action === "setWeight" ? { weight: args[1] as number } : {}),
          ...(action === "rollback" ? { effective } : {}),
          pid: process.pid,
        });
        save();
        return value;
      });
    }) as unknown as SimulatedDeployer[K];
  };
  const read = <K extends "preflight" | "status" | "verifyStable">(method: K) => {
    const call = inner[method] as (...args: unknown[]) => ReturnType<SimulatedDeployer[K]>;
    return ((...args: unknown[]) => {
      load();
      return call(...args);
    }) as unknown as SimulatedDeployer[K];
  };
  return {
    name: "simulated (file)",
    state: inner.state,
    actions: () => actions,
    preflight: read("preflight"),
    status: read("status"),
    verifyStable: read("verifyStable"),
    start: wrap("start"),
    setWeight: wrap("setWeight"),
    promote: wrap("promote"),
    abort: wrap("abort"),
    rollback: wrap("rollback"),
  };
}
