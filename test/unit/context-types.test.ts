import { describe, expect, it } from 'vitest';
import { identity } from '#functions/identity/context.ts';
import { defineContext, machineOf, refTo } from '#runtime/define.ts';
import { verification } from '#functions/verification/context.ts';
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

  it('issue 10: names another context\'s function or machine through a type-only import, the same value as its `ref` / `machine`, typos refused at compile time', () => {
    // prepare / act
    const escalate = refTo<typeof verification>('verification', 'EscalateReview');
    const machine = machineOf<typeof verification>('verification', 'Verification');
    // @ts-expect-error not a function of verification
    const noFunction = refTo<typeof verification>('verification', 'Nope');
    // @ts-expect-error not the context's name
    const wrongContext = refTo<typeof verification>('tasks', 'EscalateReview');
    // @ts-expect-error not a state machine of verification
    const noMachine = machineOf<typeof verification>('verification', 'Nope');
    // assess
    expect(escalate).toEqual(verification.ref.EscalateReview);
    expect(machine).toEqual(verification.machine.Verification);
    expect([noFunction.name, wrongContext.context, noMachine.machine]).toEqual(['Nope', 'tasks', 'Nope']);
  });

  it('refuses a handler for a function without a route at compile time', () => {
    // @ts-expect-error not a routed function of identity
    const attempt = () => http(identity, 'Nope', [], async () => ({ body: {} }));
    expect(attempt).toThrow(/no route for Nope/);
  });
});
