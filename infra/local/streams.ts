/**
 * The manifest's streams (manifest.streams) on the laptop: DynamoDB Local's
 * own DynamoDB Streams, read with the real Streams API and delivered to the
 * function the way a Lambda event source mapping does.
 *
 * Per stream: DescribeTable → LatestStreamArn; DescribeStream → shards;
 * GetShardIterator (LATEST for the shards open when the local cloud starts —
 * changes made while it was stopped are not replayed, the daily schedule
 * covers them — TRIM_HORIZON for shards found later, a parent before its
 * children); GetRecords about every second, following NextShardIterator; a
 * shard that ends makes the poller describe the stream again to find its
 * children. A shard whose iterator is lost (its request failed, GetRecords
 * failed, it expired after 15 minutes) gets a new one on a later round —
 * after the last record read, else from the shard's first record but without
 * the records written before the poller started — so a failure never stalls
 * a shard or skips records; each shard backs off and logs on its own.
 * Records whose keys pass the manifest's filter are gathered for
 * batchingWindowSeconds (from the first record) or until batchSize, then
 * the function is invoked with a Lambda DynamoDB Streams event — one
 * invocation at a time, so batches never overlap or reorder.
 *
 * Known differences from AWS: a batch that keeps failing is retried
 * `retries` times and then logged and dropped (the AWS mapping retries until
 * the records expire or its on-failure destination takes them); no
 * bisecting of a failing batch; one poller per process.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  type DescribeStreamCommandOutput,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandOutput,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type AttributeValue as StreamAttributeValue,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamDef } from '#infra/manifest.ts';
import { streamKeysMatch } from '#adapters/dynamo-stream.ts';
import { localRegion, localTableName } from './ports.ts';
import { localCredentials } from './dynamodb.ts';

export { streamKeysMatch };

/** The two API clients the poller uses; unit tests pass fakes answering the same commands. */
export interface StreamsApi {
  readonly ddb: { send(command: DescribeTableCommand): Promise<DescribeTableCommandOutput>; destroy(): void };
  readonly streams: {
    send(command: DescribeStreamCommand): Promise<DescribeStreamCommandOutput>;
    send(command: GetShardIteratorCommand): Promise<GetShardIteratorCommandOutput>;
    send(command: GetRecordsCommand): Promise<GetRecordsCommandOutput>;
    destroy(): void;
  };
}

export interface LocalStreamsOptions {
  readonly streams: readonly StreamDef[];
  /** DynamoDB Local's endpoint; it serves the Streams API on the same port. */
  readonly endpoint: string;
  /** Invokes a manifest function (the local Lambda runtime). */
  readonly invoke: (functionName: string, event: unknown) => Promise<unknown>;
  readonly log: (line: string) => void;
  readonly pollMs?: number;
  /** Attempts after the first before a batch is dropped. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Default: SDK clients on `endpoint`. */
  readonly api?: StreamsApi;
}

export interface StreamInfo {
  readonly name: string;
  readonly table: string;
  readonly function: string;
  readonly streamArn?: string;
  readonly shards: number;
  readonly pending: number;
  readonly batchesDelivered: number;
  readonly batchesDropped: number;
  readonly lastBatchAt?: string;
  readonly lastError?: string;
}

type AnyValue = StreamAttributeValue | Record<string, unknown>;

/** An SDK attribute value as Lambda's JSON event carries it (binary as base64). */
function lambdaValue(v: AnyValue): unknown {
  const a = v as Record<string, unknown>;
  if (a['B'] instanceof Uint8Array) return { B: Buffer.from(a['B']).toString('base64') };
  if (Array.isArray(a['BS'])) return { BS: (a['BS'] as Uint8Array[]).map((b) => Buffer.from(b).toString('base64')) };
  if (Array.isArray(a['L'])) return { L: (a['L'] as AnyValue[]).map(lambdaValue) };
  if (a['M'] && typeof a['M'] === 'object') return { M: lambdaImage(a['M'] as Record<string, AnyValue>) };
  return a;
}

function lambdaImage(image: Record<string, AnyValue> | undefined): Record<string, unknown> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, lambdaValue(v)]));
}

