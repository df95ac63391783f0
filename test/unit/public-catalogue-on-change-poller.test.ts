import { ExpiredIteratorException, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamDef } from '#infra/manifest.ts';
import { LocalStreams, type StreamsApi } from '#infra/local/streams.ts';

interface FakeShard {
  readonly ShardId: string;
  readonly ParentShardId?: string;
  ended: boolean;
  readonly records: _Record[];
  /** Iterators issued before this generation fail: `expired` as after 15 minutes, `invalid` as a bad iterator. */
  revokedBefore: number;
  revokedAs: 'expired' | 'invalid';
}

/**
 * DynamoDB Local's table and Streams APIs as the poller uses them: shards
 * hold records; an iterator is a position in a shard; LATEST points past
 * the last record, TRIM_HORIZON at the first; a shard that has ended gives
 * no next iterator once read to its end. Record times are rounded down to the
 * minute, as DynamoDB Local does. `failures` makes the next calls throw,
 * `fail(name, n)` the next n calls of one API.
 */
class FakeStreamsApi implements StreamsApi {
  readonly shards: FakeShard[] = [];
  readonly calls: string[] = [];
  readonly iteratorRequests: string[] = [];
  failures = 0;
  destroyed = 0;
  private seq = 0;
  private generation = 0;
  private readonly failing = new Map<string, number>();

  private check(name: string) {
    this.calls.push(name);
    const failing = this.failing.get(name) ?? 0;
    if (this.failures > 0 || failing > 0) {
      if (failing > 0) this.failing.set(name, failing - 1);
      else this.failures -= 1;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4102'), { name: 'Error' });
    }
  }

  fail(name: string, times: number): void {
    this.failing.set(name, times);
  }

  /** Every iterator of the shard issued so far stops working. */
  revokeIterators(shard: FakeShard, as: FakeShard['revokedAs']): void {
    shard.revokedBefore = this.generation + 1;
    shard.revokedAs = as;
  }

  shard(id: string, parent?: string): FakeShard {
    const s: FakeShard = { ShardId: id, ...(parent ? { ParentShardId: parent } : {}), ended: false, records: [], revokedBefore: 0, revokedAs: 'invalid' };
    this.shards.push(s);
    return s;
  }

