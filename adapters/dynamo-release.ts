import { requireEnv, envNames } from '#adapters/config.ts';
import { DynamoCatalogueTableAccess, type CatalogueTableAccess } from '#adapters/dynamo-catalogue.ts';
import { AlreadyCataloguedError } from '#shared/catalogue/errors.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { DerivedProductWrite, ReleaseRecord, ReleaseStore } from '#shared/publication/release.ts';
import { derivedPut } from './dynamo-derived.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import { keys } from './dynamo.ts';

/**
 * RELEASE#<source> / R#<k>, written in one transaction with the release's catalogue entry (CAT#<source>-R<k>,
 * never overwritten), its first version snapshot, the package submission's catalogue marker, the derived product it
 * publishes (R18.2: DERIVED#<id>, conditional on its version) and the audit record.
 * On the catalogue's table access, so that the catalogue's tests and the release share one registry.
 */
export class DynamoReleaseStore implements ReleaseStore {
  constructor(private readonly db: CatalogueTableAccess) {}

  async listForSource(sourceNumber: string): Promise<ReleaseRecord[]> {
    const out: ReleaseRecord[] = [];
    let startKey: { pk: string; sk: string } | undefined;
    do {
      const page = await this.db.query({ pk: keys.release(sourceNumber, 0).pk, skPrefix: 'R#', forward: true, limit: 100, ...(startKey ? { startKey } : {}) });
      for (const { pk: _pk, sk: _sk, ...r } of page.items) out.push(r as unknown as ReleaseRecord);
      startKey = page.lastKey as { pk: string; sk: string } | undefined;
    } while (startKey);
    return out;
  }

  async create(release: ReleaseRecord, entry: CatalogueEntry, audit: AuditEntry, derived?: DerivedProductWrite): Promise<void> {
    const { table } = this.db;
    const taken = () => new ConflictError('RELEASE_NUMBER_TAKEN', `发布版本编号 ${release.releaseNumber} 刚被占用（并发登记），请重试`);
    await this.db.write(
      [
        { item: { Put: { TableName: table, Item: { ...keys.release(release.sourceNumber, release.k), ...release }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: taken },
        {
          item: { Put: { TableName: table, Item: { ...keys.catalogueOfSubmission(entry.submissionId), resultNumber: entry.resultNumber }, ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: () => new AlreadyCataloguedError(entry.submissionId),
        },
        { item: { Put: { TableName: table, Item: { ...keys.catalogueEntry(entry.resultNumber), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: taken },
        { item: { Put: { TableName: table, Item: { ...keys.catalogueVersion(entry.resultNumber, entry.version), ...entry }, ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: taken },
        // R18.2: the derived product's pointer to its release, conditional on the version read.
        ...(derived ? [derivedPut(table, derived.product, derived.previousVersion)] : []),
      ],
      audit,
    );
  }
}

export function releaseStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoReleaseStore {
  return new DynamoReleaseStore(new DynamoCatalogueTableAccess(requireEnv(envNames.registryTable, env)));
}
