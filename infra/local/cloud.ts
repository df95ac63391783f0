/**
 * The local cloud: everything the deployed system uses, on loopback, with
 * state under one data folder.
 *
 *   API            the manifest's routes, real handlers, in this process   (base+0)
 *   S3             s3rver + infra/local/s3.ts, in this process, files       (base+1)
 *   DynamoDB       DynamoDB Local (Java), child process                    (base+2)
 *   Step Functions the manifest's ASL files, in this process               (base+3)
 *   SMTP / inbox   MailDev, child process                                  (base+4, base+5)
 *   Lambda Invoke  mail handed to SendMail, in this process                (base+6)
 *   + the JWT issuer (under the API), the scheduler, the stream pollers
 *     (DynamoDB Local's streams → functions), the demo seed.
 *
 * Functions reach the emulators only through the SDK's standard
 * AWS_ENDPOINT_URL_DYNAMODB / _S3 / _SFN, set here before any handler is
 * imported, so the same code runs against AWS unchanged.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { isAbsolute, join, resolve } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { manifest } from '#infra/manifest.ts';
import { buckets } from '#infra/tables.ts';
import { keys } from '#adapters/dynamo.ts';
import { loadOrCreateTokenKey, taskTokenKeyEnv } from '#adapters/token-vault.ts';
import { bucketEnv, envNames, stateMachineEnv, tableEnv } from '#adapters/config.ts';
import { auditAnchorKeyFileEnv, loadOrCreateAnchorKey } from '#adapters/audit-anchor.ts';
import { lockDataDir, lockFileName } from './data-lock.ts';
import { dynamoClient, ensureTables, localCredentials, startDynamoDbLocal } from './dynamodb.ts';
import { httpApiServer } from './http-api.ts';
import { lambdaEndpoint, type LambdaEndpoint } from './lambda-endpoint.ts';
import { createLocalIssuer } from './issuer.ts';
import { loadFunctions, type LocalFunctions } from './lambda-runtime.ts';
import type { DemoSummary } from './demo.ts';
import { startMailDev } from './mail.ts';
import type { DemoUserView } from './pages.ts';
import { localAccount, localAudience, localBucketName, localPorts, localRegion, localTableName, type LocalPorts } from './ports.ts';
import { projectRoot } from './paths.ts';
import { portInUse, Reaper, type Guarded } from './processes.ts';
import { LocalScheduler } from './scheduler.ts';
import { manifestMachines, sfnServer } from './sfn-endpoint.ts';
import { LocalStepFunctions } from './sfn-engine.ts';
import { LocalStreams } from './streams.ts';

export { projectRoot };

/** Marks a folder as the local cloud's, so that --reset never deletes anything else. */
const markerFile = '.chengguo-local-cloud';

export interface LocalCloudOptions {
  /** First of six consecutive ports (infra/local/ports.ts); 4100 for `npm start`. */
  readonly portBase?: number;
  /** Where state lives; relative to the project root. Default `.data`. */
  readonly dataDir?: string;
  /** Start from nothing: the data folder is emptied first. */
  readonly reset?: boolean;
  /** One line per event of the local cloud itself (not the handlers' JSON logs). */
  readonly log?: (line: string) => void;
  /** LOG_LEVEL for the handlers' structured logs (default: LOG_LEVEL or INFO). */
  readonly handlerLogLevel?: string;
  /** Arm the manifest's schedules (default true); firing on demand works either way. */
  readonly runSchedules?: boolean;
  /** Poll the manifest's table streams and deliver them to their functions (default true). */
  readonly runStreams?: boolean;
  /** Write the demo data (infra/local/demo.ts) after ready on a fresh data folder (default false; `npm start` turns it on). */
  readonly demo?: boolean;
  /**
   * DynamoDB Local keeps its tables in memory instead of `<dataDir>/dynamodb`
   * (default false): lost when the cloud stops. For runs that reset anyway
   * (`npm run test:big`): on a disk shared with other jobs the on-disk store
   * is fsync-bound (3,012 items of one manifest took 80 s against 4.6 s on
   * tmpfs, past the API's 29 s), which measures the disk, not the product.
   */
  readonly dynamoInMemory?: boolean;
}

export interface LocalCloudUrls {
  readonly api: string;
  /** The web console (工作台, console/ built to dist/console). */
  readonly console: string;
  readonly docs: string;
  readonly signIn: string;
  readonly inbox: string;
  readonly s3: string;
  readonly dynamodb: string;
  readonly sfn: string;
  /** The Lambda Invoke API (mail handed to SendMail, issue 10). */
  readonly lambda: string;
  readonly smtp: string;
  readonly issuer: string;
  readonly jwks: string;
}

