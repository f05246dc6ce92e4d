/**
 * The operator's known_hosts, read as OpenSSH reads it (sshd(8), "SSH_KNOWN_HOSTS
 * FILE FORMAT"): plain and hashed host patterns, `[host]:port`, `*` and `?`
 * wildcards, `!` negation, and the `@cert-authority` and `@revoked` markers.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** `cert-authority`: the key signs the hosts' certificates; `revoked`: the key is refused. */
  marker?: "cert-authority" | "revoked";
  /** The host field: comma-separated patterns, or one hashed name. */
  hosts: string;
  /** The key's type, such as `ssh-ed25519`. */
  keyType: string;
  /** The key's blob, in base64, as the line holds it. */
  key: string;
  /** `FILE:LINE`, for messages. */
  where: string;
}

/** Where OpenSSH looks by default: the user's file, then the system's. */
export function defaultKnownHostsFiles(home = os.homedir()): string[] {
  return [path.join(home, ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"];
}

/** Every key line of `files`; a file that does not exist has none. */
export function readKnownHosts(files: string[]): KnownHostEntry[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    return parseKnownHosts(text, file);
  });
}

/** The key lines of a known_hosts text; comments, blank and malformed lines are skipped, as OpenSSH skips them. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  return text.split("\n").flatMap((raw, i) => {
    const words = raw.trim().split(/\s+/);
    if (words[0] === "" || words[0].startsWith("#")) return [];
    const marker = words[0] === "@cert-authority" ? "cert-authority" : words[0] === "@revoked" ? "revoked" : undefined;
    const [hosts, keyType, key] = marker ? words.slice(1) : words;
    if (!hosts || !keyType || !key) return [];
    return [{ ...(marker && { marker }), hosts, keyType, key, where: `${file}:${i + 1}` }];
  });
}

/** The name a host is looked up by: `host`, or `[host]:port` off port 22. */
export function lookupName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Whether the host field `hosts` names `name` (see lookupName). */
export function namesHost(hosts: string, name: string): boolean {
  if (hosts.startsWith("|1|")) {
    const [salt, hash] = hosts.slice(3).split("|");
    return createHmac("sha1", Uint8Array.from(Buffer.from(salt, "base64"))).update(name).digest("base64") === hash;
  }
  let matched = false;
  for (const pattern of hosts.split(",")) {
    const negated = pattern.startsWith("!");
    if (!wildcardMatch(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const source = pattern
    .toLowerCase()
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`).test(name);
}

/** What known_hosts says of one host. */
export interface KnownKeys {
  /** Its keys. */
  keys: KnownHostEntry[];
  /** The authorities that sign its certificates. */
  authorities: KnownHostEntry[];
  /** Keys refused for it. */
  revoked: KnownHostEntry[];
}

/** The entries of `entries` that name `host` on `port`. */
export function knownKeysFor(entries: KnownHostEntry[], host: string, port: number): KnownKeys {
  const name = lookupName(host, port);
  const named = entries.filter((e) => namesHost(e.hosts, name));
  return {
    keys: named.filter((e) => !e.marker),
    authorities: named.filter((e) => e.marker === "cert-authority"),
    revoked: named.filter((e) => e.marker === "revoked"),
  };
}
