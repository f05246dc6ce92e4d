/**
 * The cross-host check behind `npm run verify`: one container per host on the
 * overlay network, each of which resolves every other by container name and
 * exchanges bytes with it over TCP.
 */
import { spawnSync } from "node:child_process";

/** A host to place a test container on. */
export interface Engine {
  /** The host's inventory name. */
  name: string;
  /** The engine's endpoint, e.g. tcp://10.231.0.11:2375. */
  url: string;
}

/** One pair's result: from which host's container to which. */
export interface PairResult {
  /** Host the connection started from. */
  from: string;
  /** Host it reached, or failed to. */
  to: string;
  /** Whether the bytes came back. */
  ok: boolean;
  /** What went wrong, when not ok. */
  detail?: string;
  /** Seconds after the first try that the pair first worked, when it did not at once. */
  after?: number;
}

/**
 * How long pairs that fail are checked again: after a join, a host's overlay
 * can take up to a minute to learn its peers.
 */
const convergeSeconds = 90;
const retrySeconds = 5;

const port = 7000;
const containerName = (host: string) => `clipper-verify-${host}`;

function docker(url: string, args: string[]) {
  return spawnSync("docker", ["-H", url, ...args], { encoding: "utf8", timeout: 60_000 });
}

/** Up to this many hosts, every ordered pair is checked; beyond, a sample (see pairsToCheck). */
const everyPairUpTo = 10;

/**
 * The ordered pairs to check: all of them for a few hosts; for more, each host
 * to the ones a third and two thirds of the way round the list from it, and to
 * the next: every host sends and receives three times, to near and far peers
 * alike, and the check grows with the hosts, not with their square.
 */
export function pairsToCheck<E>(engines: E[]): { from: E; to: E }[] {
  const n = engines.length;
  if (n <= everyPairUpTo) return engines.flatMap((from) => engines.filter((to) => to !== from).map((to) => ({ from, to })));
  const offsets = [...new Set([1, Math.floor(n / 3), Math.floor((2 * n) / 3)])];
  return engines.flatMap((from, i) => offsets.map((k) => ({ from, to: engines[(i + k) % n] })));
}

/** Starts the echo containers, checks the pairs that pairsToCheck gives, removes the containers. */
export function checkOverlay(engines: Engine[], network: string, image: string, progress: (line: string) => void): PairResult[] {
  try {
    for (const e of engines) {
      docker(e.url, ["rm", "-f", containerName(e.name)]);
      // busybox nc: -ll keeps listening, -e cat echoes what each client sends.
      const started = docker(e.url, [
        "run", "-d", "--name", containerName(e.name), "--net", network, image, "nc", "-ll", "-p", String(port), "-e", "cat",
      ]);
      if (started.status !== 0) throw new Error(`${e.name}: cannot start a container on ${network}: ${started.stderr.trim()}`);
      progress(`${e.name}: container ${containerName(e.name)} started on ${network}`);
    }
    const pair = (from: Engine, to: Engine): PairResult => {
      const message = `clipper ${from.name} to ${to.name}`;
      const r = docker(from.url, [
        "exec", containerName(from.name), "sh", "-c", `echo '${message}' | nc -w 5 ${containerName(to.name)} ${port}`,
      ]);
      const ok = r.status === 0 && r.stdout.trim() === message;
      return { from: from.name, to: to.name, ok, ...(!ok && { detail: (r.stderr || r.stdout).trim() || `exit ${r.status}` }) };
    };
    const pairs = pairsToCheck(engines);
    let results = pairs.map(({ from, to }) => pair(from, to));
    const start = Date.now();
    const seconds = () => Math.round((Date.now() - start) / 1000);
    if (results.some((r) => !r.ok)) {
      progress(`${results.filter((r) => !r.ok).length} pairs failed; checking them again every ${retrySeconds} s for up to ${convergeSeconds} s, as a host's overlay can take a minute to learn its peers after a join`);
    }
    while (results.some((r) => !r.ok) && seconds() < convergeSeconds) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, retrySeconds * 1000);
      results = results.map((r, i) => {
        if (r.ok) return r;
        const again = pair(pairs[i].from, pairs[i].to);
        return again.ok ? { ...again, after: seconds() } : again;
      });
    }
    return results;
  } finally {
    for (const e of engines) docker(e.url, ["rm", "-f", containerName(e.name)]);
  }
}

/** A pair's cell in the table: `.` where it was not checked. */
function pairMark(result: PairResult | undefined): string {
  if (!result) return ".";
  return result.ok ? "ok" : "FAIL";
}

/** The results as a table: one row per source host, one column per target. */
export function matrix(engines: Engine[], results: PairResult[]): string {
  const names = engines.map((e) => e.name);
  const corner = "from\\to";
  const width = Math.max(corner.length, ...names.map((n) => n.length)) + 2;
  const cell = (s: string) => s.padEnd(width);
  const rows = names.map((from) =>
    cell(from) + names.map((to) => cell(from === to ? "-" : pairMark(results.find((r) => r.from === from && r.to === to)))).join(""),
  );
  return [cell(corner) + names.map(cell).join(""), ...rows].map((row) => row.trimEnd()).join("\n");
}
