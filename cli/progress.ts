/**
 * Progress of long operations (hashing, uploading): bytes, rate, ETA. On a
 * terminal one line is redrawn in place; otherwise (a log file, CI, a pipe)
 * a plain line is printed now and then, so logs stay readable.
 */

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1536 → "1.5 KiB"; three significant figures above 1 KiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Bytes per second → "12.3 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '— /s';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Seconds → "剩余 1小时02分" / "3分05秒" / "12秒"; unknown → "—". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 1) return '<1秒';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h >= 100) return `${Math.floor(h / 24)}天${h % 24}小时`;
  if (h > 0) return `${h}小时${String(m).padStart(2, '0')}分`;
  if (m > 0) return `${m}分${String(sec).padStart(2, '0')}秒`;
  return `${sec}秒`;
}

/** Seconds left at the current rate; Infinity while no rate is known. */
export function eta(remainingBytes: number, bytesPerSecond: number): number {
  if (remainingBytes <= 0) return 0;
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return Infinity;
  return remainingBytes / bytesPerSecond;
}

/**
 * Rate over a sliding window of recent samples: a whole-run average hides a
 * stall, an instantaneous one jumps with every chunk.
 */
export class RateMeter {
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  constructor(private readonly windowMs = 5000) {}

  /** Record the running byte total at time `t` (ms). */
  sample(t: number, totalBytes: number): void {
    this.samples.push({ t, bytes: totalBytes });
    while (this.samples.length > 2 && (this.samples[0]?.t ?? t) < t - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 until two samples are at least 200 ms apart. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 200) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }
}

export interface ProgressSnapshot {
  readonly label: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly bytesPerSecond: number;
}

/** "上传 3/9 个文件 · 12.0 MiB / 40.0 MiB (30%) · 8.00 MiB/s · 剩余 3秒" */
export function formatProgress(p: ProgressSnapshot): string {
  const pct = p.bytesTotal > 0 ? Math.floor((p.bytesDone / p.bytesTotal) * 100) : 100;
  return [
    `${p.label} ${p.filesDone}/${p.filesTotal} 个文件`,
    `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)} (${pct}%)`,
    formatRate(p.bytesPerSecond),
    `剩余 ${formatDuration(eta(p.bytesTotal - p.bytesDone, p.bytesPerSecond))}`,
  ].join(' · ');
}

export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Counts files and bytes and shows them: redrawn at most every `ttyEveryMs`
 * on a terminal, a plain line every `plainEveryMs` elsewhere. `log` prints a
 * line above a terminal progress line without tearing it.
 */
export class ProgressReporter {
  private filesDone = 0;
  private bytesDone = 0;
  private readonly meter = new RateMeter();
  private lastDraw = 0;
  private drawn = false;
  private readonly started: number;

  constructor(
    private readonly opts: {
      label: string;
      filesTotal: number;
      bytesTotal: number;
      out: ProgressOutput;
      now?: () => number;
      ttyEveryMs?: number;
      plainEveryMs?: number;
      /** Already done before this run (a resume): counted in the totals, not in the rate. */
      filesAlready?: number;
      bytesAlready?: number;
    },
  ) {
    this.filesDone = opts.filesAlready ?? 0;
    this.bytesDone = opts.bytesAlready ?? 0;
    this.started = this.now();
    // The first line comes after one interval: a run shorter than that prints only the closing line.
    this.lastDraw = this.started;
    this.meter.sample(this.started, this.bytesDone);
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  bytes(n: number): void {
    this.bytesDone += n;
    this.tick();
  }

  file(): void {
    this.filesDone += 1;
    this.tick();
  }

  snapshot(): ProgressSnapshot {
    return {
      label: this.opts.label,
      filesDone: this.filesDone,
      filesTotal: this.opts.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.opts.bytesTotal,
      bytesPerSecond: this.meter.rate(),
    };
  }

  /** Average rate since this reporter started (for the closing line). */
  averageRate(): number {
    const seconds = (this.now() - this.started) / 1000;
    return seconds > 0 ? (this.bytesDone - (this.opts.bytesAlready ?? 0)) / seconds : 0;
  }

  log(line: string): void {
    if (this.opts.out.isTTY && this.drawn) this.opts.out.write('\r\x1b[2K');
    this.opts.out.write(`${line}\n`);
    if (this.opts.out.isTTY && this.drawn) this.draw();
  }

  private tick(): void {
    const t = this.now();
    this.meter.sample(t, this.bytesDone);
    const every = this.opts.out.isTTY ? (this.opts.ttyEveryMs ?? 200) : (this.opts.plainEveryMs ?? 5000);
    if (t - this.lastDraw >= every) {
      this.lastDraw = t;
      this.draw();
    }
  }

  private draw(): void {
    const line = formatProgress(this.snapshot());
    if (this.opts.out.isTTY) {
      this.opts.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      this.opts.out.write(`${line}\n`);
    }
  }

  /** Final line: totals and the average rate. */
  finish(summary?: string): void {
    if (this.opts.out.isTTY && this.drawn) this.opts.out.write('\r\x1b[2K');
    this.drawn = false;
    const avg = this.averageRate();
    const seconds = (this.now() - this.started) / 1000;
    this.opts.out.write(
      `${summary ?? this.opts.label}：${this.filesDone}/${this.opts.filesTotal} 个文件，${formatBytes(this.bytesDone)}，用时 ${formatDuration(seconds)}，平均 ${formatRate(avg)}\n`,
    );
  }
}
