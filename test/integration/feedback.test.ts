import { beforeAll, describe, expect, it } from 'vitest';
import { localEnvironment } from '#infra/local/cloud.ts';
import { localPorts } from '#infra/local/ports.ts';
import { copyPortsOf, copyUses } from '#functions/transfer/copy-into-custody.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose } from '#runtime/compose.ts';
import { submissionStoreFromEnv } from '#adapters/dynamo-submission.ts';
import { copyIntoCustody } from '#shared/transfer/transfer.ts';
import { cataloguedValidResult, fixtureFiles, tokenOf } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { api, auditHeadSeq, auditRecordsSince, waitForEmail } from './helpers.ts';

// The copy into custody runs here as the transfer step would: this process gets the cloud's function environment.
Object.assign(process.env, localEnvironment(localPorts(testPortBase)));

describe('R19.2 R19.3 quality feedback on the local cloud: report → custodian confirms → organiser verifies with the responsibility finding → implementer emailed the order → 质量问题处理中', () => {
  let resultNumber = '';
  let file = '';
  beforeAll(async () => {
    const r = await cataloguedValidResult();
    resultNumber = r.resultNumber;
    await copyIntoCustody({ copy: copyPortsOf(compose(copyUses, functionByName('CopyIntoCustody'))), store: submissionStoreFromEnv(), now: () => new Date() }, { submissionId: r.submissionId, n: 1, resultNumber, requestId: `feedback-test-${r.submissionId}` });
    file = [...(await fixtureFiles('valid')).keys()][0]!;
  }, 180_000);

  it('a 重大 problem on a file of the custody copy runs the chain, each step audited; an unknown file is 400 naming body.file', async () => {
    const mark = await auditHeadSeq();
    const since = new Date();
    const body = { resultNumber, file, location: { featureIds: ['F-1'] }, description: '要素 F-1 的属性与实地不符', severity: '重大' };

    const unknown = await api('POST', '/feedback/problems', { token: await tokenOf('huang.wei'), body: { ...body, file: 'nope/missing.shp' } });
    const reported = await api('POST', '/feedback/problems', { token: await tokenOf('huang.wei'), body });
    const id = String(reported.body.problem?.problemId);
    const confirmed = await api('POST', `/feedback/problems/${id}/decision`, { token: await tokenOf('zhang.wei'), body: { decision: 'confirm', reasons: '核查属实' } });
    const verified = await api('POST', `/feedback/problems/${id}/verification`, {
      token: await tokenOf('chen.jing'),
      body: { upheld: true, note: '经核实属实', finding: { who: '实施单位 440000-IMP', what: '要素 F-1 属性错误', conclusion: '限期改正并重新汇交' } },
    });
    const listed = await api('GET', `/feedback/results/${resultNumber}/problems`, { token: await tokenOf('zhang.wei') });
    const order = await waitForEmail({ to: 'li.na@example.gov.cn', subject: `【责令改正】成果 ${resultNumber} 的重大质量问题（${id}）`, since, timeoutMs: 30_000 });

    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('body.file');
    expect(reported.status).toBe(201);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.problem.state).toBe('escalated');
    expect(verified.status).toBe(200);
    expect(verified.body.problem).toMatchObject({ state: 'correcting', finding: { conclusion: '限期改正并重新汇交' } });
    expect(verified.body.ordered).toEqual(['li.na@example.gov.cn']);
    expect(JSON.stringify(order)).toContain('限期改正并重新汇交');
    expect(listed.status).toBe(200);
    expect(listed.body.qualityStatus).toBe('质量问题处理中');
    const actions = (await auditRecordsSince(mark)).map((r) => r['action']).filter((a) => String(a).startsWith('feedback.'));
    expect(actions.sort()).toEqual(['feedback.problem.confirm', 'feedback.problem.order-correction', 'feedback.problem.report']);
  }, 120_000);
});
