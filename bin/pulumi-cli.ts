/** The project's `pulumi`, on the stack that the command-line helpers work on. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

/** The project's name, as Pulumi.yaml gives it. */
export const projectName = "clipper-swarm";

/** The stack the helpers work on: $PULUMI_STACK, or dev. */
export const stackName = process.env.PULUMI_STACK ?? "dev";

/** Runs `pulumi ARGS` on the helpers' stack, capturing its output; `input` goes to its standard input. */
export function pulumiCli(args: string[], input?: string) {
  return spawnSync(path.join(root, ".tools", "bin", "pulumi"), [...args, "--stack", stackName], { cwd: root, encoding: "utf8", input });
}
