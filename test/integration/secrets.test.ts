// Secrets hygiene on the lab. With every kind of secret the stack knows (an
// encrypted SSH key in an agent, unlocked with its passphrase, the TLS CA and
// client keys, each engine's key, the swarm's join tokens, the stack's
// passphrase), none of their values appears in what up, preview and destroy
// print with --debug and with -v=9 --logtostderr, in the log files Pulumi
// writes, in `pulumi stack export` or the backend's files, in any process's
// arguments here or on the hosts while a run goes on, or in a file that
// another user can read.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { labHosts, missingPlugins, pulumiBin, root, run, ssh, sshAs } from "../support/cli";
import { labStack } from "../support/lab-stack";
import { SshAgent, startSshAgent } from "../support/ssh-agent";
import { providerClientFolder } from "../../components/tls/engine-client";
import { asLocalUser, keySecret, readableLeaks, Secret, secretsIn, wholeSecret } from "../support/secret-scan";
import type { HostSpec } from "../../hosts/inventory";

const samplerFile = "/root/clipper-test-ps-samples";
const sampler = "clipper-test-ps-sampler";
/** Files changed after this one count in the search for readable files. */
const marker = `/tmp/clipper-swarm-secrets-${process.pid}`;

describe("secrets hygiene: no secret value shows anywhere", { skip: missingPlugins() }, () => {
  const lab = labStack("secrets");
  const hosts = labHosts();
  const scratch = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-secrets-"));
  const logDir = path.join(scratch, "logs");
  const labKey = readFileSync(path.join(root, ".lab", "id_ed25519"), "utf8");
  const passphrase = randomBytes(12).toString("hex");
  /** What each run printed. */
  const printed: Record<string, string> = {};
  const secrets: Secret[] = [];
  let localSampler: ChildProcess;
  let agent: SshAgent | undefined;

  const env = { ...lab.stack.env, PULUMI_STACK: "secrets" };
  /** `pulumi ARGS` on the stack, with `input` on its standard input. */
  const cli = (args: string[], { input, extraEnv = {} }: { input?: string; extraEnv?: NodeJS.ProcessEnv } = {}) =>
    run(pulumiBin, [...args, "--stack", "secrets", "--config-file", lab.configFile], { cwd: root, env: { ...lab.stack.env, ...extraEnv }, input });
  /** Sets a config value; a secret goes through standard input, never a command line. */
  const set = (key: string, value: string, secret = false) => {
    const r = cli(["config", "set", ...(secret ? ["--secret"] : []), `clipper-swarm:${key}`, ...(secret ? [] : [value])], { input: secret ? value : undefined });
    assert.equal(r.status, 0, r.stderr);
  };
  /** A run whose output is kept for the scan. */
  const logged = (label: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = cli(args, { extraEnv });
    printed[label] = r.stdout + r.stderr;
    assert.equal(r.status, 0, `${label} failed:\n${r.stderr.slice(-3000)}`);
  };
  /** Runs `script` on host `h` as user `nosudo`, who is nobody special there. */
  const asHostUser = (h: HostSpec) => (script: string, input: string) => sshAs(h, "nosudo", script, input);

  before(() => {
    // The lab key, encrypted with a passphrase, unlocked into an agent of the
    // test's own: the passphrase goes to ssh-add through a file of mode 600.
    const keyFile = path.join(scratch, "key");
    copyFileSync(path.join(root, ".lab", "id_ed25519"), keyFile);
    chmodSync(keyFile, 0o600);
    assert.equal(run("ssh-keygen", ["-q", "-p", "-P", "", "-N", passphrase, "-f", keyFile]).status, 0);
    const encryptedKey = readFileSync(keyFile, "utf8");
    const askpass = path.join(scratch, "askpass");
    writeFileSync(path.join(scratch, "passphrase"), passphrase, { mode: 0o600 });
    writeFileSync(askpass, `#!/bin/sh\ncat '${path.join(scratch, "passphrase")}'\n`, { mode: 0o700 });
    agent = startSshAgent(scratch);
    agent.add(keyFile, askpass);
    rmSync(keyFile);
    lab.stack.env.SSH_AUTH_SOCK = agent.socket;
    lab.inventory("agent-key", (t) => t.replace(/path: .*/, "agent: true"));
    set("daemonTls", "true");
    // Providers read the client key from files this machine keeps: they are scanned too.
    set("dockerProviders", "true");
    const keys = run("node", ["build/bin/tls.js", "keys", "--config-file", lab.configFile], { env });
    assert.equal(keys.status, 0, keys.stderr);
    secrets.push(keySecret("SSH key", labKey), keySecret("encrypted SSH key", encryptedKey), wholeSecret("SSH key passphrase", passphrase));
    for (const key of ["tlsCaKey", "tlsClientKey"]) {
      secrets.push(keySecret(key, cli(["config", "get", `clipper-swarm:${key}`]).stdout));
    }
    secrets.push(wholeSecret("stack passphrase", String(lab.stack.env.PULUMI_CONFIG_PASSPHRASE)));

    // Every process's arguments, sampled 10 times a second here and on each host.
    writeFileSync(marker, "");
    localSampler = spawn("sh", ["-c", `while :; do ps -eo args; sleep 0.1; done >${path.join(scratch, "ps")}`], { stdio: "ignore" });
    for (const h of hosts) {
      const started = ssh(h, `touch ${marker} && systemd-run --quiet --unit ${sampler} sh -c 'while :; do ps -eo args; sleep 0.1; done >${samplerFile}'`);
      assert.equal(started.status, 0, started.stderr);
    }
    logged("up, traced", ["up", "--yes", "--skip-preview", "--debug", "-v=9", "--logtostderr"]);
    logged("preview", ["preview", "--debug"]);
    logged("up again", ["up", "--yes", "--debug"]);
    logged("preview, traced", ["preview", "--debug", "-v=9", "--logtostderr"]);
    // Without --logtostderr, Pulumi writes its logs as files into the temporary folder.
    mkdirSync(logDir);
    logged("preview, traced into log files", ["preview", "-v=9"], { TMPDIR: logDir });

    // The values made on the hosts: each engine's key, and the join tokens.
    for (const h of hosts) secrets.push(keySecret(`${h.name}'s engine key`, ssh(h, "cat /etc/docker/clipper-swarm-tls/key.pem").stdout));
    for (const role of ["worker", "manager"]) {
      secrets.push(wholeSecret(`${role} join token`, ssh(hosts[0], `docker swarm join-token -q ${role}`).stdout.trim()));
    }
  });
  after(() => {
    localSampler?.kill();
    for (const h of hosts) ssh(h, `systemctl stop ${sampler} 2>/dev/null; rm -f ${samplerFile} ${marker}`);
    lab.dispose();
    agent?.stop();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(marker, { force: true });
  });

  it("the scan finds a secret where one is shown on purpose (pulumi config --show-secrets --json)", () => {
    const found = secretsIn(cli(["config", "--show-secrets", "--json"]).stdout, secrets);
    assert.deepEqual(found, ["tlsCaKey", "tlsClientKey"]);
  });

  it("up and preview print none, with --debug and with -v=9 --logtostderr", () => {
    for (const [label, text] of Object.entries(printed)) {
      assert.deepEqual(secretsIn(text, secrets), [], label);
    }
  });

  it("the log files Pulumi writes at -v=9 hold none", () => {
    const files = readdirSync(logDir, { recursive: true }).map(String).filter((f) => f.includes("pulumi"));
    assert.ok(files.length > 0, "Pulumi wrote log files");
    for (const f of files) assert.deepEqual(secretsIn(readFileSync(path.join(logDir, f), "utf8"), secrets), [], f);
  });

  it("pulumi stack export and every file of the backend hold none", () => {
    assert.deepEqual(secretsIn(lab.stack.run(["stack", "export"]).stdout, secrets), []);
    const files = readdirSync(lab.stack.backend, { recursive: true }).map((f) => path.join(lab.stack.backend, String(f)));
    for (const file of files.filter((f) => statSync(f).isFile())) {
      assert.deepEqual(secretsIn(readFileSync(file, "utf8"), secrets), [], file);
    }
  });

  it("no process's arguments showed one, here or on the hosts, while the runs went on", () => {
    localSampler.kill();
    const local = readFileSync(path.join(scratch, "ps"), "utf8");
    assert.ok(local.includes("pulumi-resource-command"), "the local samples saw the run");
    assert.deepEqual(secretsIn(local, secrets), [], "this machine");
    for (const h of hosts) {
      const samples = ssh(h, `systemctl stop ${sampler}; cat ${samplerFile}`).stdout;
      assert.match(samples, /sh -s -- (create|update)/, `the samples on ${h.name} saw the run`);
      assert.deepEqual(secretsIn(samples, secrets), [], h.name);
    }
  });

  it("no file that another user can read holds one, here or on the hosts", () => {
    const localDirs = [os.tmpdir(), lab.stack.backend, path.join(root, ".tools", "home"), root, providerClientFolder("clipper-swarm", "secrets", "cluster")];
    assert.deepEqual(readableLeaks(asLocalUser("nobody"), (f) => readFileSync(f, "utf8"), localDirs, marker, secrets), []);
    for (const h of hosts) {
      const read = (file: string) => asHostUser(h)(`cat '${file}'`, "").stdout;
      const dirs = ["/etc", "/var", "/tmp", "/home", "/root", "/run", "/opt", "/srv"];
      assert.deepEqual(readableLeaks(asHostUser(h), read, dirs, marker, secrets), [], h.name);
    }
  });

  it("destroy prints none, with --debug and -v=9 --logtostderr", () => {
    logged("destroy, traced", ["destroy", "--yes", "--skip-preview", "--debug", "-v=9", "--logtostderr"]);
    assert.deepEqual(secretsIn(printed["destroy, traced"], secrets), []);
  });
});
