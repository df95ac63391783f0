import type { Context, DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { catalogueEntryFixture } from '../fixtures/catalogue-entry.ts';
import { DynamoCatalogueStore, indexItems } from '#adapters/dynamo-catalogue.ts';
import { keys } from '#adapters/dynamo.ts';
import { catalogueChangesOf, streamKeysMatch } from '#adapters/dynamo-stream.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import type { PublicFile } from '#shared/catalogue/public/build.ts';
import { changeAffectsPublic, newestEntries } from '#shared/catalogue/public/changes.ts';
import { publishPublicCatalogue, withChanges, type PublicCatalogueFiles, type PublishPorts } from '#shared/catalogue/public/publish.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { lambdaRecord } from '#infra/local/streams.ts';
import { manifest } from '#infra/manifest.ts';
import { handler } from '#functions/catalogue/publish-public-catalogue-on-change.ts';
import { CountingCatalogueTable } from './catalogue-fakes.ts';

/** The stream handler on the publisher's ports, by the names it asks for (`handler.with`). */
const onChange = (p: PublishPorts & { catalogue: DynamoCatalogueStore }) => handler.with({ catalogue: p.catalogue, orgName: p.orgName, publicFiles: p.files, now: p.now, appBaseUrl: '', catalogueChanges: catalogueChangesOf });

let seq = 0;
const entry = (over: Partial<CatalogueEntry> & { custodian: string }): CatalogueEntry =>
  catalogueEntryFixture({ sequence: ++seq, name: `广东省国土变更调查成果${seq}`, ...over });

class MemoryFiles implements PublicCatalogueFiles {
  readonly objects = new Map<string, PublicFile>();
  puts = 0;
  deletes = 0;
  async list() {
    return [...this.objects.keys()].map((key) => ({ key }));
  }
  async put(key: string, file: PublicFile) {
    this.puts += 1;
    this.objects.set(key, file);
  }
  async delete(keyList: readonly string[]) {
    this.deletes += keyList.length;
    for (const k of keyList) this.objects.delete(k);
  }
}

const generatedAt = new Date('2026-11-28T18:00:00.000Z');
const itemPath = (e: CatalogueEntry) => `collections/${e.theme}/items/${e.resultNumber}.json`;

/** The registry as the publisher reads it: entries and their index items, as the catalogue adapter writes them. */
function world(entries: CatalogueEntry[]) {
  const table = new CountingCatalogueTable(new InMemoryTables());
  table.load(entries.flatMap((e) => [{ ...keys.catalogueEntry(e.resultNumber), ...e }, ...indexItems(e)]));
  const store = new DynamoCatalogueStore(table);
  const files = new MemoryFiles();
  const ports: PublishPorts & { catalogue: DynamoCatalogueStore } = { catalogue: store, orgName: async () => undefined, files, now: () => generatedAt };
  /** The entry's new state stored and re-indexed, as an edit does. */
  const save = async (next: CatalogueEntry, previous: CatalogueEntry) => {
    table.load([{ ...keys.catalogueEntry(next.resultNumber), ...next }]);
    await store.indexEntry(next, previous);
  };
  return { table, store, files, ports, save };
}

let sequenceNumber = 100;
/** A registry stream record as Lambda delivers it (NEW_AND_OLD_IMAGES). */
function record(key: { pk: string; sk: string }, next: Record<string, unknown> | undefined, previous: Record<string, unknown> | undefined): DynamoDBRecord {
  sequenceNumber += 1;
  const image = (v: Record<string, unknown>) => marshall({ ...key, ...v }, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
  return {
    eventID: `ev-${sequenceNumber}`,
    eventName: next && previous ? 'MODIFY' : next ? 'INSERT' : 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'cn-north-1',
    eventSourceARN: 'arn:aws-cn:dynamodb:cn-north-1:000000000000:table/registry/stream/2026-11-28T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1795880760,
      Keys: marshall(key) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      ...(next ? { NewImage: image(next) } : {}),
      ...(previous ? { OldImage: image(previous) } : {}),
      SequenceNumber: String(sequenceNumber).padStart(21, '0'),
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
const entryRecord = (next: CatalogueEntry | undefined, previous?: CatalogueEntry) =>
  record(keys.catalogueEntry((next ?? previous)!.resultNumber), next, previous);

const lambdaContext = { awsRequestId: 'aws-1', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;

describe('R9.3 issue 4 public catalogue on change: the batch\'s entries override a lagging read', () => {
  it('publishes an entry the index does not return yet when the batch carries it', async () => {
    const indexed = entry({ custodian: '440000-CUS' });
    const newcomer = entry({ custodian: '440000-CUS', name: '广东省新登记的公开成果' });
    const { files, ports } = world([indexed]);

    const result = await publishPublicCatalogue(ports, { changed: [newcomer] });

    expect(result.entries).toBe(2);
    expect(files.objects.has(itemPath(newcomer))).toBe(true);
    expect(files.objects.get('search-index.json')?.body).toContain('广东省新登记的公开成果');
  });

  it('takes down an entry the batch reports reclassified 内部 while the read still returns it as public', async () => {
    const stillPublic = entry({ custodian: '440000-CUS', name: '广东省待调整密级的成果' });
    const { files, ports } = world([stillPublic]);
    await publishPublicCatalogue(ports);

    const result = await publishPublicCatalogue(ports, { changed: [{ ...stillPublic, classification: 'internal', version: 2 }] });

    // The item and its collection, left empty.
    expect(result).toMatchObject({ entries: 0, deleted: 2 });
    expect(files.objects.has(itemPath(stillPublic))).toBe(false);
    expect(files.objects.get('search-index.json')?.body).not.toContain('广东省待调整密级的成果');
  });

  it('keeps what the read returned when it is a newer version than the batch image', () => {
    const v3 = entry({ custodian: '440000-CUS', name: '第三版名称', version: 3 });
    const v2 = { ...v3, name: '第二版名称', classification: 'internal' as const, version: 2 };

    const merged = withChanges([v3], [v2]);

    expect(merged).toEqual([v3]);
  });

  it('takes the highest version of an entry changed several times in one batch', () => {
    const v1 = entry({ custodian: '440000-CUS' });
    const v2 = { ...v1, name: '第二版', version: 2 };
    const v3 = { ...v1, name: '第三版', version: 3 };

    const newest = newestEntries([
      { resultNumber: v1.resultNumber, entry: v3, previous: v2 },
      { resultNumber: v1.resultNumber, entry: v2, previous: v1 },
    ]);

    expect(newest).toEqual([v3]);
  });
});

describe('R9.3 issue 4 PublishPublicCatalogueOnChange handler', () => {
  it('writes nothing for a batch of changes that are not and were not public', async () => {
    const published = entry({ custodian: '440000-CUS' });
    const internal = entry({ custodian: '440000-CUS', classification: 'internal' });
    const municipal = entry({ custodian: '440100-CUS', theme: 'landCover' });
    const { files, ports } = world([published, internal, municipal]);
    const batch = [
      entryRecord({ ...internal, name: '内部成果改名', version: 2 }, internal),
      entryRecord(municipal),
      // A version snapshot of a public entry: not an entry change (the key filter's second line).
      record(keys.catalogueVersion(published.resultNumber, 2), { ...published, version: 2 }, undefined),
    ];

    const out = await onChange(ports)({ Records: batch }, lambdaContext);

    expect(out).toEqual({ changes: 2, relevant: 0, published: false });
    expect(files.puts).toBe(0);
    expect(files.deletes).toBe(0);
  });

  it('republishes when a public entry is registered, and the entry is in the published files', async () => {
    const earlier = entry({ custodian: '440000-CUS' });
    const registered = entry({ custodian: '100000-CUS', name: '全国国土变更调查公开成果', spatialScope: { regionCode: '100000' } });
    const { files, ports } = world([earlier, registered]);

    const out = await onChange(ports)({ Records: [entryRecord(registered)] }, lambdaContext);

    expect(out).toMatchObject({ changes: 1, relevant: 1, published: true, entries: 2 });
    expect(files.objects.has(itemPath(registered))).toBe(true);
    expect(files.objects.has('index.html')).toBe(true);
  });

  it('takes down an entry that was public and is reclassified 内部', async () => {
    const before = entry({ custodian: '440000-CUS', name: '广东省曾公开的成果' });
    const { files, ports, save } = world([before]);
    await publishPublicCatalogue(ports);
    const after = { ...before, classification: 'internal' as const, version: 2 };
    await save(after, before);

    const out = await onChange(ports)({ Records: [entryRecord(after, before)] }, lambdaContext);

    expect(out).toMatchObject({ relevant: 1, published: true, entries: 0, deleted: 2 });
    expect(files.objects.has(itemPath(before))).toBe(false);
    expect([...files.objects.values()].map((f) => f.body).join('\n')).not.toContain('广东省曾公开的成果');
  });

  it('takes down an entry that was public and is destroyed, even before the index shows it', async () => {
    const kept = entry({ custodian: '440000-CUS' });
    const before = entry({ custodian: '440000-CUS', name: '广东省已销毁的成果' });
    const { files, ports } = world([kept, before]);
    await publishPublicCatalogue(ports);
    const destroyed = { ...before, status: 'destroyed' as const, version: 2 };

    const out = await onChange(ports)({ Records: [entryRecord(destroyed, before)] }, lambdaContext);

    expect(out).toMatchObject({ relevant: 1, published: true, entries: 1 });
    expect(files.objects.has(itemPath(before))).toBe(false);
    expect(files.objects.has(itemPath(kept))).toBe(true);
  });

  it('decodes both images of a record with the catalogue adapter\'s mapping', () => {
    const before = entry({ custodian: '440000-CUS' });
    const after = { ...before, name: '修改后的名称', version: 2 };

    const [change] = catalogueChangesOf([entryRecord(after, before)]);

    expect(change).toEqual({ resultNumber: before.resultNumber, entry: after, previous: before });
    expect(changeAffectsPublic(change!)).toBe(true);
  });

  it('rebuilds from the index when an image does not parse, rather than failing the batch', async () => {
    const listed = entry({ custodian: '440000-CUS' });
    const { files, ports } = world([listed]);
    const broken = record(keys.catalogueEntry(listed.resultNumber), { resultNumber: listed.resultNumber, name: '缺少其余字段' }, undefined);

    const out = await onChange(ports)({ Records: [broken] }, lambdaContext);

    expect(out).toMatchObject({ changes: 1, relevant: 1, published: true, entries: 1 });
    expect(files.objects.has(itemPath(listed))).toBe(true);
  });

  it('refuses an event that is not a stream batch', async () => {
    const { ports } = world([]);

    await expect(onChange(ports)({ detail: {} }, lambdaContext)).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('R9.3 issue 4 stream key filter (local poller and handler)', () => {
  const filter = manifest.streams.find((s) => s.name === 'PublicCatalogueOnChange')!.keys;
  const k = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });

  it('passes catalogue entry items and nothing else', () => {
    expect(streamKeysMatch(k('CAT#440000-CUS-2026-GT-000001', 'META'), filter)).toBe(true);
    expect(streamKeysMatch(k('CAT#440000-CUS-2026-GT-000001', 'V#0002'), filter)).toBe(false);
    expect(streamKeysMatch(k('CATIDX#ALL', '2026-06-30#440000-CUS-2026-GT-000001'), filter)).toBe(false);
    expect(streamKeysMatch(k('ORG#440000-CUS', 'META'), filter)).toBe(false);
    expect(streamKeysMatch(undefined, filter)).toBe(false);
  });

  it('passes any sort key when the filter names none', () => {
    expect(streamKeysMatch(k('CAT#1', 'V#0001'), { pkPrefix: 'CAT#' })).toBe(true);
  });

  it('turns a Streams API record into the Lambda event record, binary as base64 and time in epoch seconds', () => {
    const r = lambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2026-11-28T10:00:00Z'),
          Keys: { pk: { S: 'CAT#1' }, sk: { S: 'META' } },
          NewImage: { pk: { S: 'CAT#1' }, sk: { S: 'META' }, b: { B: new Uint8Array([1, 2]) }, m: { M: { l: { L: [{ N: '1' }] } } } },
          SequenceNumber: '000000000000000000001',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      'arn:stream',
    );

    expect(r.eventSourceARN).toBe('arn:stream');
    expect(r.dynamodb?.ApproximateCreationDateTime).toBe(Date.parse('2026-11-28T10:00:00Z') / 1000);
    expect(r.dynamodb?.NewImage?.['b']).toEqual({ B: 'AQI=' });
    expect(r.dynamodb?.NewImage?.['m']).toEqual({ M: { l: { L: [{ N: '1' }] } } });
  });
});
