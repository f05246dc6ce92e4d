/** An SSH agent of a test's own, holding the keys the test adds. */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { run } from "./cli";

/** A running agent. */
export interface SshAgent {
  /** Its socket, for SSH_AUTH_SOCK. */
  socket: string;
  /** Adds a key file; `askpass` names a program that prints an encrypted key's passphrase. */
  add(keyFile: string, askpass?: string): void;
  /** Ends the agent. */
  stop(): void;
}

/** Starts an agent whose socket is in folder `dir`. */
export function startSshAgent(dir: string): SshAgent {
  const socket = path.join(dir, "agent.sock");
  const agent = run("ssh-agent", ["-s", "-a", socket]);
  assert.equal(agent.status, 0, agent.stderr);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
  return {
    socket,
    add(keyFile, askpass) {
      const env = askpass ? { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" } : {};
      const added = run("ssh-add", [keyFile], { env: { SSH_AUTH_SOCK: socket, ...env } });
      assert.equal(added.status, 0, added.stderr);
    },
    stop: () => process.kill(pid),
  };
}
