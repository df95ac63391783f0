import { beforeAll, describe, expect, it } from 'vitest';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { handler as registerSurveyTask } from '#functions/submission/register-survey-task.ts';
import type { CatalogueInput } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { catalogueWorld, registrationPorts, verifiedSubmission, type CatalogueWorld } from './catalogue-fakes.ts';
import { call, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

const existing: Array<{ label: string; over: Partial<CatalogueInput>; theme?: ThemeId }> = [
  { label: 'county', over: { name: '从化区国土变更调查成果', spatialScope: { regionCode: '440117' }, timePoint: '2026-06-30', classification: 'internal' } },
  { label: 'province', over: { name: '广东省国土变更调查成果', spatialScope: { regionCode: '440000' }, timePoint: '2025-12-31', classification: 'public' } },
  { label: 'otherTheme', theme: 'forest', over: { name: '广东省森林资源调查成果', spatialScope: { regionCode: '440000' }, timePoint: '2026-06-30', classification: 'public' } },
  { label: 'otherTime', over: { name: '南山区国土调查成果', spatialScope: { regionCode: '440305' }, timePoint: '2020-12-31', classification: 'internal' } },
  { label: 'secret', over: { name: '广东省国土调查涉密成果', spatialScope: { regionCode: '440000' }, timePoint: '2026-03-31', classification: 'secret' } },
];

let world: SubmissionWorld;
let cat: CatalogueWorld;
const labelOf = new Map<string, string>();

beforeAll(async () => {
  world = await submissionWorld();
  cat = catalogueWorld(world);
  const actor = await world.user('zhang.wei');
  for (const e of existing) {
    const id = await verifiedSubmission(world, e.over, e.theme ? { theme: e.theme } : {});
    labelOf.set((await registerCatalogueEntry(cat.ports, { submissionId: id, actor, requestId: e.label })).entry.resultNumber, e.label);
  }
}, 30_000);

async function register(user: string, body: Record<string, unknown>) {
  const deps = registrationPorts(world, cat);
  const r = await call(registerSurveyTask.with(deps), 'POST', '/survey-tasks', {
    user,
    body: { name: '2026 年度国土变更调查', theme: 'landSurvey', implementerOrg: '440000-IMP', custodianOrg: '440000-CUS', ...body },
  });
  return { ...r, labels: ((r.body.overlaps ?? []) as Array<{ resultNumber: string }>).map((o) => labelOf.get(o.resultNumber)).sort() };
}

describe('R13.2 duplicate-survey warning when a survey task is registered', () => {
  it('lists entries of the same theme in the region or inside it whose time point falls in the task period, with the Chinese hint', async () => {
    const r = await register('chen.jing', { regionCode: '440000', period: { from: '2025-01-01', to: '2026-12-31' } });

    expect(r.status).toBe(201);
    expect(r.labels).toEqual(['county', 'province', 'secret']);
    expect(r.body.overlapHint).toBe('已有成果可共享，避免重复调查');
    expect(r.body.overlaps[0]).toEqual({
      resultNumber: expect.any(String),
      name: expect.any(String),
      regionCode: expect.any(String),
      timePoint: { from: expect.any(String), to: expect.any(String) },
      custodian: '440000-CUS',
      theme: 'landSurvey',
    });
    expect(r.body.task.period).toEqual({ from: '2025-01-01', to: '2026-12-31' });
  });

  it('lists entries of an enclosing region (province) for a county task, and not those of a sibling county', async () => {
    const r = await register('chen.jing', { regionCode: '440117' });

    expect(r.labels).toEqual(['county', 'province', 'secret']);
  });

  it('leaves out what the registering organiser’s clearance does not allow', async () => {
    const r = await register('lin.feng', { regionCode: '440000', period: { from: '2025-01-01', to: '2026-12-31' } });

    expect(r.status).toBe(201);
    expect(r.labels).toEqual(['county', 'province']);
  });

  it('returns an empty list and no hint when nothing overlaps', async () => {
    const r = await register('chen.jing', { regionCode: '440000', theme: 'wetland' });

    expect(r.status).toBe(201);
    expect(r.body.overlaps).toEqual([]);
    expect(r.body.overlapHint).toBeUndefined();
  });

  it('refuses a period that ends before it starts (400)', async () => {
    const r = await register('chen.jing', { regionCode: '440000', period: { from: '2026-12-31', to: '2026-01-01' } });

    expect(r.status).toBe(400);
  });
});
