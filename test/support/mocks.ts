/**
 * Pulumi's mocks for unit tests: resources are recorded instead of created, and
 * remote commands answer with what the real scripts print, so outputs that parse
 * them resolve.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { HostProbe, probeTransport } from "../../components/remote/host-probe";
import { RestartOrder } from "../../components/cluster/restart-order";
import { renderScript } from "../../components/remote/remote-script";
import { certificateRequest } from "./tls-keys";

/** A resource as the program registered it. */
export interface Registered {
  /** Resource type token, e.g. command:remote:Command. */
  type: string;
  /** Logical name. */
  name: string;
  /** Inputs, secrets unwrapped. */
  inputs: Record<string, any>;
  /** Options seen by a transformation: parent, dependsOn and the like. */
  opts: pulumi.CustomResourceOptions;
  /** Inputs as given, secrets still wrapped, to check what is secret. */
  props: Record<string, unknown>;
  /** For a command that runs a host's scripts, what the host runs to create it: its values, then the script its input names; else its input. */
  script?: any;
}

/** Every resource registered since the last reset, by name (components only through `record`). */
export const registered = new Map<string, Registered>();

/** A real certificate request, as a host's key step prints it, for the CA to sign. */
export const engineRequest = certificateRequest("/CN=mock-engine");

/** Answers of remote commands, by a fragment of their scripts: a member's node is named after its host. */
const stdoutFor: [RegExp, (script: string) => string][] = [
  [/'swarm-id=%s\\nnode-id=%s\\n'/, (script) => `swarm-id=swarm0000\nnode-id=node-${/^HOST='([^']*)'$/m.exec(script)?.[1]}\n`],
  [/^SUBJECT_ALT_NAMES=/m, () => engineRequest],
  [/'network-id=%s\\n'/, () => "network-id=net0000\n"],
];

/** The checks the last probe ran on each address, under the mocks, after the scripts' own. */
export const probed = new Map<string, string>();

/** What a check prints under the mocks, by host address and a fragment of the check; nothing otherwise. */
export const checkAnswers: { address: string; check: RegExp; lines: string[] }[] = [];

/** How the scripts' own check prints their folder. */
const scriptsFolderLine = /^echo '(scripts: \/[^']*)'$/m;

// No host answers under the mocks: a check prints what checkAnswers says, and
// finds its host as configured otherwise.
probeTransport.open = async (login) => ({
  async run(script) {
    const checks = [...script.matchAll(/\{ \(\n([\s\S]*?)\n\) >"\$out\/(\d+)" 2>&1;/g)];
    probed.set(login.host, checks.map(([, check]) => check).filter((check) => !scriptsFolderLine.test(check)).join("\n"));
    const stdout = checks.map(([, check, i]) => {
      const answer = checkAnswers.find((a) => a.address === login.host && a.check.test(check));
      // The host keeps this version's scripts: their check prints the folder.
      const scripts = scriptsFolderLine.exec(check)?.[1];
      return [...(scripts ? [scripts] : (answer?.lines ?? [])), `@@clipper-swarm-check ${i} 0`].join("\n") + "\n";
    });
    return { code: 0, stdout: stdout.join(""), stderr: "" };
  },
  close() {},
});

/** Has the hosts at `addresses` found outside any swarm, as new hosts are. */
export function newHosts(...addresses: string[]): void {
  for (const address of addresses) checkAnswers.push({ address, check: swarmCheck, lines: ["not in the swarm"] });
}
/** A member's run where it may start the swarm, and where it joins any swarm this tool made. */
export const mayStart = /^GENERATION='repair-[0-9a-z]+ swarm=new'$/m;
export const joinsAny = /^GENERATION='repair-[0-9a-z]+ swarm='$/m;
/** A fragment of the swarm check, by which the mocks know it. */
export const swarmCheck = /^if ! settled_swarm_state; then$/m;

/** The SSH host key every host shows under the mocks. */
export const mockHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockHostKeyMockHostKeyMockHostKeyMockHostK";
probeTransport.scan = async () => mockHostKey;
probeTransport.scanCertificate = async () => undefined;

/** A probe for components under test; it answers through the mocks' transport. */
export const probe = new HostProbe();

/** A restart order for components under test. */
export const restartOrder = new RestartOrder();

/** Hosts (by name) met for the first time: a preview only plans their key's record, so it has no output. */
export const firstContact = new Set<string>();

/**
 * What a host runs to create a command whose input names a script it keeps
 * (see stepsInput): the values the input sets, then that script as the host
 * reads it, common.sh first. Any other input as it is.
 */
function createScript(stdin: string): string {
  const name = /create \| update\) step=([\w-]+) ;;/.exec(stdin)?.[1];
  return name ? `${stdin.slice(0, stdin.indexOf("\nexport "))}\n${renderScript(name, {})}` : stdin;
}

