import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checked, contexts, manifest } from '#infra/manifest.ts';
import { defineContext, flatten } from '#runtime/define.ts';

/**
 * Issue 9 moves the wiring into one context module per bounded context; the flat manifest that CDK and the
 * local cloud read must not change (same functions, grants, routes, machines, schedules, streams). The
 * snapshot was dumped from main before the change; the one deliberate difference is the transfer machine's
 * placeholder for EscalateReview, now named like every other (`${<Function>FunctionArn}`).
 */
const sortDeep = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortDeep)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortDeep(x)]))
      : v;
const keyOf = (x: { name?: string; method?: string; path?: string }) => x.name ?? `${x.method} ${x.path}`;
const byName = <T extends object>(xs: readonly T[]) => [...xs].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
/** The state machines a function starts or answers are sets (IAM resources): compared in name order. */
const sets = (f: (typeof manifest.functions)[number]) => ({
  ...f,
  ...(f.answersStateMachines ? { answersStateMachines: [...f.answersStateMachines].sort() } : {}),
  ...(f.startsStateMachines ? { startsStateMachines: [...f.startsStateMachines].sort() } : {}),
});
const dump = (m: typeof manifest) =>
  sortDeep({
    functions: byName(m.functions.map(sets)),
    routes: byName(m.routes),
    stateMachines: byName(m.stateMachines),
    schedules: byName(m.schedules),
    streams: byName(m.streams),
  });

describe('Issue 9: the manifest derived from the context modules equals the manifest before', () => {
  it('deep-equals the snapshot, but for the transfer escalation placeholder', () => {
    // prepare
    const before = JSON.parse(readFileSync(new URL('../fixtures/manifest-before-issue9.json', import.meta.url), 'utf8'));
    before.functions = before.functions.map(sets);
    const transfer = before.stateMachines.find((s: { name: string }) => s.name === 'Transfer');
    delete transfer.functions.EscalateTaskFunctionArn;
    transfer.functions.EscalateReviewFunctionArn = 'EscalateReview';
    // The ASL conventions (issue 9, approved change): a recorder that fails a workflow only after an audit
    // record, and escalation on timeout for the destruction approval and the catalogue-report acknowledgement.
    before.functions.push({
      name: 'RecordWorkflowFailure',
      entry: 'functions/platform/record-workflow-failure.ts',
      description: 'A workflow step failed after its retries: one audited workflow.failed record (machine, subject, error, execution) before the execution fails.',
      tables: { logs: 'readWrite' },
    });
    for (const machine of before.stateMachines as { name: string; functions: Record<string, string> }[]) {
      if (['Destruction', 'CatalogueReport', 'IntegrityAudit'].includes(machine.name)) machine.functions.RecordWorkflowFailureFunctionArn = 'RecordWorkflowFailure';
      if (['Destruction', 'CatalogueReport'].includes(machine.name)) machine.functions.EscalateReviewFunctionArn = 'EscalateReview';
    }
    before.functions.sort((a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1));
    // Issue 12 (approved change): the administration routes, appended to the fixture.
    before.routes = byName(before.routes);
    // act
    const after = JSON.parse(JSON.stringify(dump(manifest)));
    // assess
    expect(after).toEqual(sortDeep(before));
  });

  it('places every function in the folder of its context', () => {
    for (const ctx of contexts) {
      for (const name of Object.keys(ctx.functions)) {
        expect(manifest.functions.find((f) => f.name === name)?.entry.startsWith(`functions/${ctx.name}/`)).toBe(true);
      }
    }
  });

  it('checked() names a duplicate function and a route to an unknown function', () => {
    // prepare
    const twice = defineContext({ name: 'identity', functions: { GetMe: { entry: './x.ts', description: 'again' } } });
    const stray = { ...twice, name: 'stray', routes: { Nope: { method: 'GET', path: '/nope', auth: 'any', summary: 'x', contract: {} } } } as const;
    // act + assess
    expect(() => checked(flatten([...contexts, twice]), [...contexts, twice])).toThrow(/duplicate function GetMe/);
    expect(() => checked(flatten([stray]), [stray])).toThrow(/route for unknown function Nope/);
  });
});
