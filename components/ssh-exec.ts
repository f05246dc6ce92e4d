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
  /** Runs a shell script: `sh -s` with the script on standard input, so nothing of it shows in the host's process list. */
  run(script: string): Promise<ScriptRun>;
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
      .on("ready", () => resolve({ run: (script) => run(client, script), close: () => client.end() }))
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

function run(client: Client, script: string): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    client.exec("sh -s", (err, stream) => {
      if (err) return reject(err);
      let stdout = "";
      let stderr = "";
      stream.on("data", (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      stream.on("close", (code: number | null) => resolve({ code: code ?? -1, stdout, stderr }));
      stream.end(script);
    });
  });
}

/** A key's fingerprint, from its base64 blob, as ssh-keygen -l shows it: SHA256:BASE64. */
function fingerprint(blob: string): string {
  return `SHA256:${createHash("sha256").update(blob, "base64").digest("base64").replace(/=+$/, "")}`;
}
