/**
 * Foundation benchmarks, each against a baseline measured in the same run:
 * - deadline arithmetic: WorkingDayCalendar.deadline(start, 30) vs a
 *   day-by-day walk with chinese-days' own isWorkday (what a naive
 *   implementation would do);
 * - audit chain verification: verifyChain over 20,000 records vs hashing the
 *   same canonical bytes with node:crypto alone (the floor any hash chain pays).
 * Each pair interleaved, ≥ 5 runs each after a warm-up (compare.ts).
 */
import { createHash } from 'node:crypto';
import chineseDays from 'chinese-days';
import { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { buildRecord, canonicalJson, genesisHash, verifyChain } from '#shared/audit/chain.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { comparison, interleaved } from './compare.ts';
import type { BenchResult } from './run.ts';

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
  const deadlines = await interleaved({
    ours: () => { for (const d of dates) calendar.deadline(d, 30); },
    naive: () => { for (const d of dates) naiveDeadline(d, 30); },
  });

  const records: AuditRecord[] = [];
  let prev = genesisHash;
  const t = new Date('2026-11-28T00:00:00Z');
  for (let seq = 1; seq <= 20_000; seq++) {
    const r = buildRecord({ actor: 'li.na', orgCode: '440000-IMP', action: 'submission.version.seal', target: `SUB#${seq}`, outcome: 'success', requestId: `r-${seq}` }, seq, prev, t);
    records.push(r);
    prev = r.hash;
  }
  const head = { seq: records.length, hash: prev };
  const bytes = records.map(({ hash: _h, ...rest }) => canonicalJson(rest));
  const chain = await interleaved({
    verify: () => { if (!verifyChain(records, head).ok) throw new Error('chain broken'); },
    floor: () => { let p = genesisHash; for (const b of bytes) p = createHash('sha256').update(p).update(b).digest('hex'); },
  });
  const perOp = (ms: number) => (ms * 1000) / dates.length;

  return [
    ...comparison({
      caseName: 'deadline(start, 30 WD)',
      baselineName: 'naive day-by-day walk (chinese-days isWorkday)',
      caseMs: deadlines.ours,
      baselineMs: deadlines.naive,
      unit: 'µs/op',
      per: perOp,
      note: '500 start dates 2024–2028',
      baselineNote: 'same dates',
      ratioName: 'deadline time / naive walk time',
    }),
    ...comparison({
      caseName: 'verifyChain, 20,000 audit records',
      baselineName: 'SHA-256 of the same bytes only',
      caseMs: chain.verify,
      baselineMs: chain.floor,
      note: 'includes canonical JSON',
      baselineNote: 'hashing floor',
      ratioName: 'chain verification / hashing floor',
    }),
  ];
}
