import { http } from '#runtime/http.ts';
import { newHex4, now } from '#runtime/ports/basics.ts';
import { confidentialityReviewStore, reviewedEntries } from '#runtime/ports/supervision.ts';
import { recordConfidentialityReview, reviewView } from '#shared/supervision/confidentiality-reviews.ts';
import { supervision } from './context.ts';

/** POST /supervision/confidentiality-reviews — the organiser's reviewer records a 保密审查 decision (R20.1); 201. */
export const handler = http(supervision, 'RecordConfidentialityReview', [confidentialityReviewStore, reviewedEntries, now, newHex4], async (req, p) => {
  const review = await recordConfidentialityReview(
    { reviews: p.reviews, entries: p.entries, now: p.now, newId: p.newId },
    { actor: req.principal, ...req.body, requestId: req.requestId },
  );
  return { status: 201, body: { review: reviewView(review, req.principal) } };
});
