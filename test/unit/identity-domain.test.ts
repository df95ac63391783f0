import { describe, expect, it } from 'vitest';
import { verifyChain } from '#shared/audit/chain.ts';
import { readWholeChain } from '#shared/audit/read-chain.ts';
import { shardOf } from '#shared/audit/shards.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import { getMe, getOrganisationDetail, listOrganisations, listOrganisationUsers } from '#shared/identity/directory.ts';
import { regionCovers, regionOfOrg } from '#shared/identity/scope.ts';
import { updateUserClearance, type UpdateClearanceCommand } from '#shared/identity/update-clearance.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { User } from '#shared/schemas/identity.ts';
import { FakeIdentity } from './identity-fakes.ts';

async function user(identity: FakeIdentity, id: string): Promise<User> {
  const u = await identity.getUser(id);
  if (!u) throw new Error(`seed lacks ${id}`);
  return u;
}

describe('R3.1 organisation hierarchy by GB/T 2260 region', () => {
  it('lists the national departments at the top level and a province under its ministry', async () => {
    const identity = await FakeIdentity.seeded();

    const top = await listOrganisations(identity);
    const underMnr = await listOrganisations(identity, '100000-NR');

    expect(top.map((o) => o.code)).toEqual(['100000-FG', '100000-NR', '100000-WR']);
    expect(underMnr.map((o) => o.code)).toEqual(['440000-NR']);
  });

  it('refuses to list under an unknown parent with a 404 naming it', async () => {
    const identity = await FakeIdentity.seeded();

    await expect(listOrganisations(identity, '990000-NR')).rejects.toThrow(NotFoundError);
    await expect(listOrganisations(identity, '990000-NR')).rejects.toThrow(/990000-NR/);
  });

  it('details an organisation with its parent and its direct children', async () => {
    const identity = await FakeIdentity.seeded();

    const city = await getOrganisationDetail(identity, '440100-NR');
    const nation = await getOrganisationDetail(identity, '100000-NR');

    expect(city.organisation.name).toBe('广州市规划和自然资源局');
    expect(city.parent?.code).toBe('440000-NR');
    expect(city.children.map((c) => c.code)).toEqual(['440117-NR']);
    expect(nation.parent).toBeUndefined();
  });

  it("lists an organisation's users, and 404s for an unknown organisation", async () => {
    const identity = await FakeIdentity.seeded();

    const users = await listOrganisationUsers(identity, await user(identity, 'chen.jing'), '440000-NR');

    expect(users.map((u) => u.userId)).toEqual(['chen.jing', 'liu.yang', 'wang.qiang', 'zhou.hong']);
    await expect(listOrganisationUsers(identity, await user(identity, 'chen.jing'), '990000-NR')).rejects.toThrow(NotFoundError);
  });

  it('answers who am I with the registry user and their organisation', async () => {
    const identity = await FakeIdentity.seeded();

    const me = await getMe(await user(identity, 'zhang.wei'), identity);

    expect(me.user.roles).toEqual(['custodian']);
    expect(me.organisation?.type).toBe('custodian');
  });

  it('nests regions by code: a province covers its cities and counties, the nation covers all', () => {
    expect(regionCovers('440000', '440117')).toBe(true);
    expect(regionCovers('440100', '440117')).toBe(true);
    expect(regionCovers('440117', '440117')).toBe(true);
    expect(regionCovers('100000', '440117')).toBe(true);
    expect(regionCovers('440100', '440200')).toBe(false);
    expect(regionCovers('440000', '100000')).toBe(false);
    expect(regionCovers('440117', '440100')).toBe(false);
    expect(regionOfOrg('440117-NR')).toBe('440117');
  });
});