/** Pulumi's mocks as these tests use them. */
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    // A preview's unknown input stays as the mocks see it.
    const script = typeof args.inputs.stdin === "string" ? createScript(args.inputs.stdin) : args.inputs.stdin;
    const text = String(script ?? "");
    const stdout = stdoutFor.find(([pattern]) => pattern.test(text))?.[1](text) ?? "";
    // Resources without the recording transformation are kept too, with what the mocks see.
    const entry = registered.get(args.name) ?? { name: args.name, opts: {}, props: {} };
    registered.set(args.name, { ...entry, type: args.type, inputs: args.inputs, script });
    // A command whose script is unknown (a preview's) has an unknown output too;
    // a host key's record gives the key, as one made by an earlier run does.
    const environment = args.inputs.environment ?? {};
    const outputs =
      args.type === "command:remote:Command" && typeof args.inputs.stdin !== "object"
        ? { stdout }
        : args.type === "command:local:Command" && typeof environment.HOST_KEY === "string" && !firstContact.has(environment.HOST)
          ? { stdout: environment.HOST_KEY }
          : {};
    return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs } };
  },
  call(args) {
    return args.inputs;
  },
};

/** Runs the mocks as `pulumi up`, or as `pulumi preview`, where what they leave out of a resource's state is unknown. */
export function useMocks({ preview }: { preview: boolean }): void {
  pulumi.runtime.setMocks(mocks, "clipper-swarm", "unit", preview);
}
useMocks({ preview: false });

/** A transformation that records what it sees; pass it to the component under test. */
export const record: pulumi.ResourceTransformation = ({ name, props, opts }) => {
  registered.set(name, { type: "", name, inputs: {}, opts, props });
  return undefined;
};

/** The value of an output, however deep. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Whether an input is a secret. */
export function isSecret(input: unknown): Promise<boolean> {
  return pulumi.Output.isInstance(input) ? pulumi.isSecret(input) : Promise.resolve(false);
}

/** Waits until every resource registration has reached the mocks. */
export function settled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * The message of the error that `build` fails the run with: an uncaught
 * RunError or an unhandled rejection with one, which the test runner would
 * otherwise count as the test's failure. It is logged as the program's runner
 * logs it, so the resources left waiting are not reported as leaked when the
 * tests exit.
 */
export async function runFailure(build: () => void): Promise<string> {
  const uncaught = process.listeners("uncaughtException");
  const unhandled = process.listeners("unhandledRejection");
  process.removeAllListeners("uncaughtException");
  process.removeAllListeners("unhandledRejection");
  try {
    const err = await new Promise<Error>((resolve) => {
      process.once("uncaughtException", resolve);
      process.once("unhandledRejection", (reason) => resolve(reason as Error));
      build();
    });
    assert.ok(pulumi.RunError.isInstance(err), `not a RunError: ${err}`);
    await pulumi.log.error(err.message);
    return err.message;
  } finally {
    process.removeAllListeners("uncaughtException");
    process.removeAllListeners("unhandledRejection");
    for (const listener of uncaught) process.on("uncaughtException", listener);
    for (const listener of unhandled) process.on("unhandledRejection", listener);
  }
}
