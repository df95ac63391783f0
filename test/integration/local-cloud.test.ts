import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListStateMachinesCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
import { testPortBase } from './global-setup.ts';
import { describe, expect, it } from 'vitest';
import { projectRoot, startLocalCloud } from '#infra/local/cloud.ts';
import { localBucketName, localRegion } from '#infra/local/ports.ts';
import { manifest } from '#infra/manifest.ts';
import { pingTokenContext, pingWaitingSubject } from '#shared/platform/ping.ts';
import { AesGcmTokenVault } from '#adapters/token-vault.ts';
import {
  api,
  auditHeadSeq,
  auditRecordsSince,
  clientsFor,
  cloud,
  eventually,
  forgeToken,
  getItem,
  itemsWithPrefix,
  listEmails,
  sfn,
  signIn,
  waitForEmail,
} from './helpers.ts';

const chinese = /[\u4e00-\u9fff]/;

/** The program that answers a ping holds the local task-token key (the data folder's keys/task-token.key). */
async function openPingToken(pingId: string, sealed: string, dataDir = cloud.dataDir): Promise<string> {
  const key = Buffer.from(readFileSync(join(dataDir, 'keys', 'task-token.key'), 'utf8').trim(), 'base64');
  return new AesGcmTokenVault(key).open(sealed, pingTokenContext(pingId));
}

describe('R3.1 R20.1 issue-2 local cloud: sign-in and an authenticated route', () => {
  it('lets a seeded user sign in and read their organisation and roles from GET /me', async () => {
    const token = await signIn('zhang.wei');

    const res = await api('GET', '/me', { token });

    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ userId: 'zhang.wei', orgCode: '440000-CUS', roles: ['custodian'], clearance: 'secret' });
    expect(res.body.organisation).toMatchObject({ code: '440000-CUS', name: '广东省自然资源技术中心' });
  });

  it('refuses a token for a user the registry does not know', async () => {
    const res = await fetch(`${cloud.urls.api}/local-auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'nobody.here' }),
    });

    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('USER_NOT_SEEDED');
  });
});

describe('issue-2 local cloud: the ping workflow waits on a task token until SendTaskSuccess', () => {
  it('starts the Ping execution, emails the caller, and completes when the test answers the token through the local endpoint', async () => {
    const token = await signIn('wang.qiang'); // POST /pings: administrators only (issue 8 §6)
    const since = new Date();

    const started = await api('POST', '/pings', { token, body: { message: '连通性测试：集成测试' } });

    expect(started.status).toBe(202);
    const { pingId, executionArn } = started.body as { pingId: string; executionArn: string };
    expect(executionArn).toMatch(new RegExp(`:execution:Ping:${pingId}$`));
    const email = await waitForEmail({ to: 'wang.qiang@example.gov.cn', subject: pingWaitingSubject, since });
    expect(email.text).toContain(pingId);
    const waiting = await eventually(async () => {
      const item = await getItem({ pk: `PING#${pingId}`, sk: 'META' });
      return item?.['status'] === 'waiting' ? item : undefined;
    }, 'the ping to wait');
    // Sealed at rest like every human task's token (issue 8 §6): the program that answers it holds the key.
    expect(waiting['taskToken']).toBeUndefined();
    const taskToken = await openPingToken(pingId, String(waiting['sealedTaskToken']));
    expect(String(waiting['sealedTaskToken'])).not.toContain(taskToken);
    expect(email.text).not.toContain(taskToken);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ acknowledgedBy: 'integration-test' }) }));

    const finished = await eventually(async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the execution to finish');
    expect(finished.status).toBe('SUCCEEDED');
    expect(JSON.parse(finished.output ?? '{}')).toEqual({ pingId, status: 'acknowledged' });
    const done = await getItem({ pk: `PING#${pingId}`, sk: 'META' });
    expect(done).toMatchObject({ status: 'acknowledged', outcomeDetail: { acknowledgement: { acknowledgedBy: 'integration-test' } } });
    expect(done?.['sealedTaskToken']).toBeUndefined();
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('answers an unknown task token with TaskDoesNotExist', async () => {
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: `AQCE${'x'.repeat(128)}`, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
  });
});