describe('R5.1 R20.1 an administrator changes a clearance, audited', () => {
  const command = async (identity: FakeIdentity, over: Partial<UpdateClearanceCommand> = {}): Promise<UpdateClearanceCommand> => ({
    actor: await user(identity, 'wang.qiang'),
    userId: 'li.na',
    clearance: 'secret',
    reason: '承担涉密测绘成果汇交任务',
    requestId: 'req-9',
    ...over,
  });
  const ports = (identity: FakeIdentity) => ({ identity, admin: identity, trail: identity.trail });

  it('changes the clearance and writes the change with who, from, to and why in one audit record', async () => {
    const identity = await FakeIdentity.seeded();
    const before = identity.chainRecords('440000-NR').length;

    const result = await updateUserClearance(await command(identity), ports(identity));
    // The administrator's organisation 440000-NR writes to the chain of province 44.
    const { head, records } = await readWholeChain(identity.tables, shardOf('440000-NR'));
    const last = records[records.length - 1];

    expect(result).toMatchObject({ changed: true, user: { userId: 'li.na', clearance: 'secret' } });
    expect((await user(identity, 'li.na')).clearance).toBe('secret');
    expect(records).toHaveLength(before + 1);
    expect(result.auditSeq).toBe(last?.seq);
    expect(last).toMatchObject({
      actor: 'wang.qiang',
      orgCode: '440000-NR',
      action: 'identity.user.clearance.update',
      target: 'USER#li.na',
      outcome: 'success',
      requestId: 'req-9',
      detail: { from: 'internal', to: 'secret', reason: '承担涉密测绘成果汇交任务' },
    });
    expect(verifyChain(records, head ?? null).ok).toBe(true);
  });

  it('treats the same clearance again as a no-op: changed=false and no new record', async () => {
    const identity = await FakeIdentity.seeded();
    await updateUserClearance(await command(identity), ports(identity));
    const before = identity.auditRecords().length;

    const again = await updateUserClearance(await command(identity), ports(identity));

    expect(again).toEqual({ changed: false, user: expect.objectContaining({ clearance: 'secret' }) });
    expect(identity.auditRecords()).toHaveLength(before);
  });

  it('answers 404 for an unknown user and writes nothing', async () => {
    const identity = await FakeIdentity.seeded();
    const before = identity.auditRecords().length;

    await expect(updateUserClearance(await command(identity, { userId: 'nobody' }), ports(identity))).rejects.toThrow(NotFoundError);
    expect(identity.auditRecords()).toHaveLength(before);
  });

  it('refuses a caller without the administrator role', async () => {
    const identity = await FakeIdentity.seeded();

    const attempt = updateUserClearance(await command(identity, { actor: await user(identity, 'chen.jing') }), ports(identity));

    await expect(attempt).rejects.toThrow(ForbiddenError);
    expect((await user(identity, 'li.na')).clearance).toBe('internal');
  });

  it.each([
    ['their own clearance', { userId: 'wang.qiang', clearance: 'secret' as const }, 'self', /本人/],
    ['a user outside their region', { userId: 'ma.li', clearance: 'internal' as const }, 'outOfRegion', /管辖区域/],
    ['a clearance above their own', { userId: 'li.na', clearance: 'topSecret' as const }, 'aboveOwnClearance', /高于本人/],
  ])('refuses to change %s, records the refusal and changes nothing', async (_what, over, refusal, message) => {
    const identity = await FakeIdentity.seeded();
    const target = await user(identity, over.userId);
    const before = identity.auditRecords().length;

    const error = await updateUserClearance(await command(identity, over), ports(identity)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as Error).message).toMatch(message);
    expect(await user(identity, over.userId)).toEqual(target);
    const records = identity.auditRecords();
    expect(records).toHaveLength(before + 1);
    expect(records[records.length - 1]).toMatchObject({ outcome: 'refused', detail: { refusal } });
  });

  it('lets a national administrator act in any province', async () => {
    const identity = await FakeIdentity.seeded();

    const result = await updateUserClearance(await command(identity, { actor: await user(identity, 'sun.yue'), userId: 'lin.feng' }), ports(identity));

    expect(result.changed).toBe(true);
  });

  it('refuses with 409 CLEARANCE_CHANGED when the clearance changed since it was read, writing nothing', async () => {
    const identity = await FakeIdentity.seeded();
    const stale = await user(identity, 'li.na');
    await updateUserClearance(await command(identity, { clearance: 'public' }), ports(identity));
    const before = identity.auditRecords().length;
    const staleView: IdentityRepository = {
      getUser: async () => stale,
      getOrganisation: (code) => identity.getOrganisation(code),
      listOrganisations: (parent) => identity.listOrganisations(parent),
      listUsers: (org) => identity.listUsers(org),
    };

    const error = await updateUserClearance(await command(identity), { identity: staleView, admin: identity, trail: identity.trail }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CLEARANCE_CHANGED', message: expect.stringMatching(/请刷新后重试/) });
    expect((await user(identity, 'li.na')).clearance).toBe('public');
    expect(identity.auditRecords()).toHaveLength(before);
  });
});
