import { describe, expect, it } from 'vitest';
import { handler as health } from '#functions/platform/health.ts';
import { handler as openApi } from '#functions/platform/openapi.ts';
import { requiredEnv } from '#runtime/compose.ts';

/**
 * CDK binds the logs table (security records) only to functions that verify a
 * JWT; a public route's Lambda has no LOGS_TABLE_NAME. Its handler must still
 * pass the init phase (the composition root validates before the first request).
 */
describe('issue 9: public platform routes start with only the variables CDK gives them', () => {
  it('HealthCheck needs only the registry table and starts without LOGS_TABLE_NAME', () => {
    expect(requiredEnv(health.uses, health.fn)).toEqual(['REGISTRY_TABLE_NAME']);
    expect(() => health.init({ REGISTRY_TABLE_NAME: 'registry', APP_BASE_URL: 'https://chengguo.example.gov.cn' })).not.toThrow();
  });

  it('OpenApi needs no variable at all', () => {
    expect(requiredEnv(openApi.uses, openApi.fn)).toEqual([]);
    expect(() => openApi.init({})).not.toThrow();
  });
});
