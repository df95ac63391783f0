import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { problemReader } from '#runtime/ports/feedback.ts';
import { calendar, catalogue } from '#runtime/ports/registry.ts';
import { listOrgProblems, problemView } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** GET /feedback/problems — my organisation's quality problems across results: the custodian's (R19.2) or the organiser's escalated ones (R19.3). */
export const handler = http(feedback, 'ListOrgQualityProblems', [catalogue, problemReader, calendar, now], async (req, p) => {
  const q = req.query;
  const out = await listOrgProblems(p, {
    actor: req.principal,
    limit: q.limit,
    ...(q.side ? { side: q.side } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.severity ? { severity: q.severity } : {}),
    ...(q.result ? { resultNumber: q.result } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return {
    body: { org: out.org, side: out.side, today: out.today, problems: out.problems.map((x) => ({ ...problemView(x), ...(x.workingDaysLeft !== undefined ? { workingDaysLeft: x.workingDaysLeft } : {}), overdue: x.overdue })), ...(out.cursor ? { cursor: out.cursor } : {}) },
    headers: { 'cache-control': 'no-store' },
  };
});
