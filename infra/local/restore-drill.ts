/**
 * `npm run restore:drill` — the registry's restore drill (issue 11 §5, R10.1):
 * restore both tables from a backup under new names, check that every item
 * came back, and run the audit verification against the restored copy (the
 * hash chain, its signed anchors in the custody bucket, and every audited
 * item as its last record wrote it). Exit 0: the backup restores into a
 * registry whose audit chain is intact; 1: it restores, but the chain or an
 * item does not verify; 2: the restore itself failed.
 *
 * Local (default; the local cloud must be running, `npm start`):
 *   1. backup: both tables exported, item by item, to
 *      <data>/backups/<stamp>/<table>.jsonl (DynamoDB JSON, one {"Item":…} a
 *      line — the format of DynamoDB's export to S3), or `--from <dir>` to
 *      restore an earlier export;
 *   2. restore into chengguo-<table>-drill-<stamp> (the shapes of infra/tables.ts);
 *   3. verify; the drill tables are deleted afterwards unless `--keep`.
 *
 * AWS (`--aws`; REGISTRY_TABLE_NAME, LOGS_TABLE_NAME, CUSTODY_BUCKET_NAME and
 * AUDIT_ANCHOR_KEY_ID set, credentials of an operator allowed to restore):
 *   `--registry-backup-arn <arn> --logs-backup-arn <arn>` (DynamoDB backups,
 *   e.g. the AWS Backup recovery points of the plan) or `--point-in-time
 *   <ISO time>` (PITR, last 35 days); the restored tables are
 *   <name>-drill-<stamp>, encrypted with `--kms-key <arn>` when given.
 *   A copy in the backup region is restored there first (AWS Backup console →
 *   recovery point → Restore), then named here with its backup ARN.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  BatchWriteItemCommand,
  waitUntilTableExists,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { S3AnchorStore, anchorSignerFromEnv, auditAnchorKeyFileEnv, auditAnchorKeyIdEnv } from '#adapters/audit-anchor.ts';
import { envNames } from '#adapters/config.ts';
import { DynamoAuditChainStore } from '#adapters/dynamo-audit.ts';
import type { ItemReader } from '#shared/audit/item-states.ts';
import { auditVerify } from '#shared/audit/verify.ts';
import { tables as shapes } from '#infra/tables.ts';
import { createInput } from './dynamodb.ts';
import { projectRoot } from './paths.ts';
import { localBucketName, localPorts, localRegion, localTableName } from './ports.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const env = process.env;
const toAws = flag('--aws');
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-').toLowerCase();
const dataDir = resolve(projectRoot, option('--data-dir') ?? '.data');

if (!toAws) {
  env['AWS_ENDPOINT_URL_DYNAMODB'] ??= `http://127.0.0.1:${localPorts().dynamodb}`;
  env['AWS_ENDPOINT_URL_S3'] ??= `http://127.0.0.1:${localPorts().s3}`;
  if (!env[auditAnchorKeyIdEnv]) env[auditAnchorKeyFileEnv] ??= join(dataDir, 'keys', 'audit-anchor.pem');
  env['AWS_REGION'] ??= localRegion;
  env['AWS_ACCESS_KEY_ID'] ??= 'local';
  env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
}

/** The live table names (in the audit records) → their restored copies. */
type Names = Record<'registry' | 'logs', { live: string; restored: string }>;

function liveName(t: 'registry' | 'logs'): string {
  const name = env[t === 'registry' ? envNames.registryTable : envNames.logsTable] ?? (toAws ? undefined : localTableName(t));
  if (!name) throw new DrillError(`请设置 ${t === 'registry' ? envNames.registryTable : envNames.logsTable} (set the live ${t} table name)`);
  return name;
}

class DrillError extends Error {}

const client = new DynamoDBClient({});

async function scanAll(table: string): Promise<Array<Record<string, AttributeValue>>> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Local step 1: the backup, one file per table. */
async function exportTables(names: Names): Promise<string> {
  const dir = join(dataDir, 'backups', stamp);
  mkdirSync(dir, { recursive: true });
  for (const t of ['registry', 'logs'] as const) {
    const items = await scanAll(names[t].live);
    writeFileSync(join(dir, `${t}.jsonl`), items.map((Item) => JSON.stringify({ Item })).join('\n') + (items.length ? '\n' : ''));
    console.log(`  备份 backup ${names[t].live}: ${items.length} 项 items → ${join(dir, `${t}.jsonl`)}`);
  }
  return dir;
}