export interface LocalCloud {
  readonly urls: LocalCloudUrls;
  readonly ports: LocalPorts;
  readonly dataDir: string;
  /** The variables the handlers run with (also set on process.env). */
  readonly env: Readonly<Record<string, string>>;
  readonly demoUsers: readonly DemoUserView[];
  /** Milliseconds: the whole start, and each part. */
  readonly timings: Readonly<Record<string, number>>;
  readonly functionErrors: readonly string[];
  /** The demo being written in the background (opts.demo on a fresh data folder), else undefined. */
  readonly demo?: Promise<DemoSummary | undefined>;
  stop(): Promise<void>;
}

export function localUrls(ports: LocalPorts): LocalCloudUrls {
  const api = `http://127.0.0.1:${ports.api}`;
  return {
    api,
    console: `${api}/console/`,
    docs: `${api}/docs`,
    signIn: `${api}/local-auth/`,
    inbox: `http://127.0.0.1:${ports.inbox}`,
    s3: `http://127.0.0.1:${ports.s3}`,
    dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
    sfn: `http://127.0.0.1:${ports.sfn}`,
    lambda: `http://127.0.0.1:${ports.lambda}`,
    smtp: `smtp://127.0.0.1:${ports.smtp}`,
    issuer: `${api}/local-auth`,
    jwks: `${api}/local-auth/.well-known/jwks.json`,
  };
}

/** R14.2: the local cloud's demo external public platform (PUBLIC_PLATFORMS); MailDev catches its mail. */
export const localPublicPlatforms = [{ name: '广东省政务数据开放平台（演示）', email: 'opendata@gdgov-platform.example' }] as const;

/** The environment a deployed function would have, pointed at the local emulators. */
export function localEnvironment(ports: LocalPorts): Record<string, string> {
  const urls = localUrls(ports);
  const env: Record<string, string> = {
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    // No instance metadata on a laptop: do not let the SDK wait for it.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
    AWS_ENDPOINT_URL_S3: urls.s3,
    AWS_ENDPOINT_URL_SFN: urls.sfn,
    AWS_ENDPOINT_URL_LAMBDA: urls.lambda,
    [envNames.jwtIssuer]: urls.issuer,
    [envNames.jwtJwksUrl]: urls.jwks,
    [envNames.jwtAudience]: localAudience,
    [envNames.mailTransport]: 'smtp',
    [envNames.smtpHost]: '127.0.0.1',
    [envNames.smtpPort]: String(ports.smtp),
    [envNames.mailFrom]: '自然资源调查监测成果管理系统（本地） <noreply@chengguo.local>',
    // Issue 10: every sender hands its mail to SendMail (by its manifest name here), as on AWS.
    [envNames.mailFunction]: 'SendMail',
    [envNames.appBaseUrl]: urls.api,
    // R14.2: one demo external public platform; its announcements land in MailDev like every other mail.
    [envNames.publicPlatforms]: JSON.stringify(localPublicPlatforms),
    [envNames.oidcIssuer]: urls.issuer,
    [envNames.oidcClientId]: localAudience,
    // No Cognito here: the local issuer signs in any person of the registry (issue 12).
    [envNames.signInAccounts]: 'registry',
    // The emulator has no replication: the copy into custody also writes the backup bucket (adapters/s3-custody.ts). Never set on AWS.
    LOCAL_BACKUP_COPY: '1',
  };
  for (const [table, name] of Object.entries(tableEnv)) env[name] = localTableName(table);
  for (const [bucket, name] of Object.entries(bucketEnv)) env[name] = localBucketName(bucket);
  for (const sm of manifest.stateMachines) env[stateMachineEnv(sm.name)] = `arn:aws:states:${localRegion}:${localAccount}:stateMachine:${sm.name}`;
  return env;
}

function prepareDataDir(dir: string, reset: boolean): void {
  if (reset && existsSync(dir)) {
    // The lock (data-lock.ts) is this process's own and stays.
    const entries = readdirSync(dir).filter((e) => e !== lockFileName);
    if (entries.length > 0 && !entries.includes(markerFile)) {
      throw new Error(`拒绝清空 ${dir}：它不是本地云的数据目录 (refusing to reset ${dir}: no ${markerFile} marker)`);
    }
    for (const entry of entries) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, markerFile), 'chengguo local cloud data; `npm start -- --reset` deletes this folder\n');
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}

async function timed<T>(timings: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - started;
  }
}