describe('R20.1 issue-2 local cloud: refusals change nothing', () => {
  it('answers a request without a token, with an expired token or with a token signed by another key with 401, a code and a Chinese message', async () => {
    const expired = await forgeToken({ userId: 'li.na', signer: 'issuer', issuedAt: new Date(Date.now() - 9 * 3600_000), expiresAt: new Date(Date.now() - 3600_000) });
    const foreign = await forgeToken({ userId: 'li.na', signer: 'foreign' });
    const pingsBefore = (await itemsWithPrefix('PING#')).length;
    const seqBefore = await auditHeadSeq();

    const none = await api('POST', '/pings', { body: { message: '无令牌' } });
    const old = await api('POST', '/pings', { token: expired, body: { message: '过期令牌' } });
    const forged = await api('POST', '/pings', { token: foreign, body: { message: '伪造令牌' } });

    expect([none.status, old.status, forged.status]).toEqual([401, 401, 401]);
    expect(none.body.error.code).toBe('TOKEN_MISSING');
    expect(old.body.error.code).toBe('TOKEN_EXPIRED');
    expect(forged.body.error.code).toBe('TOKEN_INVALID');
    for (const res of [none, old, forged]) expect(res.body.error.message).toMatch(chinese);
    expect((await itemsWithPrefix('PING#')).length).toBe(pingsBefore);
    expect((await auditRecordsSince(seqBefore)).filter((r) => String(r['action']).includes('ping'))).toEqual([]);
  });

  it('answers a malformed body with 400 naming the field, and writes nothing', async () => {
    const token = await signIn('wang.qiang');
    const pingsBefore = (await itemsWithPrefix('PING#')).length;
    const seqBefore = await auditHeadSeq();

    const wrongType = await api('POST', '/pings', { token, body: { message: 123 } });
    const missing = await api('POST', '/pings', { token, body: {} });
    const tooLong = await api('POST', '/pings', { token, body: { message: '长'.repeat(201) } });
    const notJson = await api('POST', '/pings', { token, rawBody: '{"message": "未闭合' });

    for (const res of [wrongType, missing, tooLong]) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain('body.message');
      expect(res.body.error.message).toMatch(chinese);
    }
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.details[0].field).toBe('body');
    expect((await itemsWithPrefix('PING#')).length).toBe(pingsBefore);
    expect((await auditRecordsSince(seqBefore)).filter((r) => String(r['action']).includes('ping'))).toEqual([]);
  });

  it('answers a path outside the manifest with 404 ROUTE_NOT_FOUND', async () => {
    const res = await api('GET', '/no/such/route');

    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(res.body.error.message).toMatch(chinese);
  });
});

describe('issue-2 local cloud: the manifest is served whole (local half of the manifest test)', () => {
  it('loads every manifest function', async () => {
    const status = await api('GET', '/local/status');

    expect(cloud.functionErrors).toEqual([]);
    expect(Object.keys(status.body.functions).sort()).toEqual(manifest.functions.map((f) => f.name).sort());
    expect(Object.values(status.body.functions).every((s) => s === 'loaded')).toBe(true);
  });

  it('serves every manifest route through its handler', async () => {
    for (const route of manifest.routes) {
      const path = route.path.replace(/\{([^}+]+)\+?\}/g, 'x');

      const res = await api(route.method, path, route.method === 'GET' ? {} : { body: {} });

      expect(res.body?.error?.code, `${route.method} ${route.path}`).not.toBe('ROUTE_NOT_FOUND');
      // The public download refuses 'x' as a release number, the public applications an empty body (400 naming the field): answered, without a token.
      const refusesInput = ['DownloadReleaseFile', 'SubmitPublicApplication', 'VerifyPublicApplication'].includes(route.function);
      if (route.auth === 'public') expect(res.status, `${route.method} ${route.path}`).toBe(refusesInput ? 400 : 200);
      else expect(res.body.error.code, `${route.method} ${route.path}`).toBe('TOKEN_MISSING');
    }
  });

  it('registers every manifest state machine at the local Step Functions endpoint', async () => {
    const out = await sfn.send(new ListStateMachinesCommand({}));

    expect(out.stateMachines?.map((m) => m.name).sort()).toEqual(manifest.stateMachines.map((m) => m.name).sort());
  });

  it('knows every manifest schedule and fires one on demand, which records its run with an audit record', async () => {
    const status = await api('GET', '/local/status');
    const seqBefore = await auditHeadSeq();

    const fired = await api('POST', '/local/schedules/DailyDeadlineWatch/run');

    expect(status.body.schedules.map((s: { name: string }) => s.name).sort()).toEqual(manifest.schedules.map((s) => s.name).sort());
    expect(status.body.schedules.every((s: { nextFire?: string }) => typeof s.nextFire === 'string')).toBe(true);
    expect(fired.status).toBe(200);
    const run = await getItem({ pk: 'SCHEDULE#DailyDeadlineWatch', sk: 'LAST_RUN' });
    expect(run).toMatchObject({ schedule: 'DailyDeadlineWatch', executionId: fired.body.executionId });
    const records = await auditRecordsSince(seqBefore);
    expect(records.filter((r) => r['action'] === 'supervision.deadlineWatch.run')).toHaveLength(1);
  });
});

