/**
 * Demo organisations and users for the local cloud. Organisation codes are `<GB/T 2260 code>-<kind>`; region codes
 * are the real ones: 广东省 440000, 广州市 440100, 广州市从化区 440117.
 *
 * Issue 12: the seed is an import file — infra/local/demo-onboarding/organisations.csv and people.csv, the bulk
 * onboarding template's two tables — run through the same path as an administrator's upload (readOnboardingCsv →
 * runOnboarding, apply), as `system:seed`, with `existing: keep`: what exists is skipped, never changed back — a
 * re-run after an administrator changed a clearance keeps the change. The constants below describe the same
 * organisations and people for the banners and the tests; test/unit/seed.test.ts checks the files say exactly this.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditTrail } from '#adapters/audited-write.ts';
import { registryOnlyAccounts } from '#adapters/cognito-accounts.ts';
import { type AuditChainStore, DynamoAuditChainStore } from '#adapters/dynamo-audit.ts';
import { DynamoIdentityRepository } from '#adapters/dynamo-identity.ts';
import type { AdminActor } from '#shared/identity/admin.ts';
import { runOnboarding, type OnboardingReport } from '#shared/identity/onboarding.ts';
import { readOnboardingCsv } from '#shared/identity/onboarding-files.ts';
import type { Role } from '#shared/identity/roles.ts';
import type { IdentityRepository, PersonLookup } from '#shared/ports/identity.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import type { Organisation, User } from '#shared/schemas/identity.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The demo import file (the onboarding template's two tables as CSV). */
export const demoOnboardingFiles = {
  organisations: join(here, 'demo-onboarding', 'organisations.csv'),
  people: join(here, 'demo-onboarding', 'people.csv'),
} as const;

export const seedActor = 'system:seed';

/**
 * Parents before children. Units that no department above them owns in this
 * directory (the custodian, the implementer, the technical unit) are filed
 * under the provincial organiser that registered them; the water resources
 * department sits under its own ministry.
 */
export const seedOrganisations: readonly Organisation[] = [
  { code: '100000-NR', name: '自然资源部', regionCode: '100000', level: 'national', type: 'naturalResources' },
  { code: '100000-FG', name: '国家林业和草原局', regionCode: '100000', level: 'national', type: 'forestryGrassland' },
  { code: '100000-WR', name: '水利部', regionCode: '100000', level: 'national', type: 'requester' },
  {
    code: '440000-NR',
    name: '广东省自然资源厅',
    regionCode: '440000',
    level: 'provincial',
    type: 'naturalResources',
    parentCode: '100000-NR',
    // R4.1, R7.1: the standing custodian of the six survey themes and the technical unit.
    custodians: Object.fromEntries(['forest', 'grassland', 'landCover', 'landSurvey', 'water', 'wetland'].map((t) => [t, '440000-CUS'])),
    technicalUnits: ['440000-TEC'],
  },
  { code: '440000-FG', name: '广东省林业局', regionCode: '440000', level: 'provincial', type: 'forestryGrassland', parentCode: '100000-FG' },
  { code: '440000-CUS', name: '广东省自然资源技术中心', regionCode: '440000', level: 'provincial', type: 'custodian', parentCode: '440000-NR' },
  { code: '440000-IMP', name: '广东省地质测绘院', regionCode: '440000', level: 'provincial', type: 'implementer', parentCode: '440000-NR' },
  { code: '440000-TEC', name: '广东省国土资源测绘院', regionCode: '440000', level: 'provincial', type: 'technicalUnit', parentCode: '440000-NR' },
  { code: '440000-WR', name: '广东省水利厅', regionCode: '440000', level: 'provincial', type: 'requester', parentCode: '100000-WR' },
  { code: '440100-NR', name: '广州市规划和自然资源局', regionCode: '440100', level: 'municipal', type: 'naturalResources', parentCode: '440000-NR' },
  // 广州 runs its districts' natural-resources work through branch bureaus (区分局) of the city bureau.
  { code: '440117-NR', name: '广州市规划和自然资源局从化区分局', regionCode: '440117', level: 'county', type: 'naturalResources', parentCode: '440100-NR' },
];

interface SeedUser extends User {
  /** One line: what to try when signed in as this user. */
  readonly tryThis: string;
}

const person = (
  userId: string,
  name: string,
  orgCode: string,
  roles: Role[],
  clearance: Classification,
  tryThis: string,
): SeedUser => ({ userId, name, email: `${userId}@example.gov.cn`, orgCode, roles, clearance, tryThis });

