/**
 * Starts one local cloud for the integration project (ports 4300–4306, data
 * in .test-data/cloud, reset each run) and stops it at the end. Tests get its
 * addresses through `inject('localCloud')`; the cloud's own log goes to
 * .test-data/cloud.log, the handlers' warnings and errors to the console.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { projectRoot, startLocalCloud, type LocalCloudUrls } from '#infra/local/cloud.ts';
import { localRegion, localTableName } from '#infra/local/ports.ts';

export interface ProvidedCloud {
  readonly urls: LocalCloudUrls;
  readonly dataDir: string;
  readonly region: string;
  readonly tables: { readonly registry: string; readonly logs: string };
  readonly timings: Readonly<Record<string, number>>;
  readonly functionErrors: readonly string[];
  /** The process the cloud runs in (its S3 emulator among it): test/big reads its peak RSS. */
  readonly pid: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localCloud: ProvidedCloud;
  }
}

// CHENGGUO_TEST_PORT_BASE lets two suites run side by side (each gets its own ports and data).
export const testPortBase = Number(process.env['CHENGGUO_TEST_PORT_BASE'] ?? 4300);

export default async function setup(project: TestProject) {
  const testData = join(projectRoot, '.test-data');
  mkdirSync(testData, { recursive: true });
  const logFile = join(testData, testPortBase === 4300 ? 'cloud.log' : `cloud-${testPortBase}.log`);
  writeFileSync(logFile, '');
  const cloud = await startLocalCloud({
    portBase: testPortBase,
    dataDir: join(testData, testPortBase === 4300 ? 'cloud' : `cloud-${testPortBase}`),
    reset: true,
    log: (line) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`),
    handlerLogLevel: 'WARN',
    // Tests fire schedules on demand; a real 08:00 firing mid-run would only add noise.
    runSchedules: false,
    // test:big (thousands of files) keeps DynamoDB Local in memory: on a shared disk the on-disk store is fsync-bound (cloud.ts, dynamoInMemory).
    dynamoInMemory: project.name === 'big' || process.env['CHENGGUO_TEST_DYNAMODB'] === 'memory',
  });
  appendFileSync(logFile, `ready in ${cloud.timings['total']} ms ${JSON.stringify(cloud.timings)}\n`);
  project.provide('localCloud', {
    urls: cloud.urls,
    dataDir: cloud.dataDir,
    region: localRegion,
    tables: { registry: localTableName('registry'), logs: localTableName('logs') },
    timings: cloud.timings,
    functionErrors: cloud.functionErrors,
    pid: process.pid,
  });
  return async () => {
    await cloud.stop();
  };
}
