import { describe, expect, it } from 'vitest';
import { DynamoCustodyRecords } from '#adapters/dynamo-custody-records.ts';
import { collect, sha256OfBytes } from '#shared/custody/hash.ts';
import { custodyManifestKey } from '#shared/custody/keys.ts';
import { packageRootHash } from '#shared/custody/manifest.ts';
import { assignNumber, copyIntoCustody } from '#shared/transfer/transfer.ts';
import { verifiedSubmission } from './catalogue-fakes.ts';
import { InMemoryRegistryAccess, standardFiles } from './submission-fakes.ts';
import { stageUploads, transferWorld } from './transfer-fakes.ts';

/** A verified result numbered and copied into custody by the transfer's own steps, over the in-memory registry. */
async function copied() {
  const t = await transferWorld();
  const id = await verifiedSubmission(t.world);
  stageUploads(t, id);
  const assigned = await assignNumber(t.ports, { submissionId: id, requestId: 'a1' });
  const copy = await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { ...assigned, requestId: 'c1' });
  const records = new DynamoCustodyRecords(new InMemoryRegistryAccess(t.world.tables, 'registry', 3));
  return { t, id, copy, records, resultNumber: assigned.resultNumber };
}

describe('R10.1 the registry records each custody copy: manifest SHA-256 and root hash in the audited custodyCopied record', () => {
  it('records the SHA-256 of the manifest as stored in custody and the package root hash, in the event and in its audit record', async () => {
    const { t, id, copy, resultNumber } = await copied();
    const stored = await collect(t.custody.read(custodyManifestKey(resultNumber, 1)));

    const event = (await t.world.store.listEvents(id)).find((e) => e.type === 'custodyCopied');
    const audit = t.world.identity.auditRecords().filter((r) => r['action'] === 'custody.copy.record');

    expect(copy.manifestSha256).toBe(sha256OfBytes(stored));
    expect(event?.detail).toMatchObject({ resultNumber, manifestSha256: sha256OfBytes(stored), rootHash: packageRootHash(standardFiles), files: standardFiles.length });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.['detail']).toMatchObject({ manifestSha256: sha256OfBytes(stored), rootHash: packageRootHash(standardFiles) });
  });

  it('finds every copy by a key query on gsi1 CUSTODYCOPIES, one by number and version, and the registry’s verified file list', async () => {
    const { id, records, resultNumber, copy } = await copied();

    const page = await records.listCopies();
    const one = await records.findCopy(resultNumber, 1);
    const files = await records.listVersionFiles(id, 1);

    expect(page.copies).toEqual([expect.objectContaining({ resultNumber, n: 1, submissionId: id, manifestSha256: copy.manifestSha256, custodianOrg: '440000-CUS' })]);
    expect(one?.manifestSha256).toBe(copy.manifestSha256);
    expect(await records.findCopy(resultNumber, 2)).toBeUndefined();
    expect(packageRootHash(files)).toBe(one?.rootHash);
    expect(await records.isDestroyed(resultNumber)).toBe(false);
  });

  it('a retried copy keeps the manifest custody already holds, so the recorded SHA-256 stays the one in the bucket', async () => {
    const { t, id, resultNumber, copy } = await copied();
    t.world.setNow('2026-09-22T02:00:00.000Z');

    const again = await copyIntoCustody({ copy: t.copy, store: t.world.store, now: () => t.world.now }, { submissionId: id, n: 1, resultNumber, requestId: 'c2' });

    expect(again.written).toBe(0);
    expect(again.manifestSha256).toBe(copy.manifestSha256);
  });
});
