// The machine a run was made on: figures from different machines are not comparable.
import { cpus, totalmem, platform, release } from 'node:os';

/** CPU model, core count, memory, OS and Node version of this machine. */
export function machineFacts(browserVersion) {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    chromium: browserVersion ?? null,
  };
}