/** A Streams API record as the Lambda DynamoDB Streams event shows it. */
export function lambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? localRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: lambdaImage(d.Keys),
      ...(d.NewImage ? { NewImage: lambdaImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: lambdaImage(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
  } as DynamoDBRecord;
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

interface ShardState {
  readonly id: string;
  readonly parent: string | undefined;
  iterator: string | undefined;
  lastSequence: string | undefined;
  done: boolean;
  /** Where reading begins. */
  readonly from: 'LATEST' | 'TRIM_HORIZON';
  /** An iterator was asked for once: a later one resumes instead of starting at `from`. */
  started: boolean;
  /** GetRecords said records after lastSequence were trimmed: the next iterator starts at TRIM_HORIZON. */
  trimmed: boolean;
  /** A LATEST shard re-read from TRIM_HORIZON: records from before the poller started are skipped. */
  skipBeforeStart: boolean;
  failures: number;
  retryAt: number;
  lastLogged: string | undefined;
}

/** One manifest stream: its shards, its gathered records, its deliveries. */
class StreamReader {
  private streamArn: string | undefined;
  private readonly shards = new Map<string, ShardState>();
  private firstDescribe = true;
  private describeNeeded = true;
  private lastDescribe = 0;
  private buffer: DynamoDBRecord[] = [];
  private bufferSince: number | undefined;
  private delivered = 0;
  private dropped = 0;
  private lastBatchAt: string | undefined;
  /**
   * When the poller started, rounded down to the minute: DynamoDB Local rounds a record's
   * ApproximateCreationDateTime down to the minute (AWS to the second), so a finer cutoff would skip
   * records written just after the start. Records from the minute before may be replayed; the handler is idempotent.
   */
  private startedAt: number | undefined;
  lastError: string | undefined;

  constructor(
    readonly def: StreamDef,
    private readonly ddb: StreamsApi['ddb'],
    private readonly streams: StreamsApi['streams'],
    private readonly opts: Required<Pick<LocalStreamsOptions, 'invoke' | 'log' | 'pollMs' | 'retries' | 'retryDelayMs'>>,
    private readonly isStopped: () => boolean,
  ) {}

  info(): StreamInfo {
    return {
      name: this.def.name,
      table: this.def.table,
      function: this.def.function,
      ...(this.streamArn ? { streamArn: this.streamArn } : {}),
      shards: [...this.shards.values()].filter((s) => !s.done).length,
      pending: this.buffer.length,
      batchesDelivered: this.delivered,
      batchesDropped: this.dropped,
      ...(this.lastBatchAt ? { lastBatchAt: this.lastBatchAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** One round: shards (re)described when needed, every open shard read once, a due batch delivered. */
  async tick(): Promise<void> {
    this.startedAt ??= Math.floor(Date.now() / 60_000) * 60_000;
    // Re-described on a shard's end, and every 30 s anyway: DynamoDB adds shards without ending one.
    if (this.describeNeeded || Date.now() - this.lastDescribe > 30_000) await this.describe();
    for (const shard of this.shards.values()) {
      if (this.isStopped()) return;
      if (shard.done || Date.now() < shard.retryAt) continue;
      // A child waits for its parent: records of one item stay in order across a shard split.
      const parent = shard.parent ? this.shards.get(shard.parent) : undefined;
      if (parent && !parent.done) continue;
      // One shard's failure neither stops the others nor the delivery of due batches.
      try {
        shard.iterator ??= await this.iterator(shard);
        await this.read(shard);
        this.shardRecovered(shard);
      } catch (error) {
        this.shardFailed(shard, error);
      }
    }
    await this.deliverDue();
  }

  private shardFailed(shard: ShardState, error: unknown): void {
    // The iterator may be the cause (or was never got): the next try asks for a new one.
    shard.iterator = undefined;
    shard.failures += 1;
    shard.retryAt = Date.now() + Math.min(30_000, this.opts.pollMs * 2 ** shard.failures);
    this.lastError = message(error);
    // One line per distinct error, not one per try.
    if (this.lastError !== shard.lastLogged) this.opts.log(`变更流 (stream) ${this.def.name}: 分片 ${shard.id} 读取失败，稍后重试 (shard read failed, backing off): ${this.lastError}`);
    shard.lastLogged = this.lastError;
  }

  private shardRecovered(shard: ShardState): void {
    if (shard.failures === 0) return;
    this.opts.log(`变更流 (stream) ${this.def.name}: 分片 ${shard.id} 已恢复 (shard recovered)`);
    shard.failures = 0;
    shard.retryAt = 0;
    shard.lastLogged = undefined;
  }

  private async describe(): Promise<void> {
    const table = localTableName(this.def.table);
    const arn = (await this.ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn;
    if (!arn) throw new Error(`表 ${table} 没有变更流 (table has no stream; see infra/tables.ts)`);
    if (arn !== this.streamArn) {
      // A new stream (first start, or the table was recreated): its shards are all new.
      if (this.streamArn) this.opts.log(`变更流 (stream) ${this.def.name}: 表的变更流已更换 (stream replaced) → ${arn}`);
      this.streamArn = arn;
      this.shards.clear();
    }
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.streams.send(new DescribeStreamCommand({ StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      found.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const s of found) {
      if (!s.ShardId || this.shards.has(s.ShardId)) continue;
      const open = !s.SequenceNumberRange?.EndingSequenceNumber;
      // At start only what happens from now on is delivered; a shard found later is read from its beginning.
      const from = this.firstDescribe ? 'LATEST' : 'TRIM_HORIZON';
      // Its iterator is asked for by tick(), which retries it: a failure here must not leave the shard known but unread.
      this.shards.set(s.ShardId, {
        id: s.ShardId,
        parent: s.ParentShardId,
        iterator: undefined,
        lastSequence: undefined,
        done: this.firstDescribe && !open,
        from,
        started: false,
        trimmed: false,
        skipBeforeStart: false,
        failures: 0,
        retryAt: 0,
        lastLogged: undefined,
      });
    }
    this.firstDescribe = false;
    this.describeNeeded = false;
    this.lastDescribe = Date.now();
  }

  /**
   * A new iterator for the shard: after the last record read; else where reading began the first time, and
   * from the shard's first record after that — a fresh LATEST would skip what was written while the
   * iterator was missing (a long delivery, a laptop asleep), and read() drops what predates the poller.
   */
  private async iterator(shard: ShardState): Promise<string> {
    const type: ShardIteratorType = shard.trimmed ? 'TRIM_HORIZON' : shard.lastSequence ? 'AFTER_SEQUENCE_NUMBER' : shard.started ? 'TRIM_HORIZON' : shard.from;
    shard.started = true;
    if (type === 'TRIM_HORIZON' && shard.from === 'LATEST') shard.skipBeforeStart = true;
    const out = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shard.id,
        ShardIteratorType: type,
        ...(type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: shard.lastSequence } : {}),
      }),
    );
    if (!out.ShardIterator) throw new Error(`分片 ${shard.id} 没有返回迭代器 (GetShardIterator returned no iterator)`);
    shard.trimmed = false;
    return out.ShardIterator;
  }

  private async read(shard: ShardState): Promise<void> {
    let out;
    try {
      out = await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        // Iterators live 15 minutes: the next round asks for a new one (see iterator()).
        shard.iterator = undefined;
        return;
      }
      if (error instanceof TrimmedDataAccessException) {
        this.opts.log(`变更流 (stream) ${this.def.name}: 分片 ${shard.id} 的部分记录已过期，从最早的记录继续 (records trimmed; resuming at TRIM_HORIZON)`);
        shard.iterator = undefined;
        shard.trimmed = true;
        return;
      }
      throw error;
    }
    for (const r of out.Records ?? []) {
      shard.lastSequence = r.dynamodb?.SequenceNumber ?? shard.lastSequence;
      if (shard.skipBeforeStart && this.predatesStart(r)) continue;
      if (!streamKeysMatch(r.dynamodb?.Keys as Record<string, { S?: string }> | undefined, this.def.keys)) continue;
      if (this.buffer.length === 0) this.bufferSince = Date.now();
      this.buffer.push(lambdaRecord(r, this.streamArn ?? ''));
    }
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) {
      // The shard has ended: its children (if any) appear on the next describe.
      shard.done = true;
      this.describeNeeded = true;
    }
  }

  /** What was written before the poller started is not replayed when a LATEST shard is re-read from its first record. */
  private predatesStart(r: _Record): boolean {
    const created = r.dynamodb?.ApproximateCreationDateTime;
    return created !== undefined && this.startedAt !== undefined && new Date(created).getTime() < this.startedAt;
  }

  private async deliverDue(): Promise<void> {
    while (this.buffer.length > 0 && !this.isStopped()) {
      const full = this.buffer.length >= this.def.batchSize;
      const waited = Date.now() - (this.bufferSince ?? Date.now()) >= this.def.batchingWindowSeconds * 1000;
      if (!full && !waited) return;
      const batch = this.buffer.slice(0, this.def.batchSize);
      this.buffer = this.buffer.slice(batch.length);
      if (this.buffer.length === 0) this.bufferSince = undefined;
      await this.deliver(batch);
    }
  }

  /** Invokes the function with the batch; retried, then logged and dropped (the local stand-in for an on-failure destination). */
  private async deliver(batch: DynamoDBRecord[]): Promise<void> {
    const event = { Records: batch };
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.opts.invoke(this.def.function, event);
        this.delivered += 1;
        this.lastBatchAt = new Date().toISOString();
        this.opts.log(`变更流 (stream) ${this.def.name} → ${this.def.function}: ${batch.length} 条记录 (records)`);
        return;
      } catch (error) {
        this.lastError = message(error);
        if (attempt >= this.opts.retries || this.isStopped()) return this.drop(batch, attempt + 1);
        this.opts.log(`变更流 (stream) ${this.def.name} → ${this.def.function} 失败，稍后重试 (failed, retrying): ${this.lastError}`);
        await sleepUnlessStopped(this.opts.retryDelayMs * 2 ** attempt, this.isStopped);
        // stop() cut the pause short: the emulators are shutting down, another attempt would only fail.
        if (this.isStopped()) return this.drop(batch, attempt + 1);
      }
    }
  }

  private drop(batch: DynamoDBRecord[], attempts: number): void {
    this.dropped += 1;
    const first = batch[0]?.dynamodb?.SequenceNumber;
    const last = batch[batch.length - 1]?.dynamodb?.SequenceNumber;
    this.opts.log(
      `变更流 (stream) ${this.def.name} → ${this.def.function} 失败 ${attempts} 次，已丢弃该批 ${batch.length} 条记录（序列号 ${first}…${last}）；每日定时任务会补上 (batch failed ${attempts} times and was dropped; the daily schedule catches up): ${this.lastError}`,
    );
  }
}

async function sleepUnlessStopped(ms: number, isStopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !isStopped()) await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}

