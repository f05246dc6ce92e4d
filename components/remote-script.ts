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

// Each script is read and stripped once per run, and the part of common.sh
// that a set of scripts uses is found once: every host's commands and checks
// share common.sh, some 40 renders with 7 hosts.
const scripts = new Map<string, string>();

function readScript(name: string): string {
  let text = scripts.get(name);
  if (text === undefined) {
    text = withoutComments(fs.readFileSync(path.join(scriptsDir, `${name}.sh`), "utf8"));
    scripts.set(name, text);
  }
  return text;
}

/**
 * A script without its comment lines and blank lines, as it travels and as
 * the state stores it. Every command's standard input holds the shared
 * functions, comments and all about half of it, and the engine writes the
 * whole state after each step: with 7 hosts the CLI spent 0.19 s less CPU
 * on a cold `up` without them (1.12 s against 1.31 s). The scripts hold no
 * quoted text that spans lines, so a line that starts with `#` is a comment
 * (test/unit/remote-script.test.ts proves the shell reads the same code).
 */
export function withoutComments(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*(#.*)?$/.test(line))
    .join("\n");
}

/** A top-level piece of common.sh: a function's definition (with its name), or a line outside any function. */
interface SharedPart {
  name?: string;
  text: string;
}

let commonParts: SharedPart[] | undefined;

/**
 * common.sh, without comments, cut into its top-level parts, once per run. A
 * function is written `name() { ... }` on one line, or from `name() {` to a
 * `}` that starts a line; everything inside is indented.
 */
function sharedParts(): SharedPart[] {
  commonParts ??= cutIntoParts(readScript("common"));
  return commonParts;
}

function cutIntoParts(text: string): SharedPart[] {
  const parts: SharedPart[] = [];
  let open: { name: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (open) {
      open.lines.push(line);
      if (line === "}") {
        parts.push({ name: open.name, text: open.lines.join("\n") });
        open = undefined;
      }
      continue;
    }
    const definition = /^([A-Za-z_][A-Za-z0-9_]*)\(\) \{(.*)$/.exec(line);
    if (!definition) parts.push({ text: line });
    else if (definition[2].trimEnd().endsWith("}")) parts.push({ name: definition[1], text: line });
    else open = { name: definition[1], lines: [line] };
  }
  if (open) throw new Error(`common.sh: function ${open.name} has no closing } at the start of a line`);
  return parts;
}

/** The words of a shell text that could name a function. */
function words(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
}

const sharedFor = new Map<string, string>();

/**
 * The part of common.sh that the scripts `names` (and `extra`, a text that
 * goes with them) use: its lines outside functions, and each function that
 * they name, or that a function they use names, as a word anywhere. So a
 * function passed as an argument (`wait_for 15 has_landed`, `first_peer
 * is_live_manager`) goes with the script that passes it, and a word that only
 * looks like a call costs a function too many; a name built at run time would
 * be missed, and the scripts build none. The state holds every command's
 * scripts, and the engine writes it whole after each step: all of common.sh
 * in each was two thirds of a command's standard input.
 */
function shared(names: string[], extra = ""): string {
  const key = [...names, extra].join("\0");
  let text = sharedFor.get(key);
  if (text === undefined) {
    const parts = sharedParts();
    const used = new Set<string>();
    const pending = [words([...names.map(readScript), extra].join("\n"))];
    for (let found = pending.pop(); found; found = pending.pop()) {
      for (const part of parts) {
        if (part.name && !used.has(part.name) && found.has(part.name)) {
          used.add(part.name);
          pending.push(words(part.text));
        }
      }
    }
    text = parts.filter((part) => !part.name || used.has(part.name)).map((part) => part.text).join("\n");
    sharedFor.set(key, text);
  }
  return text;
}

function assignments(values: Record<string, ScriptValue>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${shellQuote(Array.isArray(value) ? value.join(" ") : String(value))}`)
    .join("\n");
}

/** The text of remote script `name` with its parameters set. */
export function renderScript(name: string, values: Record<string, ScriptValue>): string {
  return [assignments(values), shared([name]), readScript(name)].join("\n");
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
    shared([steps.create, steps.delete], stepDispatch),
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
 * script stays in `components/scripts/` and in `--debug` logs.
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
