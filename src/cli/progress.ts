/**
 * Progress on stderr (stdout stays clean for --json): a bar redrawn in place on a terminal, and a
 * plain line every tenth of the way otherwise (logs, CI).
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDecile = -1;
  private readonly started = performance.now();

  constructor(private readonly label: string) {}

  update(done: number, total: number, detail: string): void {
    const fraction = total > 0 ? done / total : 1;
    const elapsed = (performance.now() - this.started) / 1000;
    const eta = fraction > 0 ? elapsed * (1 / fraction - 1) : 0;
    const text = `${this.label} ${done}/${total} ${detail} ${formatSeconds(elapsed)} elapsed, ${formatSeconds(eta)} left`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${text}\x1b[K`);
      if (done >= total) process.stderr.write('\n');
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile > this.lastDecile) {
        this.lastDecile = decile;
        process.stderr.write(`${(fraction * 100).toFixed(0).padStart(3)}% ${text}\n`);
      }
    }
  }
}

export function formatSeconds(seconds: number): string {
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  return m < 60 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
