/**
 * What integration tests need to talk to the local cloud as a client would:
 * sign in, call the API, read the inbox, and look into DynamoDB and Step
 * Functions through the real SDK clients (explicit endpoints: the tests are
 * clients of the cloud, not functions inside it).
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { inject } from 'vitest';
import { issuerKeyFile } from '#infra/local/issuer.ts';
import { localAudience } from '#infra/local/ports.ts';
import type { ProvidedCloud } from './global-setup.ts';
import { checkResponse } from './response-validator.ts';
import { keys } from '#adapters/dynamo.ts';
import { allShards } from '#shared/audit/shards.ts';
import { writeOrder } from '#shared/audit/item-states.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';

export const cloud: ProvidedCloud = inject('localCloud');

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export function clientsFor(urls: { dynamodb: string; sfn: string }, region = cloud.region) {
  return {
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: urls.dynamodb, region, credentials })),
    sfn: new SFNClient({ endpoint: urls.sfn, region, credentials }),
  };
}

export const { ddb, sfn } = clientsFor(cloud.urls);

/** An ID token from the local issuer, as the sign-in page gets one. */
export async function signIn(userId: string, apiUrl = cloud.urls.api): Promise<string> {
  const res = await fetch(`${apiUrl}/local-auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!res.ok) throw new Error(`sign-in as ${userId} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { idToken: string }).idToken;
}

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/**
 * Calls the API; `body` is sent as JSON, `rawBody` as is (for malformed JSON).
 * Every answer of a manifest route is checked against the OpenAPI document
 * (response-validator.ts): an undocumented status, content type or body
 * fails the test that saw it.
 */
export async function api<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; apiUrl?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${opts.apiUrl ?? cloud.urls.api}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  checkResponse(method, path, res.status, res.headers.get('content-type'), body);
  return { status: res.status, body: body as T, headers: res.headers };
}

/**
 * A token the local issuer never issued but that looks like one: signed with
 * the issuer's own key (read from the data folder) with the claims given, or
 * with a freshly generated foreign key.
 */
export async function forgeToken(opts: {
  userId: string;
  signer: 'issuer' | 'foreign';
  expiresAt?: Date;
  issuedAt?: Date;
  dataDir?: string;
}): Promise<string> {
  const issuedAt = Math.floor((opts.issuedAt ?? new Date()).getTime() / 1000);
  const exp = Math.floor((opts.expiresAt ?? new Date(Date.now() + 3600_000)).getTime() / 1000);
  const issuerJwk = JSON.parse(readFileSync(issuerKeyFile(opts.dataDir ?? cloud.dataDir), 'utf8')) as JWK;
  // A foreign key under the issuer's kid: the verifier picks the issuer's public key and the signature check fails.
  const key = opts.signer === 'issuer' ? await importJWK(issuerJwk, 'RS256') : (await generateKeyPair('RS256')).privateKey;
  const kid = issuerJwk.kid ?? '';
  return new SignJWT({ 'cognito:username': opts.userId, email: `${opts.userId}@example.gov.cn`, token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(cloud.urls.issuer)
    .setAudience(localAudience)
    .setSubject(opts.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(exp)
    .sign(key);
}

// ---- inbox (MailDev REST API) -------------------------------------------------

export interface Email {
  readonly id: string;
  readonly subject: string;
  readonly time: string;
  readonly text?: string;
  readonly html?: string;
  readonly to: ReadonlyArray<{ address: string }>;
  readonly from: ReadonlyArray<{ address: string; name?: string }>;
}

export async function listEmails(inboxUrl = cloud.urls.inbox): Promise<Email[]> {
  const res = await fetch(`${inboxUrl}/api/email`);
  if (!res.ok) throw new Error(`inbox: ${res.status}`);
  return (await res.json()) as Email[];
}

/** Waits until an email to `to` whose subject contains `subject` arrives (after `since`, if given). */
export async function waitForEmail(opts: { to: string; subject: string; since?: Date; timeoutMs?: number; inboxUrl?: string }): Promise<Email> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const found = (await listEmails(opts.inboxUrl)).find(
      (e) =>
        e.subject.includes(opts.subject) &&
        e.to.some((t) => t.address === opts.to) &&
        (!opts.since || new Date(e.time).getTime() >= Math.floor(opts.since.getTime() / 1000) * 1000),
    );
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${opts.to} with subject “${opts.subject}” within ${opts.timeoutMs ?? 10_000} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- DynamoDB assertions --------------------------------------------------------

export async function getItem(key: { pk: string; sk: string }, client = ddb, table = cloud.tables.registry) {
  return (await client.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

/** Items of the registry whose pk starts with `prefix` (a scan: fine for a test table). */
export async function itemsWithPrefix(prefix: string, client = ddb, table = cloud.tables.registry): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Where every shard's audit chain stands: shard → head seq (0 before its first record). */
export type AuditMark = Record<string, number>;

/** The heads of every shard's audit chain (shared/audit/shards.ts), to find the records written after. */
export async function auditHeadSeq(client = ddb, table = cloud.tables.logs): Promise<AuditMark> {
  const mark: AuditMark = {};
  for (const shard of allShards) {
    const head = await getItem(keys.auditHead(shard), client, table);
    mark[shard] = Number(head?.['seq'] ?? 0);
  }
  return mark;
}

/**
 * Audit records written after `mark`, in every shard, in write order. Background workflows
 * (verification runs of other tests) append records too, so a test asserts
 * on its own actions or targets here rather than on the heads alone.
 */
export async function auditRecordsSince(mark: AuditMark, client = ddb, table = cloud.tables.logs): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const shard of allShards) {
    const res = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk > :sk',
        ExpressionAttributeValues: { ':pk': keys.auditPartition(shard), ':sk': `SEQ#${String(mark[shard] ?? 0).padStart(12, '0')}` },
        ConsistentRead: true,
      }),
    );
    out.push(...(res.Items ?? []));
  }
  // In the order they were written: seq within a chain, time across chains.
  return writeOrder(out as unknown as AuditRecord[]) as unknown as Record<string, unknown>[];
}

export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