function readExport(dir: string, t: 'registry' | 'logs'): Array<Record<string, AttributeValue>> {
  const text = readFileSync(join(dir, `${t}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { Item: Record<string, AttributeValue> }).Item);
}

/** Local step 2: a new table of the same shape, filled from the export. */
async function restoreFromExport(dir: string, t: 'registry' | 'logs', name: string): Promise<number> {
  const shape = shapes.find((s) => s.name === t);
  if (!shape) throw new DrillError(`infra/tables.ts has no ${t} table`);
  const { StreamSpecification: _stream, ...input } = createInput(shape);
  await client.send(new CreateTableCommand({ ...input, TableName: name }));
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: name });
  const items = readExport(dir, t);
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new DrillError(`BatchWriteItem: ${pending.length} items still unprocessed`);
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: pending } }));
      pending = (out.UnprocessedItems?.[name] ?? []) as typeof pending;
    }
  }
  return items.length;
}

/** AWS step: DynamoDB restores the backup (or the point in time) into a new table. */
async function restoreOnAws(t: 'registry' | 'logs', names: Names): Promise<void> {
  const kmsKey = option('--kms-key');
  const sse = kmsKey ? { SSESpecificationOverride: { Enabled: true, SSEType: 'KMS' as const, KMSMasterKeyId: kmsKey } } : {};
  const backupArn = option(`--${t}-backup-arn`);
  const pointInTime = option('--point-in-time');
  if (backupArn) {
    await client.send(new RestoreTableFromBackupCommand({ BackupArn: backupArn, TargetTableName: names[t].restored, ...sse }));
  } else if (pointInTime) {
    await client.send(
      new RestoreTableToPointInTimeCommand({ SourceTableName: names[t].live, TargetTableName: names[t].restored, RestoreDateTime: new Date(pointInTime), ...sse }),
    );
  } else {
    throw new DrillError(`请给出 --${t}-backup-arn 或 --point-in-time (give --${t}-backup-arn or --point-in-time)`);
  }
  console.log(`  恢复中 restoring ${names[t].restored} … (DynamoDB restores take minutes to hours)`);
  await waitUntilTableExists({ client, maxWaitTime: 6 * 3600, minDelay: 30 }, { TableName: names[t].restored });
}

/** Reads the restored tables where the audit records name the live ones. */
function renamingReader(names: Names): ItemReader {
  const doc = DynamoDBDocumentClient.from(client);
  const map = new Map(Object.values(names).map((n) => [n.live, n.restored]));
  return {
    async getItems(table, keyList) {
      const target = map.get(table) ?? table;
      const out: Record<string, unknown>[] = [];
      for (let i = 0; i < keyList.length; i += 100) {
        let pending: Record<string, unknown>[] = keyList.slice(i, i + 100).map(({ pk, sk }) => ({ pk, sk }));
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > 8) throw new DrillError(`BatchGetItem: ${pending.length} keys still unprocessed`);
          const res = await doc.send(new BatchGetCommand({ RequestItems: { [target]: { Keys: pending, ConsistentRead: true } } }));
          out.push(...((res.Responses?.[target] ?? []) as Record<string, unknown>[]));
          pending = (res.UnprocessedKeys?.[target]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      return out;
    },
  };
}

async function itemCount(table: string): Promise<number> {
  return (await scanAll(table)).length;
}

async function main(): Promise<number> {
  const names: Names = {
    registry: { live: liveName('registry'), restored: '' },
    logs: { live: liveName('logs'), restored: '' },
  };
  for (const t of ['registry', 'logs'] as const) names[t].restored = `${names[t].live}-drill-${stamp}`;
  const bucket = env[envNames.custodyBucket] ?? (toAws ? undefined : localBucketName('custody'));
  if (!bucket) throw new DrillError(`请设置 ${envNames.custodyBucket}（锚点存于保管桶） (set ${envNames.custodyBucket}: the anchors are in the custody bucket)`);
  console.log(`恢复演练 (restore drill) ${stamp} · ${toAws ? `AWS ${env['AWS_REGION'] ?? ''}` : String(env['AWS_ENDPOINT_URL_DYNAMODB'])}`);

  const expected: Partial<Record<'registry' | 'logs', number>> = {};
  if (toAws) {
    for (const t of ['registry', 'logs'] as const) await restoreOnAws(t, names);
  } else {
    const from = option('--from');
    const dir = from ? resolve(from) : await exportTables(names);
    if (from && !readdirSync(dir).includes('registry.jsonl')) throw new DrillError(`${dir} 不是备份目录 (not an export: registry.jsonl missing)`);
    for (const t of ['registry', 'logs'] as const) expected[t] = await restoreFromExport(dir, t, names[t].restored);
  }
  for (const t of ['registry', 'logs'] as const) {
    const n = await itemCount(names[t].restored);
    console.log(`  已恢复 restored ${names[t].restored}: ${n} 项 items`);
    if (expected[t] !== undefined && n !== expected[t]) {
      console.error(`  恢复不完整：应有 ${expected[t]} 项 (incomplete restore: expected ${expected[t]} items)`);
      return 1;
    }
  }

  const result = await auditVerify({
    store: new DynamoAuditChainStore(names.logs.restored),
    anchors: new S3AnchorStore(bucket),
    signer: anchorSignerFromEnv(env),
    items: renamingReader(names),
    // A drill checks; it never writes an anchor of a restored copy.
    anchor: false,
  });
  for (const l of result.lines) (result.ok ? console.log : console.error)(`  ${l}`);

  if (flag('--keep')) {
    console.log(`保留演练表 (kept): ${names.registry.restored}, ${names.logs.restored}`);
  } else {
    for (const t of ['registry', 'logs'] as const) await client.send(new DeleteTableCommand({ TableName: names[t].restored }));
    console.log('演练表已删除 (drill tables deleted)');
  }
  console.log(result.ok ? '恢复演练通过：备份可恢复，审计链完整 (drill passed)' : '恢复演练未通过 (drill FAILED): 见上 (see above)');
  return result.ok ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  const e = error as { name?: string; message?: string; code?: string };
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message))) {
    console.error('无法连接本地云：请先运行 npm start (cannot reach the local cloud — start it with npm start)');
  } else {
    console.error(`恢复演练失败 (restore drill failed): ${e.name ?? ''} ${e.message ?? String(error)}`);
  }
  process.exitCode = 2;
} finally {
  client.destroy();
}
