import type { CopyPorts } from '#shared/custody/copy.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import type { TransferPorts } from '#shared/transfer/transfer.ts';
import { catalogueWorld, type CatalogueWorld } from './catalogue-fakes.ts';
import { FakeCustodyStore, FakeUploads } from './custody-fakes.ts';
import { standardFiles, submissionWorld, type SubmissionWorld } from './submission-fakes.ts';
import { RecordingMailer } from './tasks-fakes.ts';

export interface TransferWorld {
  readonly world: SubmissionWorld;
  readonly cat: CatalogueWorld;
  readonly mailer: RecordingMailer;
  readonly ports: TransferPorts;
  readonly uploads: FakeUploads;
  readonly custody: FakeCustodyStore;
  readonly copy: CopyPorts;
}

/** The transfer's ports over the submission world's tables: real adapters on in-memory DynamoDB, fake S3. */
export async function transferWorld(): Promise<TransferWorld> {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const mailer = new RecordingMailer();
  const uploads = new FakeUploads();
  const custody = new FakeCustodyStore();
  const ports: TransferPorts = {
    store: world.store,
    objects: world.objects,
    catalogue: cat.store,
    identity: world.identity,
    mailer,
    calendar: world.ports.calendar,
    now: () => world.now,
    appBaseUrl: 'https://chengguo.example.gov.cn',
  };
  return { world, cat, mailer, ports, uploads, custody, copy: { submissions: world.store, uploads, custody, now: () => world.now } };
}

/** The uploaded bytes of the standard package (the fakes' SHA-256 is of the path), as copyFromUploads reads them. */
export function stageUploads(t: TransferWorld, submissionId: string, n = 1): void {
  for (const f of standardFiles) t.uploads.objects.set(objectKey(submissionId, n, f.path), Buffer.from(f.path));
}