export async function startLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = Date.now();
  const log = opts.log ?? ((line: string) => console.log(line));
  const ports = localPorts(opts.portBase ?? 4100);
  const urls = localUrls(ports);
  const dataDir = isAbsolute(opts.dataDir ?? '.data') ? (opts.dataDir as string) : resolve(projectRoot, opts.dataDir ?? '.data');
  const timings: Record<string, number> = {};

  // Before anything else: a second cloud in this folder (even on other ports) must not touch the first one's data.
  const unlock = lockDataDir(dataDir);
  let busy: unknown[];
  try {
    busy = (await Promise.all(Object.entries(ports).map(async ([name, port]) => ((await portInUse(port)) ? `${name}:${port}` : undefined)))).filter(Boolean);
  } catch (error) {
    unlock();
    throw error;
  }
  if (busy.length > 0) {
    unlock();
    throw new Error(`端口已被占用：${busy.join('、')}——是否已有一个本地云在运行？(ports in use: ${busy.join(', ')}; is a local cloud already running?)`);
  }
  try {
    prepareDataDir(dataDir, opts.reset ?? false);
  } catch (error) {
    unlock();
    throw error;
  }

  const env = localEnvironment(ports);
  // The human-task token vault's key (adapters/token-vault.ts), kept with the data so open tasks survive a restart.
  env[taskTokenKeyEnv] = loadOrCreateTokenKey(join(dataDir, 'keys', 'task-token.key'));
  // The audit anchors' signing key (adapters/audit-anchor.ts; KMS on AWS), made on first start, kept with the data.
  env[auditAnchorKeyFileEnv] = join(dataDir, 'keys', 'audit-anchor.pem');
  loadOrCreateAnchorKey(env[auditAnchorKeyFileEnv]);
  // Remembered so that stop() gives the process its environment back (tests start clouds in-process).
  const previousEnv = Object.fromEntries([...Object.keys(env), 'LOG_LEVEL'].map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.env['LOG_LEVEL'] = opts.handlerLogLevel ?? process.env['LOG_LEVEL'] ?? 'INFO';

  const reaper = new Reaper();
  const children: Guarded[] = [];
  const servers: Server[] = [];
  let s3: { stop(): Promise<void> } | undefined;
  let engine: LocalStepFunctions | undefined;
  let scheduler: LocalScheduler | undefined;
  let streams: LocalStreams | undefined;
  let lambdaApi: LambdaEndpoint | undefined;
  let registry: DynamoDBDocumentClient | undefined;
  let stopped = false;
  let fresh = false;
  let demo: Promise<DemoSummary | undefined> | undefined;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // A demo still writing would only fail against stopped emulators: give it a moment to finish.
    if (demo) await Promise.race([demo, new Promise((r) => setTimeout(r, 10_000))]);
    scheduler?.stop();
    await streams?.stop();
    await Promise.all(servers.map(closeServer));
    // Mail handed over just before the stop still goes out (MailDev and DynamoDB stop below).
    if (lambdaApi) await Promise.race([lambdaApi.idle(), new Promise((r) => setTimeout(r, 15_000))]);
    await engine?.close();
    registry?.destroy();
    await s3?.stop().catch(() => undefined);
    await Promise.all(children.map((c) => c.stop()));
    await reaper.close();
    for (const [k, v] of Object.entries(previousEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    unlock();
    log('本地云已停止 (local cloud stopped)');
  };

  try {
    const seedModule = import('./seed.ts');
    const dynamo = timed(timings, 'dynamodb', async () => {
      const child = await startDynamoDbLocal({
        reaper,
        projectRoot,
        port: ports.dynamodb,
        dbPath: opts.dynamoInMemory ? 'memory' : join(dataDir, 'dynamodb'),
        logFile: join(dataDir, 'logs', 'dynamodb.log'),
      });
      children.push(child);
      const created = await ensureTables(ports.dynamodb);
      if (created.length > 0) log(`DynamoDB: 已建表 (tables created) ${created.join(', ')}`);
      // Seeded as soon as the tables exist, while the other parts are still starting.
      const { seed } = await seedModule;
      const seeded = await timed(timings, 'seed', () => seed({ registryTable: localTableName('registry'), logsTable: localTableName('logs') }));
      if (seeded.created > 0) log(`演示单位和用户已写入 (demo organisations and users seeded): ${seeded.created} 项`);
      fresh = seeded.created > 0;
    });
    const mail = timed(timings, 'maildev', async () => {
      children.push(
        await startMailDev({
          reaper,
          projectRoot,
          smtpPort: ports.smtp,
          webPort: ports.inbox,
          mailDir: join(dataDir, 'mail'),
          logFile: join(dataDir, 'logs', 'maildev.log'),
        }),
      );
    });
    const storage = timed(timings, 's3', async () => {
      const { startLocalS3 } = await import('./s3.ts');
      // The console's origin only may upload from the browser (the uploads bucket's CORS rule on AWS).
      const consoleOrigins = [`http://127.0.0.1:${ports.api}`, `http://localhost:${ports.api}`];
      // As on AWS: the uploads bucket takes the browser upload, the custody bucket a grant download's GET;
      // …and the documents bucket a confidentiality scan's or problem attachment's PUT and a 用途声明's GET (scanUploadCors).
      const { custodyDownloadCors, scanUploadCors, uploadsCors } = await import('../constructs/uploads-cors.ts');
      const corsRules = { [localBucketName('uploads')]: uploadsCors, [localBucketName('custody')]: custodyDownloadCors, [localBucketName('documents')]: scanUploadCors };
      s3 = await startLocalS3({ port: ports.s3, dir: join(dataDir, 's3'), buckets: buckets.map((b) => localBucketName(b)), consoleOrigins, corsRules });
    });
    const issuer = timed(timings, 'issuer', () => createLocalIssuer({ dataDir, issuer: urls.issuer, jwksUrl: urls.jwks }));
    const functions: Promise<LocalFunctions> = timed(timings, 'functions', () => loadFunctions(projectRoot, log));

    const results = await Promise.allSettled([dynamo, mail, storage, issuer, functions, seedModule]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    const { demoUsers } = await seedModule;

    const fns = await functions;
    engine = new LocalStepFunctions({
      machines: manifestMachines(projectRoot),
      invoke: (name, payload) => fns.invoke(name, payload),
      stateFile: join(dataDir, 'stepfunctions', 'executions.json'),
      log,
    });
    const sfn = engine;
    const sfnHttp = sfnServer(sfn, log);
    await listen(sfnHttp, ports.sfn);
    servers.push(sfnHttp);

    const deadLetters = join(dataDir, 'logs', 'dead-letters.jsonl');
    lambdaApi = lambdaEndpoint({
      functions: fns,
      log,
      onDeadLetter: (name, event, error) => {
        log(`函数 ${name} 异步调用重试后仍失败，已记入 ${deadLetters} (async event dead-lettered): ${error.errorType}: ${error.errorMessage}`);
        appendFileSync(deadLetters, `${JSON.stringify({ at: new Date().toISOString(), function: name, errorType: error.errorType, errorMessage: error.errorMessage, event })}\n`);
      },
    });
    await listen(lambdaApi.server, ports.lambda);
    servers.push(lambdaApi.server);

    scheduler = new LocalScheduler(
      manifest.schedules,
      async (def, event) => {
        if ('function' in def.target) return fns.invoke(def.target.function, event);
        return sfn.startExecution({
          stateMachineArn: sfn.stateMachineArn(def.target.stateMachine),
          name: String(event['executionId']),
          input: JSON.stringify(event),
        });
      },
      log,
    );
    if (opts.runSchedules ?? true) scheduler.start();
    const sched = scheduler;

    streams = new LocalStreams({ streams: manifest.streams, endpoint: urls.dynamodb, invoke: (name, event) => fns.invoke(name, event), log });
    if (opts.runStreams ?? true) streams.start();
    const pollers = streams;

    const users = DynamoDBDocumentClient.from(dynamoClient(ports.dynamodb));
    registry = users;
    const api = httpApiServer({
      functions: fns,
      uploadOrigin: urls.s3,
      issuer: await issuer,
      scheduler: sched,
      demoUsers,
      lookupUser: async (userId) => {
        const out = await users.send(new GetCommand({ TableName: localTableName('registry'), Key: keys.user(userId) }));
        const item = out.Item as { userId?: string; email?: string; name?: string } | undefined;
        return item?.userId && item.email ? { userId: item.userId, email: item.email, name: item.name ?? item.userId } : undefined;
      },
      status: () => ({
        functions: Object.fromEntries([...fns.status].map(([name, s]) => [name, s.loaded ? 'loaded' : `error: ${s.error}`])),
        routes: manifest.routes.map((r) => `${r.method} ${r.path}`),
        stateMachines: sfn.listStateMachines().stateMachines.map((m) => m.name),
        schedules: sched.list(),
        streams: pollers.list(),
        dataDir,
        readyMs: timings['total'],
      }),
      urls,
      log,
    });
    await listen(api, ports.api);
    servers.push(api);

    // Executions the last run left in flight (a crash, kill -9) continue from their last state (sfn-engine.ts).
    sfn.resumeInterrupted();

    timings['total'] = Date.now() - started;
    const functionErrors = [...fns.status].filter(([, s]) => !s.loaded).map(([name]) => name);
    if (opts.demo && fresh) demo = import('./demo.ts').then((m) => m.runDemo(projectRoot, log));
    return { urls, ports, dataDir, env, demoUsers, timings, functionErrors, ...(demo ? { demo } : {}), stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