  put(shard: FakeShard, pk: string, sk: string, at = new Date()): void {
    this.seq += 1;
    const keys = { pk: { S: pk }, sk: { S: sk } };
    shard.records.push({
      eventID: `e${this.seq}`,
      eventName: 'INSERT',
      dynamodb: { ApproximateCreationDateTime: new Date(Math.floor(at.getTime() / 60_000) * 60_000), Keys: keys, NewImage: { ...keys, n: { N: String(this.seq) } }, SequenceNumber: String(this.seq).padStart(21, '0'), StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  }

  readonly ddb = {
    send: (async () => {
      this.check('DescribeTable');
      return { Table: { LatestStreamArn: 'arn:local:stream/1' } };
    }) as unknown as StreamsApi['ddb']['send'],
    destroy: () => {
      this.destroyed += 1;
    },
  };

  readonly streams = {
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      this.check(name);
      const input = command.input;
      if (name === 'DescribeStream') {
        return {
          StreamDescription: {
            Shards: this.shards.map((s) => ({
              ShardId: s.ShardId,
              ...(s.ParentShardId ? { ParentShardId: s.ParentShardId } : {}),
              SequenceNumberRange: { StartingSequenceNumber: '0', ...(s.ended ? { EndingSequenceNumber: '9' } : {}) },
            })),
          },
        };
      }
      if (name === 'GetShardIterator') {
        const s = this.shards.find((x) => x.ShardId === input['ShardId'])!;
        const type = String(input['ShardIteratorType']);
        this.iteratorRequests.push(`${s.ShardId} ${type}`);
        const after = s.records.findIndex((r) => r.dynamodb?.SequenceNumber === input['SequenceNumber']) + 1;
        const at = type === 'LATEST' ? s.records.length : type === 'AFTER_SEQUENCE_NUMBER' ? after : 0;
        this.generation += 1;
        return { ShardIterator: `${s.ShardId}|${at}|${this.generation}` };
      }
      const [id, pos, gen] = String(input['ShardIterator']).split('|') as [string, string, string];
      const s = this.shards.find((x) => x.ShardId === id)!;
      if (Number(gen) < s.revokedBefore) {
        if (s.revokedAs === 'expired') throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
        throw Object.assign(new Error('Invalid ShardIterator'), { name: 'ValidationException' });
      }
      const records = s.records.slice(Number(pos));
      const next = Number(pos) + records.length;
      return { Records: records, ...(s.ended && next === s.records.length ? {} : { NextShardIterator: `${id}|${next}|${gen}` }) };
    }) as unknown as StreamsApi['streams']['send'],
    destroy: () => {
      this.destroyed += 1;
    },
  };
}

const def = (over: Partial<StreamDef> = {}): StreamDef => ({
  name: 'PublicCatalogueOnChange',
  table: 'registry',
  function: 'PublishPublicCatalogueOnChange',
  keys: { pkPrefix: 'CAT#', sk: 'META' },
  batchingWindowSeconds: 0.05,
  batchSize: 100,
  description: 'test',
  ...over,
});

async function until(probe: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Invocation = { fn: string; records: DynamoDBRecord[] };
let running: LocalStreams | undefined;

function poller(api: FakeStreamsApi, opts: { stream?: Partial<StreamDef>; invoke?: (inv: Invocation) => Promise<unknown>; retryDelayMs?: number } = {}) {
  const invocations: Invocation[] = [];
  const lines: string[] = [];
  const streams = new LocalStreams({
    streams: [def(opts.stream)],
    endpoint: 'http://127.0.0.1:1',
    api,
    pollMs: 5,
    retryDelayMs: opts.retryDelayMs ?? 1,
    log: (l) => lines.push(l),
    invoke: async (fn, event) => {
      const inv = { fn, records: (event as { Records: DynamoDBRecord[] }).Records };
      invocations.push(inv);
      return opts.invoke ? opts.invoke(inv) : {};
    },
  });
  running = streams;
  streams.start();
  return { streams, invocations, lines };
}

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const keysOf = (inv: Invocation | undefined) => inv?.records.map((r) => `${r.dynamodb?.Keys?.['pk']?.S}/${r.dynamodb?.Keys?.['sk']?.S}`);
const allKeys = (invocations: Invocation[]) => invocations.flatMap((i) => keysOf(i) ?? []);

describe('R9.3 issue 4 local stream poller (DynamoDB Local streams → the function)', () => {
  it('delivers the records whose keys pass the manifest filter, gathered into one Lambda stream event', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    const { invocations } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read');

    api.put(shard, 'CAT#1', 'META');
    api.put(shard, 'CAT#1', 'V#0002');
    api.put(shard, 'ORG#1', 'META');
    api.put(shard, 'CAT#2', 'META');
    await until(() => invocations.length > 0, 'an invocation');

    expect(invocations).toHaveLength(1);
    expect(invocations[0]?.fn).toBe('PublishPublicCatalogueOnChange');
    expect(keysOf(invocations[0])).toEqual(['CAT#1/META', 'CAT#2/META']);
    expect(invocations[0]?.records[0]).toMatchObject({ eventSource: 'aws:dynamodb', eventSourceARN: 'arn:local:stream/1', dynamodb: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  it('starts after the last record of an open shard, skips shards closed before the start, and reads a child shard found later from its beginning', async () => {
    const api = new FakeStreamsApi();
    const old = api.shard('s0');
    api.put(old, 'CAT#old', 'META');
    old.ended = true;
    const parent = api.shard('s1', 's0');
    api.put(parent, 'CAT#before-start', 'META');
    const { invocations } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read');

    api.put(parent, 'CAT#after-start', 'META');
    const child = api.shard('s2', 's1');
    api.put(child, 'CAT#in-child', 'META');
    parent.ended = true;
    await until(() => invocations.flatMap((i) => keysOf(i) ?? []).includes('CAT#in-child/META'), 'the child shard record');

    expect(invocations.flatMap((i) => keysOf(i) ?? [])).toEqual(['CAT#after-start/META', 'CAT#in-child/META']);
  });

  it('batches at most batchSize records per invocation, one invocation at a time, in order', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    let inFlight = 0;
    let overlapped = false;
    const { invocations } = poller(api, {
      stream: { batchSize: 2 },
      invoke: async () => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 10));
        inFlight -= 1;
      },
    });
    await until(() => api.calls.includes('GetRecords'), 'first read');

    for (const n of [1, 2, 3, 4, 5]) api.put(shard, `CAT#${n}`, 'META');
    await until(() => invocations.flatMap((i) => i.records).length === 5, 'five records delivered');

    expect(invocations.map((i) => i.records.length)).toEqual([2, 2, 1]);
    expect(invocations.flatMap((i) => keysOf(i) ?? [])).toEqual(['CAT#1/META', 'CAT#2/META', 'CAT#3/META', 'CAT#4/META', 'CAT#5/META']);
    expect(overlapped).toBe(false);
  });

  it('keeps polling after the emulator fails, logging each distinct error once', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    api.failures = 3;
    const { invocations, lines } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read after the failures', 5000);

    api.put(shard, 'CAT#1', 'META');
    await until(() => invocations.length === 1, 'an invocation');

    expect(lines.filter((l) => l.includes('读取失败'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('已恢复'))).toBe(true);
  });

  it('retries a failing invocation, then logs and drops the batch and goes on with the next', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    const { invocations, lines, streams } = poller(api, {
      invoke: async (inv) => {
        if (keysOf(inv)?.includes('CAT#bad/META')) throw Object.assign(new Error('boom'), { name: 'Sandbox.Timedout' });
        return {};
      },
    });
    await until(() => api.calls.includes('GetRecords'), 'first read');

    api.put(shard, 'CAT#bad', 'META');
    await until(() => streams.list()[0]?.batchesDropped === 1, 'the batch dropped');
    api.put(shard, 'CAT#good', 'META');
    await until(() => streams.list()[0]?.batchesDelivered === 1, 'the next batch delivered');

    expect(invocations.map((i) => keysOf(i)?.[0])).toEqual(['CAT#bad/META', 'CAT#bad/META', 'CAT#bad/META', 'CAT#good/META']);
    expect(lines.some((l) => l.includes('已丢弃') && l.includes('Sandbox.Timedout'))).toBe(true);
  });

  it('asks again for the iterator of a shard whose GetShardIterator failed, logging the failure once, instead of leaving the shard unread', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    api.fail('GetShardIterator', 2);
    const { invocations, lines, streams } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read after the failed iterator requests');

    api.put(shard, 'CAT#1', 'META');
    await until(() => invocations.length === 1, 'an invocation');

    expect(keysOf(invocations[0])).toEqual(['CAT#1/META']);
    expect(api.calls.filter((c) => c === 'GetShardIterator')).toHaveLength(3);
    expect(lines.filter((l) => l.includes('分片 s1 读取失败'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('分片 s1 已恢复'))).toBe(true);
    expect(streams.list()[0]?.lastError).toContain('ECONNREFUSED');
  });

  it('resumes a shard whose iterator expired before its first record from the shard start, delivering what was written meanwhile but nothing from before the poller started', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    api.put(shard, 'CAT#before-start', 'META', new Date(Date.now() - 3_600_000));
    const { invocations } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read');

    api.revokeIterators(shard, 'expired');
    api.put(shard, 'CAT#while-expired', 'META');
    await until(() => api.iteratorRequests.length === 2, 'a new iterator');
    api.put(shard, 'CAT#after', 'META');
    await until(() => allKeys(invocations).includes('CAT#after/META'), 'the record after the new iterator');

    expect(api.iteratorRequests).toEqual(['s1 LATEST', 's1 TRIM_HORIZON']);
    expect(allKeys(invocations)).toEqual(['CAT#while-expired/META', 'CAT#after/META']);
  });

