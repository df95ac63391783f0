/**
 * The grants each function declares in its context module are the ports its
 * handler asks for (issue 9: the old check scanned entry files for "mailer",
 * but most functions built their mailer elsewhere, so it could not fail).
 * Every handler is imported and read through what it exposes: `handler.fn`
 * (its FunctionDef) and `handler.uses` (its port recipes).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest, type FunctionDef } from '#infra/manifest.ts';
import { envOf, unique } from '#runtime/compose.ts';
import type { EnvGroup } from '#runtime/env.ts';
import type { AnyPort } from '#runtime/port.ts';

interface Loaded {
  readonly def: FunctionDef;
  readonly fn: FunctionDef;
  readonly uses: readonly AnyPort[];
}

const loaded = new Map<string, Loaded>();
beforeAll(async () => {
  for (const def of manifest.functions) {
    const mod = (await import(`../../${def.entry}`)) as { handler: { fn: FunctionDef; uses: readonly AnyPort[] } };
    loaded.set(def.name, { def, fn: mod.handler.fn, uses: mod.handler.uses });
  }
});

const each = manifest.functions.map((f) => [f.name] as const);
const get = (name: string): Loaded => loaded.get(name)!;
const usesPort = (l: Loaded, port: string) => unique(l.uses).some((p) => p.name === port);

/** Whether the manifest grants what one env group of one port needs (infra/stacks/stateless-stack.ts binds these). */
function covers(def: FunctionDef, port: string, group: EnvGroup): boolean {
  if (typeof group !== 'string') return [...(def.startsStateMachines ?? []), ...(def.answersStateMachines ?? [])].includes(group.stateMachine);
  switch (group) {
    case 'registry':
      // 我的通知 (issue 13): SendMail's transport port records notifications under NOTIFY# (bindNotifications on the one deliversMail function).
      if (port === 'mailTransport') return def.deliversMail === true;
      return def.tables?.registry !== undefined;
    case 'logs':
      // Security records (R20.1) are written under SECREC# by every JWT-verifying function (bindSecurityRecords).
      if (def.tables?.logs !== undefined) return true;
      return def.verifiesJwt === true && port === 'securityRecords';
    case 'uploads':
    case 'backup':
    case 'published':
    case 'documents':
      return def.buckets?.[group] !== undefined;
    case 'custody':
      return def.buckets?.custody !== undefined || (port === 'anchors' && def.signsAuditAnchors === true);
    case 'jwt':
      return def.verifiesJwt === true;
    case 'mail':
      // The transport itself (SES / SMTP): SendMail alone (issue 10).
      return def.sendsEmail === true && def.deliversMail === true;
    case 'mailHandover':
      // MAIL_FUNCTION and the invoke grant on SendMail: every other sender.
      return def.sendsEmail === true && def.deliversMail !== true;
    case 'taskTokenKey':
      return def.sealsTaskTokens === true;
    case 'appBaseUrl':
    case 'signIn':
      return true; // set on every function (stateless-stack.ts)
    case 'accounts':
      return def.managesSignIn === true;
  }
}

describe('R20.1 R10.1 least privilege: each function is granted what its ports need, flags only where a port needs them', () => {
  it('imports a handler for every function of the manifest', () => {
    // assess
    expect([...loaded.keys()].sort()).toEqual(manifest.functions.map((f) => f.name).sort());
  });

  it.each(each)('%s: handler.fn is its manifest entry', (name) => {
    // prepare
    const l = get(name);
    // assess
    expect(l.fn.name).toBe(name);
    expect(l.fn.entry).toBe(l.def.entry);
  });

  it.each(each)('%s: declares sendsEmail iff it uses the mailer port (or, SendMail, the transport)', (name) => {
    // prepare
    const l = get(name);
    const mails = usesPort(l, 'mailer') || usesPort(l, 'mailTransport');
    // assess
    expect(l.def.sendsEmail === true, `${name} sendsEmail=${String(l.def.sendsEmail)}, mailer port used=${String(mails)}`).toBe(mails);
  });

  it('issue 10: exactly one function holds the mail transport (deliversMail, the mailTransport port); every other sender hands its mail over', () => {
    // prepare
    const all = [...loaded.values()];
    // act
    const transport = all.filter((l) => usesPort(l, 'mailTransport')).map((l) => l.def.name);
    const delivers = all.filter((l) => l.def.deliversMail === true).map((l) => l.def.name);
    const bothPorts = all.filter((l) => usesPort(l, 'mailTransport') && usesPort(l, 'mailer')).map((l) => l.def.name);
    // assess
    expect(transport).toEqual(['SendMail']);
    expect(delivers).toEqual(['SendMail']);
    expect(bothPorts).toEqual([]);
  });

  it.each(each)('%s: declares sealsTaskTokens iff it uses the vault port', (name) => {
    // prepare
    const l = get(name);
    // assess
    expect(l.def.sealsTaskTokens === true, `${name} sealsTaskTokens=${String(l.def.sealsTaskTokens)}, vault port used=${String(usesPort(l, 'vault'))}`).toBe(usesPort(l, 'vault'));
  });

  it.each(each)('%s: every env group its ports require is covered by its grants', (name) => {
    // prepare
    const l = get(name);
    // act
    const uncovered = unique(l.uses).flatMap((p) =>
      envOf([p], l.def)
        .filter((g) => !covers(l.def, p.name, g))
        .map((g) => `${p.name}: ${typeof g === 'string' ? g : `stateMachine ${g.stateMachine}`}`),
    );
    // assess
    expect(uncovered).toEqual([]);
  });
});
