import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#infra/local/paths.ts';
import { cataloguedValidResult } from './fixture-submission.ts';
import { testPortBase } from './global-setup.ts';
import { cloud, ddb } from './helpers.ts';

const run = promisify(execFile);

/** `npm run restore:drill` as an operator runs it against this cloud (its ports and data folder). */
async function drill(...extra: string[]): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], CHENGGUO_PORT_BASE: String(testPortBase) };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'infra/local/restore-drill.ts', '--data-dir', cloud.dataDir, ...extra], { cwd: projectRoot, env });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const drillTables = async () => ((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).filter((n) => n.includes('-drill-'));

describe('R10.1 issue 11 §5: the registry restore drill — a backup restores under new names and its audit chain verifies', { timeout: 180_000 }, () => {
  let resultNumber: string;
  beforeAll(async () => {
    ({ resultNumber } = await cataloguedValidResult());
  }, 120_000);

  it('backs up both tables, restores every item into drill tables, verifies chain, anchors and items, then drops the drill tables', async () => {
    const { code, out } = await drill();

    const counts = [...out.matchAll(/备份 backup \S+: (\d+) 项 items[\s\S]*?/g)].map((m) => Number(m[1]));
    const restored = [...out.matchAll(/已恢复 restored \S+: (\d+) 项 items/g)].map((m) => Number(m[1]));
    expect(counts).toHaveLength(2);
    expect(restored).toEqual(counts);
    expect(counts[0]).toBeGreaterThan(0);
    expect(out).toMatch(/审计链完整：\d+ 条记录/);
    expect(out).not.toMatch(/审计链已被改写|锚点 \S+ 无效/);
    // Test files share this cloud; another may have edited an item directly on purpose (audit-verify.test.ts).
    expect(code === 0 || /items changed outside the audited path/.test(out), out).toBe(true);
    if (code === 0) expect(out).toContain('恢复演练通过');
    expect(out).toContain('演练表已删除');
    expect(await drillTables()).toEqual([]);
  });

  it('fails (exit 1) on a backup in which an audited item was altered, naming the item and the record it no longer matches', async () => {
    const backups = join(cloud.dataDir, 'backups');
    const latest = readdirSync(backups).sort().at(-1)!;
    const dir = join(backups, latest);
    const file = join(dir, 'registry.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const i = lines.findIndex((l) => l.includes(`"CAT#${resultNumber}"`) && l.includes('"META"'));
    expect(i).toBeGreaterThanOrEqual(0);
    const item = JSON.parse(lines[i]!) as { Item: Record<string, { S?: string }> };
    item.Item['classification'] = { S: 'public' };
    lines[i] = JSON.stringify(item);
    writeFileSync(file, lines.join('\n') + '\n');

    const { code, out } = await drill('--from', dir);

    expect(code, out).toBe(1);
    expect(out).toContain(`CAT#${resultNumber} META 在审计路径之外被修改`);
    expect(out).toContain('恢复演练未通过');
    expect(await drillTables()).toEqual([]);
  });
});
