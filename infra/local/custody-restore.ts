/**
 * `npm run custody:restore -- <key> | --all-damaged <report> [--operator <name>] [--aws]`
 *
 * Restores custody objects — package files and manifests — from the backup
 * copy (R10.1; docs/custody.md): what each key must hold comes from the
 * registry's custodyCopied record (the manifest's SHA-256), each backup copy
 * is hashed and must equal it before anything is written, manifests are
 * restored before files; an intact custody object is refused;
 * every restore is an audit record (actor = --operator, else system:restore).
 *
 *   <key>                   results/<统一编号>/v<n>/<path> | manifests/<统一编号>/v<n>.json
 *   --all-damaged <report>  every missing or mismatched object of an
 *                           integrity report: its documents-bucket key
 *                           (integrity/<date>/<execution>.json) or a local file
 *
 * Target, as `npm run audit:verify`:
 *   - the local cloud by default (`npm start`, ports from CHENGGUO_PORT_BASE);
 *   - AWS_ENDPOINT_URL_S3 when set (another emulator);
 *   - AWS with `--aws`, or CUSTODY_BUCKET_NAME set and no endpoint variable:
 *     CUSTODY_BUCKET_NAME, BACKUP_BUCKET_NAME, DOCUMENTS_BUCKET_NAME,
 *     REGISTRY_TABLE_NAME, LOGS_TABLE_NAME (CDK outputs), BACKUP_REGION for the replica's region,
 *     credentials from the usual chain.
 * Exit 0 all restored, 1 something refused or failed, 2 bad arguments.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { S3CustodyRepair, S3CustodyStore } from '#adapters/s3-custody.ts';
import { storedChecksumsTrusted } from '#adapters/s3-byte-source.ts';
import { S3DocumentStore } from '#adapters/s3-documents.ts';
import { auditedWrite } from '#adapters/audited-write.ts';
import { bucketEnv, envNames } from '#adapters/config.ts';
import { integrityReportSchema } from '#shared/custody/integrity.ts';
import { restoreObject, restoreOrder, type RestoreOutcome } from '#shared/custody/restore.ts';
import { DynamoCustodyRecords } from '#adapters/dynamo-custody-records.ts';
import { DynamoRegistryAccess } from '#adapters/dynamo-submission.ts';
import { DomainError } from '#shared/errors.ts';
import { localEnvironment } from './cloud.ts';
import { localPorts } from './ports.ts';

export interface RestoreRun {
  readonly restored: RestoreOutcome[];
  readonly failed: Array<{ key: string; code: string; message: string }>;
}

function parseArgs(argv: readonly string[]): { keys: string[]; report?: string; operator: string; aws: boolean } {
  const keys: string[] = [];
  let report: string | undefined;
  let operator = 'system:restore';
  let aws = false;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] as string;
    if (a === '--all-damaged') report = argv[++i];
    else if (a === '--operator') operator = argv[++i] ?? '';
    else if (a === '--aws') aws = true;
    else if (a.startsWith('--')) throw new Error(`未知参数 ${a} (unknown option)`);
    else keys.push(a);
  }
  if (!operator) throw new Error('--operator 需要用户名 (needs a name)');
  if (keys.length === 0 && !report) throw new Error('请给出对象键或 --all-damaged <报告> (give a key or --all-damaged <report>)');
  return { keys, ...(report ? { report } : {}), operator, aws };
}

/** Points the process at the local cloud unless told it is AWS (or another endpoint is set). */
export function targetEnvironment(env: NodeJS.ProcessEnv, aws: boolean): 'local' | 'endpoint' | 'aws' {
  if (aws || (env[bucketEnv.custody] !== undefined && env['AWS_ENDPOINT_URL_S3'] === undefined)) return 'aws';
  if (env['AWS_ENDPOINT_URL_S3'] !== undefined) return 'endpoint';
  for (const [k, v] of Object.entries(localEnvironment(localPorts()))) env[k] ??= v;
  return 'local';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`请设置 ${name} (set ${name})`);
  return v;
}

/** The restore itself, for the command line and for tests (which pass their cloud's environment). */
export async function runRestore(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): Promise<RestoreRun> {
  const args = parseArgs(argv);
  targetEnvironment(env, args.aws);
  const trust = storedChecksumsTrusted(env);
  const pathStyle = Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
  const client = new S3Client({ forcePathStyle: pathStyle, responseChecksumValidation: 'WHEN_REQUIRED' });
  // The replica lives in the backup region on AWS; one region locally.
  const backupClient = env['BACKUP_REGION'] ? new S3Client({ region: env['BACKUP_REGION'], responseChecksumValidation: 'WHEN_REQUIRED' }) : client;
  const custodyBucket = required(env, bucketEnv.custody);
  const custody = new S3CustodyStore(custodyBucket, { client, trustStoredChecksums: trust });
  const backup = new S3CustodyStore(required(env, bucketEnv.backup), { client: backupClient, trustStoredChecksums: trust });
  const repair = new S3CustodyRepair(custodyBucket, client);
  required(env, envNames.logsTable);
  const records = new DynamoCustodyRecords(new DynamoRegistryAccess(required(env, envNames.registryTable)));

  const keys = [...args.keys];
  if (args.report) {
    const raw = existsSync(args.report)
      ? (JSON.parse(readFileSync(args.report, 'utf8')) as unknown)
      : await new S3DocumentStore(required(env, bucketEnv.documents), client).getJson(args.report);
    if (raw === undefined) throw new Error(`找不到完整性报告 ${args.report} (no such report)`);
    const report = integrityReportSchema.parse(raw);
    keys.push(...report.problems.map((p) => p.key));
  }

  const requestId = randomUUID();
  const run: RestoreRun = { restored: [], failed: [] };
  for (const key of restoreOrder(keys)) {
    try {
      const out = await restoreObject(
        { custody, backup, repair, records, audit: async (entry) => void (await auditedWrite({ items: [], entry })) },
        { key, actor: args.operator, requestId },
      );
      run.restored.push(out);
      log(`已恢复 (restored) ${key}  sha256=${out.sha256}  （原状态 ${out.before === 'missing' ? '缺失' : '校验不符'}）`);
    } catch (error) {
      const code = error instanceof DomainError ? (error as DomainError).code : (error as Error).name;
      run.failed.push({ key, code, message: (error as Error).message });
      log(`未恢复 (not restored) ${key}: ${code} ${(error as Error).message}`);
    }
  }
  return run;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const run = await runRestore(process.argv.slice(2));
    console.log(`恢复 ${run.restored.length} 个，失败 ${run.failed.length} 个 (restored ${run.restored.length}, failed ${run.failed.length})`);
    process.exitCode = run.failed.length === 0 ? 0 : 1;
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
