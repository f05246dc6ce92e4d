import { createHash } from "node:crypto";
import { Client, SyncHostVerifier } from "ssh2";

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
  /** Ends the connection. */
  close(): void;
}

/**
 * Logs in to a host. Connection failures are retried with a growing pause, as
 * remote.Command does, for a host that is rebooting; the error names the address.
 */
export async function openSsh(login: SshLogin): Promise<SshSession> {
  const attempts = Math.max(1, login.dialErrorLimit ?? 1);
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect(login);
    } catch (err) {
      if (err instanceof HostKeyMismatch) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (attempt >= attempts) {
        throw new Error(`cannot log in over SSH to ${login.host}:${login.port ?? 22} after ${attempt} attempt(s): ${reason}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/** The host showed another key than the pinned one: not retried, as it will not change. */
class HostKeyMismatch extends Error {}

function connect(login: SshLogin): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    // Keys compared as their base64 blobs, as an OpenSSH key line holds them.
    const pinned = login.hostKey?.split(" ")[1];
    let shown: string | undefined;
    client
      .on("ready", () => resolve({ run: (script, limit) => runAsRoot(client, login.user, script, limit), close: () => client.end() }))
      .on("error", (err) => {
        if (pinned && shown && shown !== pinned) {
          reject(new HostKeyMismatch(`${login.host}:${login.port ?? 22} shows another SSH host key than the inventory's hostKey (${fingerprint(shown)}); if the host was rebuilt on purpose, pin its new key (ssh-keyscan)`));
        } else {
          reject(err);
        }
      })
      .connect({
        host: login.host,
        port: login.port ?? 22,
        username: login.user ?? "root",
        privateKey: login.privateKey,
        passphrase: login.privateKeyPassword,
        agent: login.agentSocketPath,
        readyTimeout: (login.perDialTimeout ?? 15) * 1000,
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
 * The shell a remote step runs in, as root: `sh -s` for a root login, and
 * `sudo -n sh -s` for any other user, which must have passwordless sudo (the
 * probe says so, naming the host, before anything changes). A root login's
 * command lines stay as they always were, so its clusters see no change.
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
