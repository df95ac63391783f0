import { describe, expect, it } from 'vitest';
import { handler as getMe } from '#functions/identity/get-me.ts';
import { handler as updateUserClearance } from '#functions/identity/update-user-clearance.ts';
import { functionByName } from '#infra/manifest.ts';
import { compose, requiredEnv } from '#runtime/compose.ts';
import { ConfigurationError, readEnv } from '#runtime/env.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityAdmin, identityRepo } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { now } from '#runtime/ports/basics.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { platform } from '#functions/platform/context.ts';
import * as z from 'zod';
import type { Context } from 'aws-lambda';

/** A complete local configuration: every variable the recipes read, nothing reachable (no network is used). */
const fullEnv = {
  REGISTRY_TABLE_NAME: 'registry',
  LOGS_TABLE_NAME: 'logs',
  JWT_ISSUER: 'http://localhost:1/issuer',
  JWT_JWKS_URL: 'http://localhost:1/jwks.json',
  JWT_AUDIENCE: 'chengguo',
  MAIL_TRANSPORT: 'smtp',
  MAIL_FROM: 'noreply@example.cn',
  SMTP_HOST: 'localhost',
  SMTP_PORT: '1025',
  // issue 10: every sender but SendMail hands its mail to this function
  MAIL_FUNCTION: 'SendMail',
  PING_STATE_MACHINE_ARN: 'arn:aws:states:cn-north-1:000000000000:stateMachine:Ping',
};

describe('Issue 9: one composition root builds the ports from validated configuration', () => {
  it('refuses an empty environment naming the missing variable (ConfigurationError)', () => {
    // act
    const attempt = () => compose([identityRepo], functionByName('GetMe'), {});
    // assess
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/REGISTRY_TABLE_NAME/);
  });

  it('names every bad variable at once, not the first one', () => {
    // act
    let error: unknown;
    try {
      readEnv(['registry', 'jwt', 'mail'], { JWT_ISSUER: 'not a url', MAIL_TRANSPORT: 'smtp', MAIL_FROM: 'a@b.cn', SMTP_HOST: 'h', SMTP_PORT: '99999' });
    } catch (e) {
      error = e;
    }
    // assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variables).toEqual(['JWT_AUDIENCE', 'JWT_ISSUER', 'JWT_JWKS_URL', 'REGISTRY_TABLE_NAME', 'SMTP_PORT']);
  });

  it('asks a starter for the ARN of each machine it starts, from the manifest', () => {
    // act + assess
    expect(requiredEnv([workflow], functionByName('StartPing'))).toEqual(['PING_STATE_MACHINE_ARN']);
    expect(() => compose([workflow], functionByName('StartPing'), {})).toThrow(/PING_STATE_MACHINE_ARN/);
  });

  it('builds each port once on a full environment, without network', () => {
    // act
    const ports = compose([identityRepo, identityAdmin, mailer, workflow, identityRepo], functionByName('StartPing'), fullEnv);
    // assess
    expect(Object.keys(ports).sort()).toEqual(['identity', 'identityAdmin', 'mailer', 'workflow']);
    expect(typeof ports.identity.getUser).toBe('function');
    expect(typeof ports.mailer.send).toBe('function');
  });

  it('a handler names its function and the variables its ports need; init fails naming them', () => {
    // act + assess
    expect(getMe.fn).toEqual(functionByName('GetMe'));
    expect(requiredEnv(updateUserClearance.uses, updateUserClearance.fn)).toEqual([
      'JWT_AUDIENCE',
      'JWT_ISSUER',
      'JWT_JWKS_URL',
      'LOGS_TABLE_NAME',
      'REGISTRY_TABLE_NAME',
    ]);
    expect(() => updateUserClearance.init({ REGISTRY_TABLE_NAME: 'registry' })).toThrow(/JWT_AUDIENCE、JWT_ISSUER、JWT_JWKS_URL、LOGS_TABLE_NAME/);
    expect(() => updateUserClearance.init(fullEnv)).not.toThrow();
  });

  it('a Step Functions task runs on the ports passed to with(), validating its input', async () => {
    // prepare
    const task = sfnTask(platform, 'PingDone', z.object({ n: z.number() }), [now], async (input, p) => ({ n: input.n, at: p.now().toISOString() }));
    const context = { awsRequestId: 'aws-1' } as Context;
    const fixed = () => new Date('2026-01-02T03:04:05Z');
    // act
    const out = await task.with({ now: fixed })({ n: 7 }, context);
    // assess
    expect(task.fn).toEqual(functionByName('PingDone'));
    expect(out).toEqual({ n: 7, at: '2026-01-02T03:04:05.000Z' });
    await expect(task.with({ now: fixed })({ n: 'x' }, context)).rejects.toThrow(/input\.n/);
  });
});
