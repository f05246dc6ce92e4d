/**
 * Looks for a stack's actual secret values in text and files: each secret is
 * searched as pieces long enough to be its own (a key's base64 lines, a whole
 * token or passphrase), so a match is the secret, not a coincidence.
 */
import { spawnSync } from "node:child_process";

/** A secret and the strings that give it away. */
export interface Secret {
  /** What it is, for messages: `SSH key`, `manager join token`. */
  name: string;
  /** Strings of it that must appear nowhere. */
  needles: string[];
}

/** A secret given as a whole value (a token, a passphrase). */
export function wholeSecret(name: string, value: string): Secret {
  if (value.length < 8) throw new Error(`${name}: too short to search for safely`);
  return { name, needles: [value] };
}

/** A PEM or OpenSSH key, by the lines of its base64 body. */
export function keySecret(name: string, pem: string): Secret {
  const needles = pem.split("\n").map((l) => l.trim()).filter((l) => l.length >= 40 && !l.startsWith("-----"));
  if (needles.length === 0) throw new Error(`${name}: no key body found`);
  return { name, needles };
}

/** The names of the secrets that `text` gives away, JSON-escaped ones included. */
export function secretsIn(text: string, secrets: Secret[]): string[] {
  const unescaped = text.replace(/\\\//g, "/");
  return secrets.filter((s) => s.needles.some((n) => unescaped.includes(n))).map((s) => s.name);
}

/**
 * The files under `dirs`, made or changed since file `since` was, that a user
 * can read and that give a secret away, as `FILE: SECRET`. `runAs` runs a
 * script as that user, so a file counts exactly when another user could read
 * it; `read` then reads a found file. The needles go on grep's standard input,
 * never into a file or a command line.
 */
export function readableLeaks(
  runAs: (script: string, input: string) => { stdout: string },
  read: (file: string) => string,
  dirs: string[],
  since: string,
  secrets: Secret[],
): string[] {
  const needles = secrets.flatMap((s) => s.needles).join("\n") + "\n";
  const script =
    `files=$(find ${dirs.join(" ")} \\( -name node_modules -o -name .git \\) -prune -o -type f -newer ${since} -print 2>/dev/null); ` +
    '[ -z "$files" ] || grep -lsF -f - $files || true';
  return runAs(script, needles)
    .stdout.split("\n")
    .filter(Boolean)
    .flatMap((file) => secretsIn(read(file), secrets).map((name) => `${file}: ${name}`));
}

/** Runs `script` as an unprivileged user of this machine, with `input` on its standard input. */
export function asLocalUser(user: string): (script: string, input: string) => { stdout: string } {
  return (script, input) => {
    const r = spawnSync("runuser", ["-u", user, "--", "sh", "-c", script], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { stdout: r.stdout ?? "" };
  };
}
