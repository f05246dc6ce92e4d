/**
 * The CPU time that the whole machine spends, lab hosts and controller alike:
 * the lab's hosts are containers on its kernel, so /proc/stat counts them.
 * A step's CPU, against its wall time on the machine's cores, shows whether
 * the cores or the waits set its pace.
 */
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** Kernel clock ticks per second, the unit of /proc/stat. */
const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/**
 * Seconds of CPU that the machine has spent running code since it booted,
 * over all its cores: user, nice, system, irq and softirq. Not idle nor
 * iowait, and not steal: time the hypervisor gave to others.
 */
export function busyCpuSeconds(stat = readFileSync("/proc/stat", "utf8")): number {
  const fields = stat.split("\n")[0].trim().split(/\s+/);
  if (fields[0] !== "cpu") throw new Error(`/proc/stat does not start with the cpu line: ${fields[0]}`);
  const [user, nice, system, , , irq, softirq] = fields.slice(1, 8).map(Number);
  return (user + nice + system + irq + softirq) / ticksPerSecond;
}
