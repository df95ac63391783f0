/**
 * Foundation benchmarks, each against a baseline measured in the same run:
 * - deadline arithmetic: WorkingDayCalendar.deadline(start, 30) vs a
 *   day-by-day walk with chinese-days' own isWorkday (what a naive
 *   implementation would do);
 * - audit chain verification: verifyChain over 20,000 records vs hashing the
 *   same canonical bytes with node:crypto alone (the floor any hash chain pays).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import chineseDays from 'chinese-days';
import { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { buildRecord, canonicalJson, genesisHash, verifyChain } from '#shared/audit/chain.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import type { BenchResult } from './run.ts';

function time(fn: () => void, rounds: number): number {
  fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  return (performance.now() - t0) / rounds;
}

function starts(n: number): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(2024, 0, 1));
  for (let i = 0; i < n; i++) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 3);
  }
  return out;
}

function naiveDeadline(start: string, n: number): string {
  const d = new Date(`${start}T12:00:00+08:00`);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (chineseDays.isWorkday(d.toISOString().slice(0, 10))) left--;
  }
  return d.toISOString().slice(0, 10);
}

export async function run(): Promise<BenchResult[]> {
  const calendar = new WorkingDayCalendar();
  const dates = starts(500); // 2024-01 … 2028-02, crossing into the statutory (provisional) years
  const inOfficial = dates.filter((d) => d < '2026-10-01');
  for (const d of inOfficial) {
    if (calendar.deadline(d, 30).due !== naiveDeadline(d, 30)) throw new Error(`calendar disagrees with chinese-days at ${d}`);
  }
  const ours = time(() => { for (const d of dates) calendar.deadline(d, 30); }, 20) / dates.length;
  const naive = time(() => { for (const d of dates) naiveDeadline(d, 30); }, 3) / dates.length;

  const records: AuditRecord[] = [];
  let prev = genesisHash;
  const t = new Date('2026-11-28T00:00:00Z');
  for (let seq = 1; seq <= 20_000; seq++) {
    const r = buildRecord({ actor: 'li.na', orgCode: '440000-IMP', action: 'submission.version.seal', target: `SUB#${seq}`, outcome: 'success', requestId: `r-${seq}` }, seq, prev, t);
    records.push(r);
    prev = r.hash;
  }
  const head = { seq: records.length, hash: prev };
  const verify = time(() => { if (!verifyChain(records, head).ok) throw new Error('chain broken'); }, 3);
  const bytes = records.map(({ hash: _h, ...rest }) => canonicalJson(rest));
  const floor = time(() => { let p = genesisHash; for (const b of bytes) p = createHash('sha256').update(p).update(b).digest('hex'); }, 3);

  return [
    { name: 'deadline(start, 30 WD)', value: ours * 1000, unit: 'µs/op', note: '500 start dates 2024–2028' },
    { name: 'naive day-by-day walk (chinese-days isWorkday)', value: naive * 1000, unit: 'µs/op', note: 'baseline, same dates' },
    { name: 'speed-up over the naive walk', value: naive / ours, unit: 'ratio', note: '>1 = faster than baseline' },
    { name: 'verifyChain, 20,000 audit records', value: verify, unit: 'ms' },
    { name: 'SHA-256 of the same bytes only', value: floor, unit: 'ms', note: 'baseline: hashing floor' },
    { name: 'chain verification cost / hashing floor', value: verify / floor, unit: 'ratio', note: 'includes canonical JSON' },
  ];
}
