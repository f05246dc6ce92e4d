/**
 * The `pulumi` that the command-line helpers run, on the stack they work on:
 * the project's own (.tools/bin/pulumi, the lab's file backend), or the one
 * that $CLIPPER_PULUMI names, with the user's own login and backend.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

/** The project's name, as Pulumi.yaml gives it. */
export const projectName = "clipper-swarm";

/** The stack the helpers work on: $PULUMI_STACK, or dev. */
export const stackName = process.env.PULUMI_STACK ?? "dev";

const pulumi = process.env.CLIPPER_PULUMI ?? path.join(root, ".tools", "bin", "pulumi");

/** Runs `pulumi ARGS` on the helpers' stack, capturing its output; `input` goes to its standard input. */
export function pulumiCli(args: string[], input?: string) {
  return spawnSync(pulumi, [...args, "--stack", stackName], { cwd: root, encoding: "utf8", input });
}

/** Runs `pulumi ARGS` on the helpers' stack, its output shown as it comes; gives its exit status. */
export function pulumiShown(args: string[]): number | null {
  return spawnSync(pulumi, [...args, "--stack", stackName], { cwd: root, stdio: "inherit" }).status;
}
