import { describe, expect, it } from 'vitest';
import { eta, formatBytes, formatDuration, formatProgress, formatRate, ProgressReporter, RateMeter } from '../../cli/progress.ts';
import { Captured } from './cli-fakes.ts';

const MiB = 1024 * 1024;

describe('issue-3 R7.1 upload CLI: progress formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [12.34 * MiB, '12.3 MiB'],
    [512 * MiB, '512 MiB'],
    [3.5 * 1024 * MiB, '3.50 GiB'],
    [2 * 1024 ** 4, '2.00 TiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows a rate per second, and a dash before one is known', () => {
    expect(formatRate(8 * MiB)).toBe('8.00 MiB/s');
    expect(formatRate(0)).toBe('— /s');
  });

  it.each([
    [0.2, '<1秒'],
    [42, '42秒'],
    [185, '3分05秒'],
    [3720, '1小时02分'],
    [400 * 3600, '16天16小时'],
    [Infinity, '—'],
  ])('%d s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('estimates the time left from the remaining bytes and the rate', () => {
    expect(eta(100 * MiB, 10 * MiB)).toBe(10);
    expect(eta(0, 0)).toBe(0);
    expect(eta(1, 0)).toBe(Infinity);
  });

  it('formats one line with files, bytes, percentage, rate and ETA', () => {
    const line = formatProgress({ label: '上传', filesDone: 3, filesTotal: 9, bytesDone: 12 * MiB, bytesTotal: 40 * MiB, bytesPerSecond: 4 * MiB });

    expect(line).toBe('上传 3/9 个文件 · 12.0 MiB / 40.0 MiB (30%) · 4.00 MiB/s · 剩余 7秒');
  });
});

describe('issue-3 R7.1 upload CLI: rate over a sliding window', () => {
  it('reflects a stall within the window instead of the whole-run average', () => {
    const meter = new RateMeter(5000);
    meter.sample(0, 0);
    meter.sample(10_000, 100 * MiB); // 10 MiB/s for 10 s
    meter.sample(15_000, 100 * MiB); // then nothing for 5 s

    expect(meter.rate()).toBe(0);
  });

  it('measures the recent rate', () => {
    const meter = new RateMeter(5000);
    for (let t = 0; t <= 10_000; t += 1000) meter.sample(t, (t / 1000) * 2 * MiB);

    expect(meter.rate()).toBe(2 * MiB);
  });
});

describe('issue-3 R7.1 upload CLI: progress output', () => {
  it('prints plain lines at most every interval when not on a terminal, and a closing summary', () => {
    let now = 0;
    const out = new Captured(false);
    const p = new ProgressReporter({ label: '上传', filesTotal: 2, bytesTotal: 20 * MiB, out, now: () => now, plainEveryMs: 5000 });

    for (let i = 1; i <= 10; i += 1) {
      now = i * 1000;
      p.bytes(2 * MiB);
    }
    p.file();
    p.file();
    p.finish('上传完成');

    const lines = out.lines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^上传 0\/2 个文件 · 10.0 MiB \/ 20.0 MiB \(50%\) · 2.00 MiB\/s · 剩余 5秒$/);
    expect(lines[2]).toBe('上传完成：2/2 个文件，20.0 MiB，用时 10秒，平均 2.00 MiB/s');
    expect(out.text).not.toContain('\r');
  });

  it('redraws one line in place on a terminal and keeps log lines above it', () => {
    let now = 0;
    const out = new Captured(true);
    const p = new ProgressReporter({ label: '上传', filesTotal: 1, bytesTotal: MiB, out, now: () => now, ttyEveryMs: 200 });

    now = 300;
    p.bytes(MiB / 2);
    p.log('已上传 a.shp');

    expect(out.text).toContain('\r\x1b[2K上传 0/1 个文件');
    expect(out.text).toContain('\r\x1b[2K已上传 a.shp\n\r\x1b[2K上传');
  });

  it('counts a resumed run’s earlier bytes in the totals but not in the rate', () => {
    let now = 0;
    const out = new Captured(false);
    const p = new ProgressReporter({ label: '上传', filesTotal: 4, bytesTotal: 40 * MiB, filesAlready: 2, bytesAlready: 20 * MiB, out, now: () => now });

    now = 10_000;
    p.bytes(10 * MiB);

    expect(p.snapshot()).toMatchObject({ filesDone: 2, bytesDone: 30 * MiB });
    expect(p.averageRate()).toBe(MiB);
  });
});
