/**
 * What happened in a run, one line per step, for the failure report: the lines
 * before a violation, or around the moment an end-of-run violation points at, are
 * usually the story of it. Times are seconds since the run began.
 */
interface Line {
  readonly at: number;
  readonly text: string;
}

export class Trace {
  private readonly lines: Line[] = [];

  constructor(
    private readonly clock: () => number,
    private readonly origin: number,
  ) {}

  /** `at` (virtual ms) as the trace writes it. */
  time(at: number): string {
    return `${((at - this.origin) / 1000).toFixed(3)}s`;
  }

  log(who: string | null, what: string): void {
    const at = this.clock();
    this.lines.push({ at, text: `${this.time(at).padStart(9)} ${(who ?? 'net').padEnd(3)} ${what}` });
  }

  /** The last `n` lines (all with 0). */
  tail(n: number): string[] {
    return (n > 0 ? this.lines.slice(-n) : this.lines).map((line) => line.text);
  }

  /** The lines from 4 s before to 6 s after each of `moments` (at most 100 each), gaps marked. */
  around(moments: readonly number[]): string[] {
    const picked = new Set<Line>();
    for (const at of moments) {
      this.lines
        .filter((line) => line.at >= at - 4_000 && line.at <= at + 6_000)
        .slice(0, 100)
        .forEach((line) => picked.add(line));
    }
    const out: string[] = [];
    let previous = -1;
    this.lines.forEach((line, i) => {
      if (!picked.has(line)) return;
      if (previous >= 0 && i > previous + 1) out.push('      …');
      out.push(line.text);
      previous = i;
    });
    return out;
  }
}
