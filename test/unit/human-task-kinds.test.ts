/**
 * Issue 9: each context module declares its human-task kinds (`humanTaskKinds` in
 * functions/<ctx>/context.ts); the tasks facility (runtime/ports/human-task-kinds.ts)
 * builds every declared kind, and only those. A kind declared twice is refused by the
 * root manifest's checks; a factory declared under another id does not compile
 * (test/unit/context-types.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checked, contexts, functionByName, manifest } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { defineContext, flatten } from '#runtime/define.ts';
import { kindFactories, kinds } from '#runtime/ports/human-task-kinds.ts';
import { technicalReviewKind } from '#shared/verification/review-task.ts';

const root = join(import.meta.dirname, '..', '..');

/** Every variable the kinds recipe reads; nothing reachable (building the adapters uses no network). */
const env = { REGISTRY_TABLE_NAME: 'registry', DOCUMENTS_BUCKET_NAME: 'documents' };

/** Every `kind` value in a state machine's task parameters, with the state that names it. */
function kindsNamedBy(value: unknown, state = ''): Array<{ state: string; kind: string }> {
  if (Array.isArray(value)) return value.flatMap((v) => kindsNamedBy(v, state));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    if (key === 'kind' && typeof v === 'string') return [{ state, kind: v }];
    return kindsNamedBy(v, state === '' && key === 'States' ? '' : state || key);
  });
}

describe('Issue 9 R7.1 R8.1 R8.2 R9.1 R10.1 R12.2 R19.2: human-task kinds are declared in their context modules', () => {
  it('declares each kind in the context whose workflow waits on it', () => {
    // act
    const declared = contexts.flatMap((c) => Object.keys(c.humanTaskKinds).map((k) => `${c.name}.${k}`));
    // assess
    expect(declared.sort()).toEqual([
      'catalogue-report.catalogueReportAck',
      'destruction.destructionApproval',
      'feedback.problemVerification',
      'publication.publicationApproval',
      'publication.publicationReview',
      'publication.publicationWithdrawal',
      'sharing.derivedProductReview',
      'sharing.sharingReview',
      'supervision.evaluationAck',
      'transfer.custodyReceipt',
      'transfer.forestryCopyAck',
      'verification.technicalCountersign',
      'verification.technicalReview',
    ]);
  });

  it('the tasks facility resolves every declared kind under its id, and no other', () => {
    // prepare
    const { kinds: resolve } = compose([kinds], functionByName('CreateHumanTask'), env);
    const declared = contexts.flatMap((c) => Object.keys(c.humanTaskKinds));
    // act
    const resolved = declared.map((k) => resolve(k)?.kind);
    // assess
    expect(resolved).toEqual(declared);
    expect(resolve('publicationCorrection')).toBeUndefined();
  });

  it('the facility builds its kinds from exactly the factories the contexts declare, in context order (issue 10: it does not import the contexts)', () => {
    // prepare
    const declared = contexts.flatMap((c) => Object.values(c.humanTaskKinds));
    // act
    const built = [...kindFactories];
    // assess
    expect(built).toEqual(declared);
    expect(built.every((factory, i) => factory === declared[i])).toBe(true);
    expect(readFileSync(join(root, 'runtime', 'ports', 'human-task-kinds.ts'), 'utf8')).not.toMatch(/from '#infra\/manifest\.ts'|from '#functions\//);
  });

  it('every kind a state machine asks for is declared by a context', () => {
    // prepare
    const declared = new Set(contexts.flatMap((c) => Object.keys(c.humanTaskKinds)));
    // act
    const named = manifest.stateMachines.flatMap((m) => kindsNamedBy(JSON.parse(readFileSync(join(root, m.file), 'utf8'))).map((k) => ({ file: m.file, ...k })));
    // assess
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !declared.has(n.kind)).map((n) => `${n.file} › ${n.state}: ${n.kind}`)).toEqual([]);
  });

  it('refuses a kind declared twice, naming it', () => {
    // prepare
    const again = defineContext({ name: 'again', functions: {}, humanTaskKinds: { technicalReview: technicalReviewKind } });
    // act
    const attempt = () => checked(flatten([...contexts, again]), [...contexts, again]);
    // assess
    expect(attempt).toThrow(/duplicate human-task kind technicalReview/);
  });
});
