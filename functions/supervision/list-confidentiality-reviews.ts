import { http } from '#runtime/http.ts';
import { confidentialityReviewReader } from '#runtime/ports/supervision.ts';
import { listConfidentialityReviews, reviewView } from '#shared/supervision/confidentiality-reviews.ts';
import { supervision } from './context.ts';

/** GET /supervision/confidentiality-reviews — the 保密审查 records of an organisation and those below it (R20.1). */
export const handler = http(supervision, 'ListConfidentialityReviews', [confidentialityReviewReader], async (req, p) => {
  const q = req.query;
  const out = await listConfidentialityReviews(
    { identity: p.identity, reviews: p.reviews },
    { actor: req.principal, ...(q.org ? { org: q.org } : {}), ...(q.resultNumber ? { resultNumber: q.resultNumber } : {}), ...(q.conclusion ? { conclusion: q.conclusion } : {}) },
  );
  return { body: { org: out.org, items: out.items.map((r) => reviewView(r, req.principal)) }, headers: { 'cache-control': 'no-store' } };
});
