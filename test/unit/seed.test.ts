import { describe, expect, it } from 'vitest';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { readAllChains } from '#shared/audit/read-chain.ts';
import { verifyChain } from '#shared/audit/chain.ts';
import { roles } from '#shared/identity/roles.ts';
import { organisationSchema, userSchema } from '#shared/schemas/identity.ts';
import { demoUsers, seed, seedOrganisations, seedUsers } from '#infra/local/seed.ts';
import { FakeIdentity } from './identity-fakes.ts';

describe('R3.1 R4.1 seed organisations and users', () => {
  it('validates every organisation and user against the identity schemas', () => {
    for (const org of seedOrganisations) expect(organisationSchema.parse(org)).toEqual(org);
    for (const user of seedUsers) expect(userSchema.parse(user)).toEqual(user);
  });

  it('uses unique codes and ids, and names only parents seeded before their children', () => {
    const seen = new Set<string>();
    for (const org of seedOrganisations) {
      if (org.parentCode) expect(seen.has(org.parentCode)).toBe(true);
      seen.add(org.code);
    }
    expect(seen.size).toBe(seedOrganisations.length);
    expect(new Set(seedUsers.map((u) => u.userId)).size).toBe(seedUsers.length);
    for (const user of seedUsers) expect(seen.has(user.orgCode)).toBe(true);
  });

  it('builds the hierarchy on real GB/T 2260 codes: nation, 广东省, 广州市, 从化区', () => {
    const byCode = new Map(seedOrganisations.map((o) => [o.code, o]));

    expect(byCode.get('440000-NR')).toMatchObject({ name: '广东省自然资源厅', level: 'provincial', parentCode: '100000-NR' });
    expect(byCode.get('440000-FG')).toMatchObject({ name: '广东省林业局', type: 'forestryGrassland', parentCode: '100000-FG' });
    expect(byCode.get('440100-NR')).toMatchObject({ regionCode: '440100', level: 'municipal', parentCode: '440000-NR' });
    expect(byCode.get('440117-NR')).toMatchObject({ regionCode: '440117', level: 'county', parentCode: '440100-NR' });
    for (const org of seedOrganisations) expect(org.code.startsWith(org.regionCode)).toBe(true);
    expect(seedOrganisations.map((o) => o.type)).toEqual(expect.arrayContaining(['custodian', 'implementer', 'technicalUnit', 'requester']));
  });

  it('gives every role to someone, a provincial and a forestry reviewer, and a range of clearances', () => {
    expect(new Set(seedUsers.flatMap((u) => u.roles))).toEqual(new Set(roles));
    expect(seedUsers.some((u) => u.orgCode === '440000-NR' && u.roles.includes('reviewer'))).toBe(true);
    expect(seedUsers.some((u) => u.orgCode === '440000-FG' && u.roles.includes('reviewer'))).toBe(true);
    expect(seedUsers.some((u) => u.orgCode === '100000-NR' && u.roles.includes('publisher'))).toBe(true);
    expect(new Set(seedUsers.map((u) => u.clearance))).toEqual(new Set(['public', 'internal', 'secret', 'confidential']));
    for (const u of seedUsers) expect(u.email).toBe(`${u.userId}@example.gov.cn`);
  });

  it('describes each demo user with their organisation name and what to try', () => {
    expect(demoUsers.map((d) => d.userId)).toEqual(seedUsers.map((u) => u.userId));
    for (const d of demoUsers) {
      expect(d.orgName).toMatch(/[\u4e00-\u9fff]/);
      expect(d.description).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('R10.1 seeding writes through the audit chain, once', () => {
  it('creates every item with its own audit record by system:seed, with keys the identity queries use', async () => {
    const tables = new InMemoryTables();

    const first = await seed({ registryTable: 'registry', logsTable: 'logs', store: tables, identity: FakeIdentity.over(tables) });
    // The seed runs through the bulk import as system:seed, a national act: its records go to the national chain.
    const chains = await readAllChains(tables);
    const records = chains.flatMap((c) => c.records);

    expect(first.created).toBe(seedOrganisations.length + seedUsers.length);
    // One record per organisation and person, and one for 广东省自然资源厅's standing designations (R4.1, R7.1).
    expect(records).toHaveLength(first.created + 1);
    expect(records.filter((r) => r.action === 'identity.org.designations').map((r) => r.target)).toEqual(['ORG#440000-NR']);
    expect(chains.map((c) => c.shard)).toEqual(['CN']);
    expect(records.every((r) => r.actor === 'system:seed')).toBe(true);
    for (const c of chains) expect(verifyChain(c.records, c.head ?? null)).toEqual({ ok: true, count: c.records.length });
    expect(tables.get('registry', { pk: 'ORG#440100-NR', sk: 'META' })).toMatchObject({ gsi1pk: 'ORGS#440000-NR', gsi1sk: 'ORG#440100-NR' });
    expect(tables.get('registry', { pk: 'ORG#100000-NR', sk: 'META' })).toMatchObject({ gsi1pk: 'ORGS#ROOT' });
    expect(tables.get('registry', { pk: 'USER#li.na', sk: 'META' })).toMatchObject({ gsi1pk: 'USERS#440000-IMP', gsi1sk: 'USER#li.na' });
  });

  it('skips what exists on a second run, leaving changed items and the chain untouched', async () => {
    const tables = new InMemoryTables();
    await seed({ registryTable: 'registry', logsTable: 'logs', store: tables, identity: FakeIdentity.over(tables) });
    const changed = { ...tables.get('registry', { pk: 'USER#li.na', sk: 'META' }), clearance: 'secret' };
    tables.put('registry', changed);
    const headsBefore = (await readAllChains(tables)).map((c) => c.head);

    const second = await seed({ registryTable: 'registry', logsTable: 'logs', store: tables, identity: FakeIdentity.over(tables) });

    expect(second.created).toBe(0);
    expect((await readAllChains(tables)).map((c) => c.head)).toEqual(headsBefore);
    expect(tables.get('registry', { pk: 'USER#li.na', sk: 'META' })).toMatchObject({ clearance: 'secret' });
  });
});

describe('R3.1 issue 12: the demo seed is an import file run through bulk onboarding', () => {
  it('the files infra/local/demo-onboarding/*.csv say exactly the seed organisations and people, and apply as system:seed', async () => {
    // prepare
    const tables = new InMemoryTables();
    const identity = FakeIdentity.over(tables);
    // act
    const { report } = await seed({ registryTable: 'registry', logsTable: 'logs', store: tables, identity });
    // assess
    expect(report).toMatchObject({ mode: 'apply', applied: true, counts: { create: seedOrganisations.length + seedUsers.length, error: 0 } });
    for (const org of seedOrganisations) expect(await identity.getOrganisation(org.code)).toEqual({ ...org, rev: expect.any(Number) });
    for (const user of seedUsers) expect(await identity.getUser(user.userId)).toEqual({ ...user, rev: 1 });
    expect(await identity.findUserByEmail('LI.NA@example.gov.cn')).toMatchObject({ userId: 'li.na' });
  });
});
