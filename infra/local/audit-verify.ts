/**
 * `npm run audit:verify` — walks every shard of the audit chain in the logs
 * table (the national chain and one per province, shared/audit/shards.ts),
 * checks each against its signed anchors in the custody bucket (audit-anchors/), compares
 * every audited registry item with the state its last record wrote, and says
 * whether all is intact (exit 0) or names the first broken, rewritten or
 * missing record and every item changed outside the audited path (exit 1);
 * exit 2 when the table or the bucket cannot be read at all. An intact chain
 * is anchored again (a new signed checkpoint of the head, write-once).
 *
 * Anchor key: AUDIT_ANCHOR_KEY_ID (the KMS key, on AWS) or AUDIT_ANCHOR_KEY_FILE;
 * locally it defaults to <data folder>/keys/audit-anchor.pem (made by npm start).
 *
 * Target:
 *   - the local cloud by default: DynamoDB Local on 127.0.0.1:<localPorts().dynamodb>,
 *     table chengguo-logs, dummy credentials;
 *   - AWS_ENDPOINT_URL_DYNAMODB, when set, wins (another emulator, LocalStack);
 *   - AWS: `npm run audit:verify -- --aws` or LOGS_TABLE_NAME set with no
 *     endpoint variable; the table is LOGS_TABLE_NAME (the CDK-generated name)
 *     and credentials/region come from the usual AWS chain.
 */
import { join, resolve } from 'node:path';
import { S3AnchorStore, anchorSignerFromEnv, auditAnchorKeyFileEnv, auditAnchorKeyIdEnv } from '#adapters/audit-anchor.ts';
import { DynamoAuditChainStore, DynamoItemReader } from '#adapters/dynamo-audit.ts';
import { auditVerify } from '#shared/audit/verify.ts';
import { envNames } from '#adapters/config.ts';
import { projectRoot } from './paths.ts';
import { localBucketName, localPorts, localRegion, localTableName } from './ports.ts';

const env = process.env;
const toAws = process.argv.includes('--aws') || (env[envNames.logsTable] !== undefined && env['AWS_ENDPOINT_URL_DYNAMODB'] === undefined);

if (!toAws) {
  env['AWS_ENDPOINT_URL_DYNAMODB'] ??= `http://127.0.0.1:${localPorts().dynamodb}`;
  env['AWS_ENDPOINT_URL_S3'] ??= `http://127.0.0.1:${localPorts().s3}`;
  const dataDirArg = process.argv.indexOf('--data-dir');
  const dataDir = dataDirArg > 0 ? process.argv[dataDirArg + 1] : undefined;
  if (!env[auditAnchorKeyIdEnv]) env[auditAnchorKeyFileEnv] ??= join(resolve(projectRoot, dataDir ?? '.data'), 'keys', 'audit-anchor.pem');
  env['AWS_REGION'] ??= localRegion;
  env['AWS_ACCESS_KEY_ID'] ??= 'local';
  env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
}
const table = env[envNames.logsTable] ?? (toAws ? undefined : localTableName('logs'));
if (!table) {
  console.error(`请设置 ${envNames.logsTable}（AWS 上由 CDK 生成的日志表名） (set ${envNames.logsTable} to the logs table name)`);
  process.exit(2);
}
const bucket = env[envNames.custodyBucket] ?? (toAws ? undefined : localBucketName('custody'));
if (!bucket) {
  console.error(`请设置 ${envNames.custodyBucket}（锚点存于保管桶 audit-anchors/） (set ${envNames.custodyBucket}: anchors are kept in the custody bucket)`);
  process.exit(2);
}
const where = toAws ? `AWS ${env['AWS_REGION'] ?? ''}`.trim() : String(env['AWS_ENDPOINT_URL_DYNAMODB']);
console.log(`校验审计链 (verifying audit chain): 表 table=${table} · 锚点 anchors=s3://${bucket}/audit-anchors/ · ${where}`);

try {
  const result = await auditVerify({
    store: new DynamoAuditChainStore(table),
    anchors: new S3AnchorStore(bucket),
    signer: anchorSignerFromEnv(env),
    items: new DynamoItemReader(),
    // --no-anchor: check only (an operator role without kms:Sign; the hourly job anchors).
    anchor: !process.argv.includes('--no-anchor'),
  });
  for (const l of result.lines) (result.ok ? console.log : console.error)(l);
  process.exitCode = result.ok ? 0 : 1;
} catch (error) {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'ResourceNotFoundException') {
    console.error(`审计表 ${table} 不存在：本地云是否已启动（npm start）？ (table ${table} not found — is the local cloud running?)`);
  } else if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message))) {
    console.error(`无法连接 ${where}：请先运行 npm start 启动本地云 (cannot reach ${where} — start the local cloud with npm start)`);
  } else {
    console.error(`读取审计链失败 (could not read the audit chain): ${e.name ?? ''} ${e.message ?? String(error)}`);
  }
  process.exitCode = 2;
}