  it('goes on with the other shards when GetRecords fails on one, and reads that shard again from a new iterator after its last record', async () => {
    const api = new FakeStreamsApi();
    const bad = api.shard('s1');
    const good = api.shard('s2');
    const { invocations, lines } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read');
    api.put(bad, 'CAT#1', 'META');
    await until(() => invocations.length === 1, 'the first record delivered');

    api.revokeIterators(bad, 'invalid');
    api.put(bad, 'CAT#2', 'META');
    api.put(good, 'CAT#3', 'META');
    await until(() => allKeys(invocations).length === 3, 'both new records delivered');

    expect(allKeys(invocations).sort()).toEqual(['CAT#1/META', 'CAT#2/META', 'CAT#3/META']);
    expect(api.iteratorRequests).toEqual(['s1 LATEST', 's2 LATEST', 's1 AFTER_SEQUENCE_NUMBER']);
    expect(lines.filter((l) => l.includes('分片 s1 读取失败') && l.includes('ValidationException'))).toHaveLength(1);
  });

  it('does not invoke the function again once stop() has cut a retry pause short', async () => {
    const api = new FakeStreamsApi();
    const shard = api.shard('s1');
    const { invocations, lines, streams } = poller(api, {
      retryDelayMs: 60_000,
      invoke: async () => {
        throw Object.assign(new Error('boom'), { name: 'Sandbox.Timedout' });
      },
    });
    await until(() => api.calls.includes('GetRecords'), 'first read');
    api.put(shard, 'CAT#1', 'META');
    await until(() => lines.some((l) => l.includes('稍后重试')), 'the first failure');

    await streams.stop();

    expect(invocations).toHaveLength(1);
    expect(streams.list()[0]?.batchesDropped).toBe(1);
  });

  it('stops polling on stop() and closes both clients', async () => {
    const api = new FakeStreamsApi();
    api.shard('s1');
    const { streams } = poller(api);
    await until(() => api.calls.includes('GetRecords'), 'first read');

    await streams.stop();
    const calls = api.calls.length;
    await new Promise((r) => setTimeout(r, 50));

    expect(api.calls.length).toBe(calls);
    expect(api.destroyed).toBe(2);
  });
});
