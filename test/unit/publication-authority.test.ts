import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoAuthorityTableStore } from '#adapters/dynamo-authority.ts';
import { keys } from '#adapters/dynamo.ts';
import { handler as getTableHandler } from '#functions/publication/get-authority-table.ts';
import { handler as putTableHandler } from '#functions/publication/put-authority-table.ts';
import { seedOrganisations, seedUsers } from '#infra/local/seed.ts';
import type { TokenVerifier } from '#runtime/auth.ts';
import { UnauthenticatedError } from '#shared/errors.ts';
import {
  getAuthorityTable,
  isApprover,
  putAuthorityTable,
  resolveAuthority,
  seedAuthorityRules,
  seedAuthorityTable,
  type AuthorityRule,
  type PublicationSubject,
} from '#shared/publication/authority.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Organisation, User } from '#shared/schemas/identity.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { FakeAuthorityStore } from './publication-fakes.ts';

const org = (code: string): Organisation => {
  const o = seedOrganisations.find((x) => x.code === code);
  if (!o) throw new Error(`test: no seed organisation ${code}`);
  return o as Organisation;
};
const user = (id: string): User => {
  const u = seedUsers.find((x) => x.userId === id);
  if (!u) throw new Error(`test: no seed user ${id}`);
  return u;
};
const subject = (theme: PublicationSubject['theme'], organiser: string, regionCode = org(organiser).regionCode): PublicationSubject => ({ theme, organiser: org(organiser), regionCode });

const guangdongLandCover: AuthorityRule = {
  ruleId: 'gd-landcover',
  level: 'provincial',
  theme: 'landCover',
  organiserType: '*',
  province: '440000',
  approvers: [{ org: { kind: 'organiser' }, role: 'publisher' }],
  basis: '广东省地表覆盖成果发布审批办法（测试用）',
};

describe('R12.1 R12.3 authority resolution: level × theme × organising department → approvers, naming the rule', () => {
  it('a provincial land-cover result of 广东省自然资源厅 is approved by the provincial department\'s publisher (provincial-default, version 0)', () => {
    const r = resolveAuthority(seedAuthorityTable, subject('landCover', '440000-NR'));

    expect(r.rule.ruleId).toBe('provincial-default');
    expect(r.tableVersion).toBe(0);
    expect(r.approvers).toEqual([{ orgCode: '440000-NR', role: 'publisher' }]);
    expect(r.joint).toBe(false);
    expect(r.explanation).toContain('provincial-default');
    expect(isApprover(r, user('liu.yang'))).toBeTruthy();
    expect(isApprover(r, user('chen.jing'))).toBeUndefined(); // a reviewer of the same department is not in the table
    expect(isApprover(r, user('zhao.min'))).toBeUndefined(); // the ministry's publisher is not this rule's approver
  });

  it('a county result (从化区) goes to the province\'s department; a national land survey to 自然资源部', () => {
    expect(resolveAuthority(seedAuthorityTable, subject('landSurvey', '440117-NR')).approvers).toEqual([{ orgCode: '440000-NR', role: 'publisher' }]);
    const national = resolveAuthority(seedAuthorityTable, subject('landSurvey', '100000-NR'));
    expect(national.rule.ruleId).toBe('national-default');
    expect(national.approvers).toEqual([{ orgCode: '100000-NR', role: 'publisher' }]);
  });

  it('R12.2 a national wetland, forest or grassland result needs both 自然资源部 and 国家林业和草原局', () => {
    for (const theme of ['wetland', 'forest', 'grassland'] as const) {
      const r = resolveAuthority(seedAuthorityTable, subject(theme, '100000-NR'));
      expect(r.rule.ruleId).toBe(`national-${theme}-joint`);
      expect(r.joint).toBe(true);
      expect(r.approvers.map((a) => a.orgCode)).toEqual(['100000-NR', '100000-FG']);
    }
  });

  it('a provincial forest result organised by 广东省林业局 goes to that bureau (theme × department beats the default)', () => {
    const r = resolveAuthority(seedAuthorityTable, subject('forest', '440000-FG'));
    expect(r.rule.ruleId).toBe('provincial-forest-forestry');
    expect(r.approvers).toEqual([{ orgCode: '440000-FG', role: 'publisher' }]);
  });

  it('a province\'s own rule applies in that province only, and wins over the general rule there', () => {
    const table = { version: 3, rules: [...seedAuthorityRules, guangdongLandCover] };

    const gd = resolveAuthority(table, subject('landCover', '440000-NR'));
    const other = resolveAuthority(table, { theme: 'landCover', organiser: { code: '430000-NR', level: 'provincial', type: 'naturalResources', regionCode: '430000' }, regionCode: '430000' });

    expect(gd.rule.ruleId).toBe('gd-landcover');
    expect(gd.tableVersion).toBe(3);
    expect(other.rule.ruleId).toBe('provincial-default');
    expect(other.approvers).toEqual([{ orgCode: '430000-NR', role: 'publisher' }]);
  });

  it('no matching rule → 409 NO_AUTHORITY_RULE naming what was looked for', () => {
    const onlyNational = { version: 1, rules: seedAuthorityRules.filter((r) => r.level === 'national') };
    expect(() => resolveAuthority(onlyNational, subject('landCover', '440100-NR'))).toThrow(expect.objectContaining({ code: 'NO_AUTHORITY_RULE', message: expect.stringContaining('市级') }));
  });
});

