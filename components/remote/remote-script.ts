import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { rootShell } from "./ssh-exec";

// The remote steps are plain POSIX shell files beside this module, so they can be
// read, linted and run by hand; values reach them as assignments at the top,
// because sshd drops environment variables that it does not AcceptEnv.
export const scriptsDir = path.join(__dirname, "scripts");

/** A value a remote script expects: a list becomes one space-separated word list. */
export type ScriptValue = string | number | string[];

/** Values a remote script expects, by variable name. */
export type ScriptParams = Record<string, pulumi.Input<string | number | pulumi.Input<string>[]>>;

/** Quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// Each script is read and stripped once per run: every host's commands and
// checks share common.sh.
const scripts = new Map<string, string>();

/**
 * The line with which a script reads common.sh when a person runs it from its
 * folder; the rendered text carries common.sh itself in its place.
 */
const sourceCommon = '. "$(dirname "$0")/common.sh"';

function readScript(name: string): string {
  let text = scripts.get(name);
  if (text === undefined) {
    text = withoutComments(fs.readFileSync(path.join(scriptsDir, `${name}.sh`), "utf8"))
      .split("\n")
      .filter((line) => line !== sourceCommon)
      .join("\n");
    scripts.set(name, text);
  }
  return text;
}

/**
 * A script without its comment lines and blank lines, as it travels and as
 * the state stores it: every command's standard input holds it. The scripts
 * hold no quoted text that spans lines, so a line that starts with `#` is a
 * comment (test/unit/remote-script.test.ts proves the shell reads the same code).
 */
export function withoutComments(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*(#.*)?$/.test(line))
    .join("\n");
}

function assignments(values: Record<string, ScriptValue>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${shellQuote(Array.isArray(value) ? value.join(" ") : String(value))}`)
    .join("\n");
}

/** The text of remote script `name` with its parameters set. */
export function renderScript(name: string, values: Record<string, ScriptValue>): string {
  return [assignments(values), readScript("common"), readScript(name)].join("\n");
}

/** `renderScript` for parameters that are still outputs. */
export function remoteScript(name: string, params: ScriptParams): pulumi.Output<string> {
  return pulumi.output(params).apply((values) => renderScript(name, values as Record<string, ScriptValue>));
}

/** The remote scripts of a command's steps: `create` also serves `update`, as it is idempotent. */
export interface ScriptSteps {
  /** The script that makes (or repairs) what the command stands for. */
  create: string;
  /** The script that takes it away; without one, a delete does nothing. */
  delete?: string;
}

/**
 * The standard input of a command whose steps are scripts kept on the host in
 * `folder` (see scriptsInstall): the values, exported for the script, then
 * the script of the step that the first argument names. A delete whose
 * version the host no longer holds runs the version it holds; on a host
 * without the folder of this tool's records and scripts (a fresh system in
 * its place), there is nothing of this tool's to take away.
 */
export function stepsInput(steps: ScriptSteps, values: Record<string, ScriptValue>, folder: string): string {
  return [
    assignments(values),
    `export ${Object.keys(values).join(" ")}`,
    `scripts=${shellQuote(folder)}`,
    `case "\${1:-}" in create | update) step=${steps.create} ;;${steps.delete ? ` delete) step=${steps.delete} ;;` : ""} *) echo "unknown step '\${1:-}'" >&2; exit 2 ;; esac`,
    `if [ "\${1:-}" = delete ] && [ ! -d "$scripts" ]; then`,
    `  if [ ! -e "\${scripts%/scripts/*}" ]; then echo "$HOST: no \${scripts%/scripts/*}: nothing of clipper-swarm's to take away" >&2; exit 0; fi`,
    `  for held in "\${scripts%/*}"/*/; do scripts=\${held%/}; done`,
    "fi",
    `[ -r "$scripts/$step.sh" ] || { echo "$HOST: error: clipper-swarm's scripts are not in $scripts; run pulumi up, which puts them there before any step, then run this again" >&2; exit 1; }`,
    'exec sh "$scripts/$step.sh"',
  ].join("\n");
}

/**
 * The command line that runs a step's script as root, for the login user of
 * `connection`: made of the user alone, so that neither the key's secrecy nor
 * another field's unknown value touches it.
 */
export function stepCommand(connection: types.input.remote.ConnectionArgs, step: string): pulumi.Output<string> {
  return pulumi.output(connection.user).apply((user) => `${rootShell(user)}${step ? ` -- ${step}` : ""}`);
}

/**
 * The inputs of a `remote.Command` whose steps are remote scripts, on the host
 * that `connection` reaches, which keeps them in `folder` (the probe's answer,
 * see HostProbe.scripts). The command line only names the step; the values
 * come on standard input, stored with the command, so its delete runs with the
 * values it was made with. A failure then quotes `sh -s -- create` and the
 * script's own messages.
 *
 * A changed input, or a drift an audit found (through its generation, one of
 * the parameters), re-runs the idempotent create script in place: never
 * delete, then create.
 */
export function remoteSteps(
  connection: types.input.remote.ConnectionArgs,
  steps: ScriptSteps,
  params: ScriptParams,
  folder: pulumi.Input<string>,
) {
  return {
    connection,
    create: stepCommand(connection, "create"),
    update: stepCommand(connection, "update"),
    ...(steps.delete && { delete: stepCommand(connection, "delete") }),
    stdin: pulumi.all([params, folder]).apply(([values, f]) => stepsInput(steps, values as Record<string, ScriptValue>, f)),
    // The scripts do not read the previous output; setting it is refused by most sshd configurations.
    addPreviousOutputInEnv: false,
  };
}

/**
 * Command `name` of a host that is gone for good, kept as the stack recorded
 * it: every input is ignored, so nothing runs on the dead host, and it is
 * forgotten without its delete (which would dial that host) once the host
 * leaves the inventory.
 */
export function keepAsRecorded(
  name: string,
  connection: types.input.remote.ConnectionArgs,
  opts: pulumi.CustomResourceOptions,
): remote.Command {
  return new remote.Command(name, { connection, create: "true" }, { ...opts, ignoreChanges: ["*"], retainOnDelete: true });
}