const people: readonly SeedUser[] = [
  person('li.na', '李娜', '440000-IMP', ['submitter'], 'internal', '作为实施单位填报人，新建汇交并上传成果包，观察 30 个工作日的汇交期限'),
  person('chen.jing', '陈静', '440000-NR', ['reviewer'], 'secret', '作为省厅审核人，在邮件中打开核验任务链接，通过或退回汇交成果'),
  person('liu.yang', '刘洋', '440000-NR', ['publisher'], 'secret', '作为省厅发布审批人，在邮件中打开发布版本的保密审查任务（审查通过或退回修改），并审批本省成果的发布'),
  person('wang.qiang', '王强', '440000-NR', ['administrator'], 'confidential', '作为省厅系统管理员，调整用户密级权限（PUT /users/{userId}/clearance），再运行 npm run audit:verify 查看审计链'),
  person('zhou.hong', '周红', '440000-NR', ['supervisor'], 'internal', '作为省厅监督人员，查看期限预警、月度通报与安全事件'),
  person('zhang.wei', '张伟', '440000-CUS', ['custodian'], 'secret', '作为成果保管人，接收移交的成果、赋统一编号并编制成果目录'),
  person('guo.tao', '郭涛', '440000-TEC', ['reviewer'], 'internal', '作为组织单位指定的技术单位审核人，在邮件中打开会签任务，对技术审核给出同意或不同意意见'),
  person('luo.xin', '罗欣', '440000-WR', ['requester'], 'public', '作为需求部门，检索公开目录、在线申请共享：查看已获授权的成果，签署使用协议后下载（GET /sharing/applications）'),
  person('lin.feng', '林峰', '440000-FG', ['reviewer'], 'internal', '作为省林业局审核人，审核林草调查成果，并在 30 个工作日内向省自然资源厅移交副本'),
  person('huang.wei', '黄伟', '440100-NR', ['reviewer', 'requester'], 'internal', '作为市局审核人，查看下级区分局的汇交，并以需求部门身份检索省级成果'),
  person('deng.hui', '邓辉', '440117-NR', ['submitter'], 'public', '作为从化区分局人员，以县级单位身份汇交本区调查成果'),
  person('zhao.min', '赵敏', '100000-NR', ['reviewer', 'publisher'], 'confidential', '作为自然资源部审核与发布审批人，审核省级上报的成果目录，维护全国发布审批规则'),
  person('sun.yue', '孙悦', '100000-NR', ['administrator', 'supervisor'], 'confidential', '作为部级系统管理员与监督人员，更新年度节假日安排，查看全国通报'),
  person('ma.li', '马丽', '100000-FG', ['reviewer'], 'secret', '作为国家林草局审核人，审核林草成果的汇交'),
  person('wu.jing', '吴静', '100000-FG', ['publisher'], 'confidential', '作为国家林草局发布审批人，与自然资源部联合审批全国森林、草原、湿地成果的发布（R12.2）'),
];

export const seedUsers: readonly User[] = people.map(({ tryThis: _t, ...user }) => user);

export interface DemoUser {
  readonly userId: string;
  readonly name: string;
  readonly orgName: string;
  readonly roles: readonly Role[];
  readonly clearance: Classification;
  readonly description: string;
}

export const demoUsers: readonly DemoUser[] = people.map((p) => ({
  userId: p.userId,
  name: p.name,
  orgName: seedOrganisations.find((o) => o.code === p.orgCode)?.name ?? p.orgCode,
  roles: p.roles,
  clearance: p.clearance,
  description: p.tryThis,
}));

/** The system itself, on the laptop: administers everywhere (admin.ts `everywhere`). */
export const seedPrincipal: AdminActor = { userId: seedActor, orgCode: '100000-NR', roles: ['administrator'], clearance: 'topSecret', everywhere: true };

/**
 * Writes the demo import file through bulk onboarding (apply, existing kept). `identity` reads the registry (DynamoDB
 * by default; the unit tests' in-memory tables), `store` is the audit chain.
 */
export async function seed(opts: {
  registryTable: string;
  logsTable: string;
  store?: AuditChainStore;
  identity?: IdentityRepository & PersonLookup;
}): Promise<{ created: number; report: OnboardingReport }> {
  const store = opts.store ?? new DynamoAuditChainStore(opts.logsTable);
  const repo = new DynamoIdentityRepository(opts.registryTable, store);
  const sheets = await readOnboardingCsv({
    organisations: readFileSync(demoOnboardingFiles.organisations, 'utf8'),
    people: readFileSync(demoOnboardingFiles.people, 'utf8'),
  });
  const report = await runOnboarding(
    { actor: seedPrincipal, sheets, mode: 'apply', requestId: `seed-${new Date().toISOString().slice(0, 10)}`, existing: 'keep' },
    { identity: opts.identity ?? repo, directory: repo, admin: repo, accounts: registryOnlyAccounts, trail: auditTrail(store), now: () => new Date() },
  );
  if (!report.applied) throw new Error(`demo import file refused: ${JSON.stringify(report.rows.filter((r) => r.outcome === 'error').concat([]).slice(0, 3))} ${JSON.stringify(report.fileIssues)}`);
  return { created: report.counts.create, report };
}
