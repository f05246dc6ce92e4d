import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

// The remote steps are plain POSIX shell files beside this module, so they can be
// read, linted and run by hand; values reach them as assignments at the top,
// because sshd drops environment variables that it does not AcceptEnv.
const scriptsDir = path.join(__dirname, "scripts");

/** Values a remote script expects, by variable name. */
export type ScriptParams = Record<string, pulumi.Input<string | number>>;

/** Quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function readScript(name: string): string {
  return fs.readFileSync(path.join(scriptsDir, `${name}.sh`), "utf8");
}

/** The text of remote script `name` with its parameters set. */
export function renderScript(name: string, values: Record<string, string | number>): string {
  const assignments = Object.entries(values)
    .map(([key, value]) => `${key}=${shellQuote(String(value))}`)
    .join("\n");
  return [assignments, readScript("common"), readScript(name)].join("\n");
}

/** `renderScript` for parameters that are still outputs, ready for `remote.Command`. */
export function remoteScript(name: string, params: ScriptParams): pulumi.Output<string> {
  return pulumi.output(params).apply((values) => renderScript(name, values));
}
