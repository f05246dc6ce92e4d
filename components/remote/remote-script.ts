import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { rootShell } from "./ssh-exec";

// The remote steps are plain POSIX shell files beside this module, so they can be
// read, linted and run by hand; values reach them as assignments at the top,
// because sshd drops environment variables that it does not AcceptEnv.
const scriptsDir = path.join(__dirname, "scripts");

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
  /** The script that takes it away. */
  delete: string;
}

/** The last line of `renderSteps`' text: it runs the step that its first argument names. */
const stepDispatch = 'case "${1:-}" in create | update) step_create ;; delete) step_delete ;; *) fail "unknown step \'${1:-}\'" ;; esac';

/**
 * One text holding both steps' scripts, which runs the step named by its first
 * argument: `sh -s -- create` with this text on standard input.
 */
export function renderSteps(steps: ScriptSteps, values: Record<string, ScriptValue>): string {
  return [
    assignments(values),
    readScript("common"),
    `step_create() {\n${readScript(steps.create)}\n}`,
    `step_delete() {\n${readScript(steps.delete)}\n}`,
    stepDispatch,
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
 * that `connection` reaches. The command line only names the step, and the
 * scripts come on standard input (stored with the command, so its delete runs
 * the delete script of the same version). A failure then quotes
 * `sh -s -- create` and the script's own messages, not the whole script; the
 * script stays in `components/remote/scripts/` and in `--debug` logs.
 *
 * A changed input, or a drift an audit found (through its generation, one of
 * the parameters), re-runs the idempotent create script in place: never
 * delete, then create.
 */
export function remoteSteps(
  connection: types.input.remote.ConnectionArgs,
  steps: ScriptSteps,
  params: ScriptParams,
) {
  return {
    connection,
    create: stepCommand(connection, "create"),
    update: stepCommand(connection, "update"),
    delete: stepCommand(connection, "delete"),
    stdin: pulumi.output(params).apply((values) => renderSteps(steps, values as Record<string, ScriptValue>)),
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
