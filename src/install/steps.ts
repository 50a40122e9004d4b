import { rmdir } from "node:fs/promises";
import { displayCommand, runClaude } from "./claude-cli.js";
import { applyPlan, planFile, readJsonObject, type FileAction, type FilePlan, type JsonObject } from "./json-file.js";

/**
 * An install is a short list of steps, each one settings file to edit (or, for Claude Code's
 * user scope, one `claude mcp` call that stands for such an edit). Every file is read and every
 * edit computed before anything is written, so a file that cannot be read or parsed stops the
 * whole run with nothing changed.
 */
export interface FileStep {
  kind: "file";
  path: string;
  /** Changes the parsed file in place; returns what it did, in words. Throws InstallError to refuse. */
  edit: (doc: JsonObject) => string;
  /** Delete the file when the edit leaves `{}`: everything in it was ours. */
  deleteIfEmpty: boolean;
  /** A folder such as .cursor/ to remove too when deleting the file leaves it empty. */
  pruneDir?: string;
  /** The mode of the file when this step creates it (the umask's default otherwise). */
  createMode?: number;
}

export interface ClaudeStep {
  kind: "claude";
  claude: string;
  /** The edit these commands make, used to tell whether anything needs doing and as the fallback. */
  file: FileStep;
  /** The `claude` argument lists to run, given the file as it is now. */
  commands: (doc: JsonObject) => string[][];
}

export type Step = FileStep | ClaudeStep;

interface Planned {
  step: Step;
  plan: FilePlan;
  detail: string;
}

async function planStep(step: FileStep): Promise<{ plan: FilePlan; detail: string }> {
  const file = await readJsonObject(step.path);
  if (!file.existed && step.createMode !== undefined) file.mode = step.createMode;
  const after = structuredClone(file.value);
  const detail = step.edit(after);
  return { plan: planFile(file, after, step.deleteIfEmpty), detail };
}

export async function planSteps(steps: readonly Step[]): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const step of steps) planned.push({ step, ...(await planStep(step.kind === "file" ? step : step.file)) });
  return planned;
}

const DONE: Record<FileAction, string> = { create: "created", update: "updated", delete: "removed", unchanged: "unchanged", absent: "unchanged" };
const WOULD: Record<FileAction, string> = { create: "would create", update: "would update", delete: "would remove", unchanged: "unchanged", absent: "unchanged" };

function fileLine(verb: string, plan: FilePlan, detail: string, backup?: string): string {
  const why = plan.action === "delete" ? `${detail}; nothing else was in it` : plan.action === "absent" ? `${detail} (no such file)` : detail;
  return `${verb.padEnd(9)} ${plan.file.path}: ${why}${backup ? ` (backup: ${backup})` : ""}`;
}

/** Prints what the steps would do. */
export function describePlan(planned: readonly Planned[], out: (line: string) => void): void {
  for (const { step, plan, detail } of planned) {
    if (step.kind === "claude" && isChange(plan)) for (const args of step.commands(plan.file.value)) out(`would run ${displayCommand(["claude", ...args])}`);
    else out(fileLine(WOULD[plan.action], plan, detail));
  }
}

/** Carries the steps out in order, printing one line per file or command. Throws InstallError when one cannot be done. */
export async function applySteps(planned: readonly Planned[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  for (const { step, plan, detail } of planned) {
    if (step.kind === "file" || !isChange(plan)) {
      await applyFile(step.kind === "file" ? step : step.file, plan, detail, out);
      continue;
    }
    let failure: string | undefined;
    for (const args of step.commands(plan.file.value)) {
      const result = await runClaude(step.claude, args, env);
      if (!result.ok) {
        failure = `${displayCommand(["claude", ...args])} failed (${result.detail})`;
        break;
      }
      out(`ran       ${displayCommand(["claude", ...args])}`);
    }
    if (failure === undefined) continue;
    out(`${failure}; editing ${step.file.path} instead`);
    // Read again: the failed command may have changed the file before it gave up.
    const again = await planStep(step.file);
    await applyFile(step.file, again.plan, again.detail, out);
  }
}

export function isChange(plan: FilePlan): boolean {
  return plan.action !== "unchanged" && plan.action !== "absent";
}

async function applyFile(step: FileStep, plan: FilePlan, detail: string, out: (line: string) => void): Promise<void> {
  const { backup } = await applyPlan(plan);
  out(fileLine(DONE[plan.action], plan, detail, backup));
  if (plan.action === "delete" && step.pruneDir) await rmdir(step.pruneDir).catch(() => undefined);
}
