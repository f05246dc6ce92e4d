import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import { Client, ServerHostKeyAlgorithm, SyncHostVerifier } from "ssh2";

/** Where and how to log in; the fields of `remote.Command`'s connection that a probe uses. */
export interface SshLogin {
  /** Address or DNS name of the host. */
  host: string;
  /** SSH port; 22 when unset. */
  port?: number;
  /** Login user; root when unset. */
  user?: string;
  /** Private key (PEM or OpenSSH format). */
  privateKey?: string;
  /** Passphrase of an encrypted private key. */
  privateKeyPassword?: string;
  /** Socket of an SSH agent that holds the key. */
  agentSocketPath?: string;
  /** Seconds one connection attempt may take. */
  perDialTimeout?: number;
  /** Connection attempts before giving up. */
  dialErrorLimit?: number;
  /** The host's public key (`TYPE BASE64`) that it must show; any key when unset. */
  hostKey?: string;
}

/** What a script run over SSH printed, and how it ended. */
export interface ScriptRun {
  /** The script's exit status. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** A logged-in SSH connection to one host. */
export interface SshSession {
  /**
   * Runs a shell script as root (see rootShell), with the script on standard
   * input, so nothing of it shows in the host's process list; fails when it
   * has not ended within `limitSeconds`.
   */
  run(script: string, limitSeconds: number): Promise<ScriptRun>;
  /** Ends the connection; one left idle does not keep the program running. */
  close(): void;
}

/**
 * Logs in to a host. Connection failures are retried with a growing pause, as
 * remote.Command does, for a host that is rebooting; the error names the address.
 */
export function openSsh(login: SshLogin): Promise<SshSession> {
  return retrying(login, `log in over SSH to ${address(login)}`, () => connect(login));
}

/**
 * The SSH host key `login`'s host shows (`TYPE BASE64`), read in the key
 * exchange, before any login: nothing of the login is sent. `keyTypes` are
 * the key types to ask for, such as those known_hosts holds for the host.
 */
export function scanHostKey(login: SshLogin, keyTypes: string[]): Promise<string> {
  return retrying(login, `reach ${address(login)} over SSH`, () => scan(login, keyTypes));
}

/** `HOST:PORT` of a login, for messages. */
const address = (login: SshLogin) => `${login.host}:${login.port ?? 22}`;

/** Seconds each connection attempt may take. */
const dialSeconds = (login: SshLogin) => login.perDialTimeout ?? 15;

/**
 * `attempt`, retried with a growing pause on failure, as remote.Command
 * retries a dial, for a host that is rebooting; the error names the address.
 */
async function retrying<T>(login: SshLogin, what: string, attempt: () => Promise<T>): Promise<T> {
  const attempts = Math.max(1, login.dialErrorLimit ?? 1);
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof HostKeyMismatch) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (tried >= attempts) {
        throw new Error(`cannot ${what} after ${tried} attempt(s): ${reason}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** tried)));
    }
  }
}

/**
 * The host certificate `login`'s host shows (`TYPE BASE64`), read with
 * OpenSSH's ssh-keyscan, as ssh2 reads no certificates; none when it shows none.
 */
export function scanHostCertificate(login: SshLogin): Promise<string | undefined> {
  const seconds = String(dialSeconds(login));
  return new Promise((resolve, reject) =>
    execFile("ssh-keyscan", ["-c", "-T", seconds, "-p", String(login.port ?? 22), login.host], { timeout: 60_000 }, (err, stdout) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
        return reject(new Error("ssh-keyscan (OpenSSH's client) is needed to read a host certificate, as known_hosts names an authority for the host"));
      }
      const line = stdout.split("\n").find((l) => / \S+-cert-v01@openssh\.com /.test(l));
      resolve(line?.split(" ").slice(1).join(" "));
    }),
  );
}

/** The host key algorithms that ask for keys of each known_hosts key type. */
const algorithmsOf: Record<string, ServerHostKeyAlgorithm[]> = {
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/** The algorithms that ask for keys of `keyTypes`, ed25519 first, then ECDSA, then RSA, as OpenSSH prefers them. */
function hostKeyAlgorithms(keyTypes: string[]): ServerHostKeyAlgorithm[] {
  const rank = (t: string) => ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"].indexOf(t) >>> 0;
  return [...keyTypes].sort((a, b) => rank(a) - rank(b)).flatMap((t) => algorithmsOf[t] ?? [t as ServerHostKeyAlgorithm]);
}

function scan(login: SshLogin, keyTypes: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let shown: Buffer | undefined;
    const algorithms = hostKeyAlgorithms(keyTypes);
    client
      .on("error", (err) => (shown ? resolve(keyLine(shown)) : reject(err)))
      .on("ready", () => client.end())
      .connect({
        host: login.host,
        port: login.port ?? 22,
        username: login.user ?? "root",
        readyTimeout: dialSeconds(login) * 1000,
        ...(algorithms.length > 0 && { algorithms: { serverHostKey: algorithms } }),
        // Refused once read: the connection ends before any authentication.
        hostVerifier: ((key) => {
          shown = key;
          return false;
        }) satisfies SyncHostVerifier,
      });
  });
}

/** A key blob in the wire format as a `TYPE BASE64` line: the type is the blob's first string. */
function keyLine(blob: Buffer): string {
  const type = blob.subarray(4, 4 + blob.readUInt32BE(0)).toString();
  return `${type} ${blob.toString("base64")}`;
}

/** The host showed another key than the pinned one: not retried, as it will not change. */
export class HostKeyMismatch extends Error {}

function connect(login: SshLogin): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    // Keys compared as their base64 blobs, as an OpenSSH key line holds them.
    const pinned = login.hostKey?.split(" ")[1];
    let shown: string | undefined;
    // An idle session does not keep the program running: a run holds it with its own time limit.
    const sock = tcpConnect({ host: login.host, port: login.port ?? 22 }).unref();
    client
      .on("ready", () => resolve({ run: (script, limit) => runAsRoot(client, login.user, script, limit), close: () => client.end() }))
      .on("error", (err) => {
        if (pinned && shown && shown !== pinned) {
          reject(new HostKeyMismatch(`${address(login)} shows another SSH host key (${fingerprint(shown)}) than the one this run trusts for it; run again to look at it anew`));
        } else {
          reject(err);
        }
      })
      .connect({
        sock,
        host: login.host,
        port: login.port ?? 22,
        username: login.user ?? "root",
        privateKey: login.privateKey,
        passphrase: login.privateKeyPassword,
        agent: login.agentSocketPath,
        readyTimeout: dialSeconds(login) * 1000,
        // The pinned key's type is asked for, as remote.Command asks: a host shows one key per type.
        ...(pinned && { algorithms: { serverHostKey: hostKeyAlgorithms([login.hostKey!.split(" ")[0]]) } }),
        ...(pinned && {
          hostVerifier: ((key) => {
            shown = key.toString("base64");
            return shown === pinned;
          }) satisfies SyncHostVerifier,
        }),
      });
  });
}

/**
 * The shell a remote step runs in, as root: `sh -s` for a root login, which
 * needs no sudo, and `sudo -n sh -s` for any other user, which must have
 * passwordless sudo (the probe says so, naming the host, before anything changes).
 */
export function rootShell(user: string | undefined): string {
  return user === undefined || user === "root" ? "sh -s" : "sudo -n sh -s";
}

/**
 * Runs a script as root: through passwordless sudo for a login other than
 * root. A login that cannot is an error naming the user and what to do.
 */
async function runAsRoot(client: Client, user: string | undefined, script: string, limitSeconds: number): Promise<ScriptRun> {
  const result = await run(client, rootShell(user), script, limitSeconds);
  const refused = /^sudo: .*$/m.exec(result.stderr);
  if (result.code !== 0 && refused && result.stdout === "") {
    throw new Error(
      `${user} cannot become root without a password (${refused[0]}); give it passwordless sudo ` +
        `(a line "${user} ALL=(ALL) NOPASSWD:ALL" in /etc/sudoers.d/clipper-swarm), or log in as root`,
    );
  }
  return result;
}

function run(client: Client, shell: string, script: string, limitSeconds: number): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    // The connection goes with the run that outlasts its bound: nothing else waits on it.
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`it did not finish within ${limitSeconds} s`));
    }, limitSeconds * 1000);
    client.exec(shell, (err, stream) => {
      if (err) {
        clearTimeout(timer);
        return reject(err);
      }
      let stdout = "";
      let stderr = "";
      stream.on("data", (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      stream.on("close", (code: number | null) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      stream.end(script);
    });
  });
}

/** A key's fingerprint, from its base64 blob, as ssh-keygen -l shows it: SHA256:BASE64. */
function fingerprint(blob: string): string {
  return `SHA256:${createHash("sha256").update(blob, "base64").digest("base64").replace(/=+$/, "")}`;
}
