/**
 * `npm run supervision:rebuild-counters [-- --write]` — rebuilds the bulletin's
 * counters (SUPCOUNT#<org>/<month>) from the audit trail alone and compares
 * them with the stored ones: exit 0 when equal, 1 when they differ (each
 * difference named); `--write` sets the differing items to the rebuilt values,
 * each with its audit record. Targets the local cloud (npm start) unless
 * REGISTRY_TABLE_NAME and LOGS_TABLE_NAME are set with no endpoint variable (AWS).
 */
import { envNames } from '#adapters/config.ts';
import { DynamoAuditChainStore } from '#adapters/dynamo-audit.ts';
import { DynamoRegistryAccess } from '#adapters/dynamo-submission.ts';
import { counterRepair } from '#adapters/dynamo-supervision.ts';
import { rebuildCounters } from '#shared/supervision/rebuild-run.ts';
import { localPorts, localRegion, localTableName } from './ports.ts';

const env = process.env;
const toAws = env[envNames.logsTable] !== undefined && env['AWS_ENDPOINT_URL_DYNAMODB'] === undefined;
if (!toAws) {
  env['AWS_ENDPOINT_URL_DYNAMODB'] ??= `http://127.0.0.1:${localPorts().dynamodb}`;
  env['AWS_REGION'] ??= localRegion;
  env['AWS_ACCESS_KEY_ID'] ??= 'local';
  env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
}
const logs = env[envNames.logsTable] ?? localTableName('logs');
const registry = env[envNames.registryTable] ?? localTableName('registry');
env[envNames.logsTable] = logs;
const write = process.argv.includes('--write');
console.log(`由审计链重建通报计数器 (rebuilding the bulletin counters from the audit trail): ${registry} · ${logs}${write ? ' · --write' : ''}`);
try {
  const out = await rebuildCounters(
    { chain: new DynamoAuditChainStore(logs), counters: counterRepair(new DynamoRegistryAccess(registry)) },
    { write, requestId: `rebuild-${new Date().toISOString()}` },
  );
  console.log(`审计记录 ${out.records} 条，计数器条目 ${out.items} 个 (records ${out.records}, counter items ${out.items})`);
  for (const d of out.differences) console.error(`不一致 (differs): ${d.org} ${d.month} ${d.metric}: 重建 rebuilt=${d.rebuilt} 存储 stored=${d.stored}`);
  if (out.differences.length === 0) console.log('计数器与审计链一致 (the counters equal the audit trail)');
  else if (write) console.log(`已按审计链修正 ${out.repaired} 个条目 (repaired ${out.repaired} items)`);
  process.exitCode = out.differences.length === 0 || write ? 0 : 1;
} catch (error) {
  const e = error as { name?: string; message?: string };
  console.error(`重建失败 (rebuild failed): ${e.name ?? ''} ${e.message ?? String(error)}；本地云是否已启动（npm start）？`);
  process.exitCode = 2;
}
