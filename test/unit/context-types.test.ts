import { describe, expect, it } from 'vitest';
import { identity } from '#functions/identity/context.ts';
import { defineContext } from '#runtime/define.ts';
import { http } from '#runtime/http.ts';
import { destructionApprovalKind } from '#shared/destruction/approval-task.ts';
import { technicalReviewKind } from '#shared/verification/review-task.ts';

/**
 * Issue 9: names are tied by type. Each `@ts-expect-error` below is a compile error `npm run lint` requires:
 * if a tie stopped being checked, the directive would be unused and lint would fail.
 */
const fn = { entry: './a.ts', description: 'a' } as const;
const route = { method: 'GET', path: '/a', auth: 'any', summary: 'a', contract: {} } as const;

describe('Issue 9: a context module ties its names by type', () => {
  it('accepts a route keyed by its function and refuses other keys at compile time', () => {
    const ok = defineContext({ name: 'demo', functions: { A: fn }, routes: { A: route } });
    // @ts-expect-error a route key that is not a function of the context
    const stray = defineContext({ name: 'demo', functions: { A: fn }, routes: { B: route } });
    // @ts-expect-error a schedule whose target is not a function of the context
    const schedule = defineContext({ name: 'demo', functions: { A: fn }, schedules: { S: { expression: 'rate(1 hour)', timezone: 'Asia/Shanghai', description: 's', target: { function: 'Nope' } } } });
    // @ts-expect-error a state machine that calls a function the context does not have
    const machine = defineContext({ name: 'demo', functions: { A: fn }, stateMachines: { M: { file: 'statemachines/m.asl.json', functions: ['A', 'Nope'] } } });
    expect(ok.ref.A).toEqual({ context: 'demo', name: 'A' });
    expect([stray.name, schedule.name, machine.name]).toEqual(['demo', 'demo', 'demo']);
  });

  it('accepts a human-task kind declared under its id and refuses it under another at compile time', () => {
    const ok = defineContext({ name: 'demo', functions: { A: fn }, humanTaskKinds: { technicalReview: technicalReviewKind } });
    // @ts-expect-error the destruction approval declared under the technical review's id
    const swapped = defineContext({ name: 'demo', functions: { A: fn }, humanTaskKinds: { technicalReview: destructionApprovalKind } });
    expect(Object.keys(ok.humanTaskKinds)).toEqual(['technicalReview']);
    expect(Object.keys(swapped.humanTaskKinds)).toEqual(['technicalReview']);
  });

  it('refuses a handler for a function without a route at compile time', () => {
    // @ts-expect-error not a routed function of identity
    const attempt = () => http(identity, 'Nope', [], async () => ({ body: {} }));
    expect(attempt).toThrow(/no route for Nope/);
  });
});
