import { describe, expect, it } from 'vitest';
import { keys } from '#adapters/dynamo.ts';
import { DynamoConfidentialityReviewStore, DynamoReviewedEntries } from '#adapters/dynamo-confidentiality-reviews.ts';
import { handler as getEntry } from '#functions/catalogue/get-catalogue-entry.ts';
import { handler as registerEntry } from '#functions/catalogue/register-catalogue-entry.ts';
import { handler as updateEntry } from '#functions/catalogue/update-catalogue-entry.ts';
import { handler as listHandler } from '#functions/supervision/list-confidentiality-reviews.ts';
import { handler as recordHandler } from '#functions/supervision/record-confidentiality-review.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { counterKey, replay, type CounterTable } from '#shared/supervision/rebuild.ts';
import { cataloguePorts, catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { InMemoryRegistryAccess, call, portsFor, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

async function setup() {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const deps = cataloguePorts(world, cat);
  const reviews = new DynamoConfidentialityReviewStore(new InMemoryRegistryAccess(world.tables));
  const { verifier } = portsFor(world);
  let id = 0;
  const record = recordHandler.with({ verifier, identity: world.identity, reviews, entries: new DynamoReviewedEntries(new InMemoryRegistryAccess(world.tables)), now: () => world.now, newId: () => `r${++id}` });
  const list = listHandler.with({ verifier, identity: world.identity, reviews });
  const submissionId = await verifiedSubmission(world, { classification: 'internal' });
  const n: string = (await call(registerEntry.with(deps), 'POST', '/catalogue', { user: 'zhang.wei', body: { submissionId } })).body.entry.resultNumber;
  return { world, deps, record, list, n };
}
type World = Awaited<ReturnType<typeof setup>>;

const review = (x: World, user: string, body: Record<string, unknown> = {}) =>
  call(x.record, 'POST', '/supervision/confidentiality-reviews', { user, body: { resultNumber: x.n, conclusion: 'approved', basis: '对照保密事项范围，不含涉密内容，可公开', ...body } });
const patch = (x: World, body: Record<string, unknown>) =>
  call(updateEntry.with(x.deps), 'PATCH', `/catalogue/${x.n}`, { user: 'zhang.wei', pathParameters: { resultNumber: x.n }, body: { classification: 'public', reason: '经保密审查可公开', ...body } });
function stored(w: SubmissionWorld): CounterTable {
  const out: CounterTable = new Map();
  for (const item of w.tables.scan('registry').filter((i) => String(i['pk']).startsWith('SUPCOUNT#'))) {
    const row = new Map<string, number>();
    for (const [k, v] of Object.entries(item)) if (k.startsWith('m:') && v !== 0) row.set(k.slice(2), v as number);
    out.set(counterKey(String(item['org']), String(item['month'])), row);
  }
  return out;
}

describe('R20.1 R5.1 issue 14 §3: the confidentiality review (保密审查) is its own decision, required and applied when an entry is made public', () => {
  it('records who, when, conclusion and basis for the entry version, audited and counted; a supervisor lists it', async () => {
    // prepare
    const x = await setup();

    // act
    const res = await review(x, 'chen.jing');
    const listed = await call(x.list, 'GET', '/supervision/confidentiality-reviews', { user: 'zhou.hong' });

    // assess
    expect(res.status).toBe(201);
    expect(res.body.review).toMatchObject({ resultNumber: x.n, entryVersion: 1, fromClassification: 'internal', toClassification: 'public', conclusion: 'approved', state: 'approved', decidedBy: 'chen.jing', decidedOrg: '440000-NR' });
    expect(x.world.identity.auditRecords().at(-1)).toMatchObject({ action: 'supervision.confidentialityReview.record', detail: { resultNumber: x.n, conclusion: 'approved' } });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ reviewId: res.body.review.reviewId, hidden: false })]);
    expect(replay(x.world.identity.auditRecords() as unknown as AuditRecord[]).counters).toEqual(stored(x.world));
    expect([...stored(x.world).values()].some((row) => row.get('R20.1.confidentialityReviews') === 1)).toBe(true);
  });

  it('the catalogue edit that makes the entry public requires an approved review of this version and applies it once, in the same transaction', async () => {
    // prepare
    const x = await setup();
    const refused = (await review(x, 'chen.jing', { conclusion: 'refused', basis: '含有未脱密的坐标信息，不同意公开' })).body.review.reviewId as string;
    const approvedSecretOnly = (await review(x, 'chen.jing', { toClassification: 'public', basis: '经脱密处理，可公开发布' })).body.review.reviewId as string;

    // act
    const without = await patch(x, {});
    const withRefused = await patch(x, { confidentialityReviewId: refused });
    const made = await patch(x, { confidentialityReviewId: approvedSecretOnly });
    const reused = await call(updateEntry.with(x.deps), 'PATCH', `/catalogue/${x.n}`, { user: 'zhang.wei', pathParameters: { resultNumber: x.n }, body: { classification: 'internal', reason: '恢复' } });

    // assess
    expect(without.status).toBe(409);
    expect(without.body.error.code).toBe('DECLASSIFICATION_NEEDS_APPROVAL');
    expect(withRefused.status).toBe(409);
    expect(withRefused.body.error.details[0].field).toBe('body.confidentialityReviewId');
    expect(made.status).toBe(200);
    expect(made.body.entry).toMatchObject({ classification: 'public', version: 2 });
    expect(x.world.tables.get('registry', { pk: `CONFREVIEW#${approvedSecretOnly}`, sk: 'META' })).toMatchObject({ state: 'applied', appliedVersion: 2 });
    const update = x.world.identity.auditRecords().find((r) => r.action === 'catalogue.entry.update');
    expect(update?.detail).toMatchObject({ confidentialityReview: { reviewId: approvedSecretOnly, decidedBy: 'chen.jing', conclusion: 'approved' } });
    expect(reused.status).toBe(200); // raising again needs no review
  });

  it('refuses a review of another version or target, and one used already; nothing changes', async () => {
    // prepare
    const x = await setup();
    const forInternal = (await review(x, 'chen.jing')).body.review.reviewId as string;
    await call(updateEntry.with(x.deps), 'PATCH', `/catalogue/${x.n}`, { user: 'zhang.wei', pathParameters: { resultNumber: x.n }, body: { format: 'GeoPackage', reason: '格式更正' } });

    // act
    const stale = await patch(x, { confidentialityReviewId: forInternal });
    const entry = await call(getEntry.with(x.deps), 'GET', `/catalogue/${x.n}`, { user: 'zhang.wei', pathParameters: { resultNumber: x.n } });
    const fresh = (await review(x, 'chen.jing')).body.review.reviewId as string;
    const once = await patch(x, { confidentialityReviewId: fresh });
    await call(updateEntry.with(x.deps), 'PATCH', `/catalogue/${x.n}`, { user: 'zhang.wei', pathParameters: { resultNumber: x.n }, body: { classification: 'internal', reason: '重新定密' } });
    const twice = await patch(x, { confidentialityReviewId: fresh });

    // assess
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFIDENTIALITY_REVIEW_MISMATCH');
    expect(stale.body.error.message).toContain('第 1 版');
    expect(entry.body.entry.classification).toBe('internal');
    expect(once.status).toBe(200);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('已用于');
    expect(x.world.tables.get('registry', keys.catalogueEntry(x.n))).toMatchObject({ classification: 'internal' });
  });

  it('only the organiser’s reviewer or publisher records one (403); a target not lower is 400 naming body.toClassification; an unknown entry is 404; another province’s supervisor cannot list (404)', async () => {
    // prepare
    const x = await setup();

    // act
    const custodian = await review(x, 'zhang.wei');
    const otherOrganiser = await review(x, 'lin.feng');
    const notLower = await review(x, 'chen.jing', { toClassification: 'secret' });
    const unknown = await review(x, 'chen.jing', { resultNumber: '440000-CUS-2026-GT-999999' });
    const above = await call(x.list, 'GET', '/supervision/confidentiality-reviews', { user: 'zhou.hong', query: { org: '100000-NR' } });

    // assess
    expect(custodian.status).toBe(403);
    expect(otherOrganiser.status).toBe(403);
    expect(notLower.status).toBe(400);
    expect(notLower.body.error.details[0].field).toBe('body.toClassification');
    expect(unknown.status).toBe(404);
    expect(above.status).toBe(404);
  });
});