describe('R12.3 R20.1 the authority table is versioned, audited and maintained by administrators', () => {
  const body = (rules: AuthorityRule[], expectedVersion: number) => ({ rules, expectedVersion, reason: '广东省发布审批办法施行' });
  const setup = () => {
    const authorities = new FakeAuthorityStore();
    return { authorities, ports: { authorities, now: () => new Date('2026-12-01T02:00:00Z') } };
  };

  it('a provincial administrator adds a rule for the own province: version 1, audited with the changed rule; version 0 still readable', async () => {
    const { authorities, ports } = setup();

    const out = await putAuthorityTable(ports, { actor: user('wang.qiang'), body: body([...seedAuthorityRules, guangdongLandCover], 0), requestId: 'r1' });

    expect(out.changed).toBe(true);
    expect(out.table).toMatchObject({ version: 1, updatedBy: 'wang.qiang', reason: '广东省发布审批办法施行' });
    expect(authorities.audits).toEqual([expect.objectContaining({ action: 'publication.authorities.put', actor: 'wang.qiang', detail: expect.objectContaining({ version: 1, previousVersion: 0, changedRules: ['gd-landcover'] }) })]);
    expect((await getAuthorityTable(authorities, {})).version).toBe(1);
    expect((await getAuthorityTable(authorities, { version: 0 })).rules).toEqual(seedAuthorityRules);
    expect(resolveAuthority(await getAuthorityTable(authorities, {}), subject('landCover', '440000-NR')).rule.ruleId).toBe('gd-landcover');
  });

  it('a provincial administrator may not change a national rule (403 naming it); a municipal one none; a non-administrator none', async () => {
    const { authorities, ports } = setup();
    const changed = seedAuthorityRules.map((r) => (r.ruleId === 'national-default' ? { ...r, basis: '改动' } : r));

    await expect(putAuthorityTable(ports, { actor: user('wang.qiang'), body: body(changed, 0), requestId: 'r' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('national-default') });
    const cityAdmin: User = { ...user('wang.qiang'), userId: 'city.admin', orgCode: '440100-NR' };
    await expect(putAuthorityTable(ports, { actor: cityAdmin, body: body([...seedAuthorityRules, guangdongLandCover], 0), requestId: 'r' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(putAuthorityTable(ports, { actor: user('liu.yang'), body: body([...seedAuthorityRules, guangdongLandCover], 0), requestId: 'r' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(authorities.audits).toHaveLength(0);
    expect(await authorities.current()).toBeUndefined();
  });

  it('the national administrator may change a national rule; a stale expectedVersion → 409 and nothing written', async () => {
    const { authorities, ports } = setup();
    const changed = seedAuthorityRules.map((r) => (r.ruleId === 'national-default' ? { ...r, basis: '新依据文件' } : r));
    await putAuthorityTable(ports, { actor: user('sun.yue'), body: body(changed, 0), requestId: 'r1' });

    await expect(putAuthorityTable(ports, { actor: user('sun.yue'), body: body([...changed, guangdongLandCover], 0), requestId: 'r2' })).rejects.toMatchObject({ code: 'AUTHORITY_TABLE_CHANGED' });
    expect(authorities.audits).toHaveLength(1);
  });

  it('two rows with the same scope or id → 400 naming the row; the same table again → changed: false, no new version', async () => {
    const { authorities, ports } = setup();
    const dupScope = { ...guangdongLandCover, ruleId: 'gd-landcover-2' };

    await expect(putAuthorityTable(ports, { actor: user('sun.yue'), body: body([...seedAuthorityRules, guangdongLandCover, dupScope], 0), requestId: 'r' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: `body.rules.${seedAuthorityRules.length + 1}`, code: 'DUPLICATE_RULE' })],
    });
    const same = await putAuthorityTable(ports, { actor: user('sun.yue'), body: body([...seedAuthorityRules], 0), requestId: 'r' });
    expect(same).toMatchObject({ changed: false, table: { version: 0 } });
    expect(authorities.audits).toHaveLength(0);
  });
});

describe('R12.3 R20.1 DynamoAuthorityTableStore.put: the version, the current copy and the audit record in one transaction', () => {
  it('writes AUTHORITY/CURRENT, AUTHORITY/V#000001 and the audit record together; a second version-1 write is refused', async () => {
    const tables = new InMemoryTables();
    const store = new DynamoAuthorityTableStore('registry', tables);
    const table = { version: 1, rules: [...seedAuthorityRules], updatedAt: '2026-12-01T02:00:00.000Z', updatedBy: 'sun.yue', reason: '测试' };
    const audit = { actor: 'sun.yue', orgCode: '100000-NR', action: 'publication.authorities.put', target: 'AUTHORITY', outcome: 'success' as const, requestId: 'r1', detail: {} };

    await store.put(table, audit);

    expect(tables.transactions).toHaveLength(1);
    expect(tables.get('registry', keys.authorityCurrent())).toMatchObject({ version: 1 });
    expect(tables.get('registry', keys.authorityVersion(1))).toMatchObject({ version: 1, updatedBy: 'sun.yue' });
    expect(tables.get('logs', { pk: 'AUDIT', sk: 'SEQ#000000000001' })).toMatchObject({ action: 'publication.authorities.put' });
    await expect(store.put({ ...table, reason: '又一次' }, audit)).rejects.toMatchObject({ code: 'AUTHORITY_TABLE_CHANGED' });
    await store.put({ ...table, version: 2 }, audit);
    expect(tables.get('registry', keys.authorityCurrent())).toMatchObject({ version: 2 });
  });
});

/** "Bearer <userId>" stands for a verified token of that user. */
const verifier: TokenVerifier = {
  async verify(authorization) {
    const userId = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!userId) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌');
    return { userId, claims: {} };
  },
};
const identity: IdentityRepository = {
  getUser: async (id) => seedUsers.find((u) => u.userId === id),
  getOrganisation: async (code) => seedOrganisations.find((o) => o.code === code) as Organisation | undefined,
  listOrganisations: async () => [],
  listUsers: async () => [],
};
const context = { awsRequestId: 'aws-1' } as unknown as Context;
function event(opts: { user: string; method: string; body?: unknown; query?: Record<string, string> }): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: '/publication/authorities',
    rawQueryString: '',
    headers: { Authorization: `Bearer ${opts.user}` },
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-auth-1', http: { method: opts.method, path: '/publication/authorities' } },
  } as unknown as APIGatewayProxyEventV2;
}
async function call(h: (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>, e: APIGatewayProxyEventV2) {
  const res = (await h(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

describe('R12.1 R12.3 GET/PUT /publication/authorities through the HTTP stack', () => {
  const setup = () => {
    const authorities = new FakeAuthorityStore();
    const ports = { verifier, identity, authorities, now: () => new Date('2026-12-01T02:00:00Z') };
    return { authorities, get: getTableHandler.with(ports), put: putTableHandler.with(ports) };
  };

  it('any signed-in user reads version 0; an administrator stores version 1; ?version=0 still answers the seed; ?version=9 → 404', async () => {
    const { get, put } = setup();

    expect((await call(get, event({ user: 'luo.xin', method: 'GET' })))).toMatchObject({ status: 200, body: { table: { version: 0 } } });
    const r = await call(put, event({ user: 'sun.yue', method: 'PUT', body: { rules: [...seedAuthorityRules, guangdongLandCover], expectedVersion: 0, reason: '广东省规则' } }));
    expect(r).toMatchObject({ status: 200, body: { changed: true, table: { version: 1 } } });
    expect((await call(get, event({ user: 'luo.xin', method: 'GET' }))).body.table.version).toBe(1);
    expect((await call(get, event({ user: 'luo.xin', method: 'GET', query: { version: '0' } }))).body.table.rules).toHaveLength(seedAuthorityRules.length);
    expect((await call(get, event({ user: 'luo.xin', method: 'GET', query: { version: '9' } }))).status).toBe(404);
  });

  it('a publisher may not PUT (403); a bad row → 400 naming the field, nothing stored', async () => {
    const { authorities, put } = setup();

    expect((await call(put, event({ user: 'liu.yang', method: 'PUT', body: { rules: [guangdongLandCover], expectedVersion: 0, reason: '试试' } }))).status).toBe(403);
    const bad = await call(put, event({ user: 'sun.yue', method: 'PUT', body: { rules: [{ ...guangdongLandCover, province: '441234' }], expectedVersion: 0, reason: '错误的省份' } }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.rules.0.province');
    expect(authorities.audits).toHaveLength(0);
  });
});
