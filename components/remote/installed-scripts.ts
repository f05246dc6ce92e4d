import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { scriptsDir, shellQuote } from "./remote-script";

/**
 * Where a host keeps the remote scripts, a folder per version. Each command
 * runs its steps from there, so the state, which the file backend writes
 * whole after every step, stores only a command's values, not its scripts.
 */
export const scriptsHome = "/var/lib/clipper-swarm/scripts";

/** What the probe prints of a host's scripts: the folder they are in, after this prefix. */
export const scriptsLine = "scripts: ";

/** What the probe prints where this version's scripts are not in place, whole. */
export const scriptsMissingLine = "scripts: missing";

/** What the probe prints where it put them in place on such a host. */
export const scriptsPlacedLine = "scripts: put in place";

/** The scripts as a host keeps them: each file's name and text, and the version they make together. */
interface ScriptSet {
  version: string;
  files: { name: string; text: string; sha256: string }[];
}

let scriptSet: ScriptSet | undefined;

/** This package's scripts, read once per run; the version is a digest of them all. */
function scripts(): ScriptSet {
  if (!scriptSet) {
    const names = fs.readdirSync(scriptsDir).filter((f) => f.endsWith(".sh")).sort();
    const files = names.map((name) => {
      const text = fs.readFileSync(path.join(scriptsDir, name), "utf8");
      return { name, text, sha256: createHash("sha256").update(text).digest("hex") };
    });
    const digest = createHash("sha256");
    for (const f of files) digest.update(`${f.name}\0${f.sha256}\0`);
    scriptSet = { version: digest.digest("hex").slice(0, 12), files };
  }
  return scriptSet;
}

/** The folder of this version's scripts on a host. */
export function scriptsFolder(): string {
  return `${scriptsHome}/${scripts().version}`;
}

/** Shell that succeeds where the scripts of `folder` are in place, whole. */
function scriptsInPlace(folder: string): string {
  return `(cd '${folder}' 2>/dev/null && sha256sum -c --status SHA256SUMS 2>/dev/null)`;
}

/** Shell that succeeds where the host holds a record of this tool's besides the scripts. */
const worked = `find '${path.dirname(scriptsHome)}' -mindepth 1 -maxdepth 1 ! -name '${path.basename(scriptsHome)}' 2>/dev/null | grep -q .`;

/**
 * What the probe runs in its look at a host, which changes nothing: prints
 * `scripts: missing` where this version's scripts are not in place, whole,
 * then their folder.
 */
export function scriptsCheck(): string {
  const folder = scriptsFolder();
  return [`if ! ${scriptsInPlace(folder)}; then echo '${scriptsMissingLine}'; fi`, `echo '${scriptsLine}${folder}'`].join("\n");
}

/**
 * What the probe runs on a host in an update where they are missing, before
 * any step: puts this version's scripts in place (whole, or not at all), and
 * removes other versions; a delete whose own version is gone runs this one's.
 * Prints the folder, after `scripts: put in place` where it put them on a
 * host that this tool has worked on.
 */
export function scriptsInstall(): string {
  const { files } = scripts();
  const folder = scriptsFolder();
  // With the shell's own printf: a file costs the host no process.
  const writes = files.map((f) => `printf '%s' ${shellQuote(f.text)} >"$new/${f.name}"`);
  const sums = files.map((f) => `${f.sha256}  ${f.name}`).join("\n");
  return [
    `if ! ${scriptsInPlace(folder)}; then`,
    `had=; if ${worked}; then had=yes; fi`,
    `mkdir -p '${scriptsHome}'`,
    `new=$(mktemp -d '${scriptsHome}/.new-XXXXXX')`,
    ...writes,
    `printf '%s\\n' '${sums.replace(/\n/g, "' '")}' >"$new/SHA256SUMS"`,
    `chmod 755 "$new"`,
    `rm -rf '${folder}'`,
    `mv "$new" '${folder}'`,
    `if [ -n "$had" ]; then echo '${scriptsPlacedLine}'; fi`,
    "fi",
    `for old in '${scriptsHome}'/*; do`,
    `  if [ -e "$old" ] && [ "$old" != '${folder}' ]; then rm -rf "$old"; fi`,
    "done",
    `echo '${scriptsLine}${folder}'`,
  ].join("\n");
}