describe('issue-2 local cloud: state persists across a restart', () => {
  it('keeps users, items, objects, mail and the issuer key; resumes the interrupted execution (issue 8), the old token no longer answers', async () => {
    // Beside the shared test cloud (base), the demo test (base+20): its own ports and data folder.
    const portBase = testPortBase + 40;
    const dataDir = join(projectRoot, '.test-data', `restart-${portBase}`);
    const log = () => undefined;
    const first = await startLocalCloud({ portBase, dataDir, reset: true, log, handlerLogLevel: 'ERROR', runSchedules: false });
    const { ddb: ddb2, sfn: sfn2 } = clientsFor(first.urls, localRegion);
    const s3 = new S3Client({ endpoint: first.urls.s3, region: localRegion, forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const key = `restart/${randomUUID()}.txt`;
    let second: Awaited<ReturnType<typeof startLocalCloud>> | undefined;
    try {
      const token = await signIn('wang.qiang', first.urls.api);
      const started = await api('POST', '/pings', { token, body: { message: '重启前' }, apiUrl: first.urls.api });
      const pingId = String(started.body.pingId);
      await waitForEmail({ to: 'wang.qiang@example.gov.cn', subject: pingWaitingSubject, inboxUrl: first.urls.inbox });
      const waiting = await eventually(async () => {
        const item = await getItem({ pk: `PING#${pingId}`, sk: 'META' }, ddb2);
        return item?.['status'] === 'waiting' ? item : undefined;
      }, 'the ping to wait');
      await s3.send(new PutObjectCommand({ Bucket: localBucketName('documents'), Key: key, Body: '重启前写入' }));
      await first.stop();

      second = await startLocalCloud({ portBase, dataDir, reset: false, log, handlerLogLevel: 'ERROR', runSchedules: false });

      const me = await api('GET', '/me', { token, apiUrl: second.urls.api });
      expect(me.status).toBe(200);
      expect(me.body.user.userId).toBe('wang.qiang');
      expect(await getItem({ pk: `PING#${pingId}`, sk: 'META' }, ddb2)).toMatchObject({ status: 'waiting', message: '重启前' });
      const object = await s3.send(new GetObjectCommand({ Bucket: localBucketName('documents'), Key: key }));
      expect(await object.Body?.transformToString()).toBe('重启前写入');
      expect((await listEmails(second.urls.inbox)).some((e) => e.subject === pingWaitingSubject)).toBe(true);
      const execution = await sfn2.send(new DescribeExecutionCommand({ executionArn: String(started.body.executionArn) }));
      expect(execution).toMatchObject({ status: 'RUNNING' });
      await expect(sfn2.send(new SendTaskSuccessCommand({ taskToken: await openPingToken(pingId, String(waiting['sealedTaskToken']), dataDir), output: '{}' }))).rejects.toMatchObject({
        name: 'TaskDoesNotExist',
      });
      console.log(`local cloud start-up: cold ${first.timings['total']} ms ${JSON.stringify(first.timings)}; warm ${second.timings['total']} ms ${JSON.stringify(second.timings)}`);
    } finally {
      await first.stop();
      await second?.stop();
      s3.destroy();
      ddb2.destroy();
      sfn2.destroy();
    }
  }, 90_000);
});