/**
 * The pollers of every manifest stream, one loop per stream. Errors (the
 * emulator restarting, a table not there yet) are logged and retried with
 * a growing pause (up to 30 s); the loop never ends on its own.
 */
export class LocalStreams {
  private readonly readers: StreamReader[];
  private readonly api: StreamsApi;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private stopped = false;
  private readonly pollMs: number;

  constructor(private readonly opts: LocalStreamsOptions) {
    const config = { endpoint: opts.endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 };
    this.api = opts.api ?? { ddb: new DynamoDBClient(config), streams: new DynamoDBStreamsClient(config) };
    this.pollMs = opts.pollMs ?? 1000;
    const common = { invoke: opts.invoke, log: opts.log, pollMs: this.pollMs, retries: opts.retries ?? 2, retryDelayMs: opts.retryDelayMs ?? 1000 };
    this.readers = opts.streams.map((def) => new StreamReader(def, this.api.ddb, this.api.streams, common, () => this.stopped));
  }

  start(): void {
    for (const reader of this.readers) this.loops.push(this.run(reader));
  }

  list(): StreamInfo[] {
    return this.readers.map((r) => r.info());
  }

  private async run(reader: StreamReader): Promise<void> {
    let failures = 0;
    let lastLogged = '';
    while (!this.stopped) {
      try {
        await reader.tick();
        if (failures > 0) this.opts.log(`变更流 (stream) ${reader.def.name}: 已恢复 (recovered)`);
        failures = 0;
        lastLogged = '';
      } catch (error) {
        if (this.stopped) return;
        failures += 1;
        reader.lastError = message(error);
        // One line per distinct error, not one per second.
        if (reader.lastError !== lastLogged) this.opts.log(`变更流 (stream) ${reader.def.name} 读取失败，稍后重试 (read failed, backing off): ${reader.lastError}`);
        lastLogged = reader.lastError;
      }
      await this.pause(failures === 0 ? this.pollMs : Math.min(30_000, this.pollMs * 2 ** failures));
    }
  }

  /** A pause that stop() cuts short; its timer never keeps the process alive. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.wakers.add(wake);
    });
  }

  /** Stops polling: pauses are cut short, the round under way finishes (bounded by `graceMs`), the clients are closed. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.loops), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.api.ddb.destroy();
    this.api.streams.destroy();
  }
}
