import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import type { Classification } from '#shared/reference/classifications.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { FakeCustodyRecords, FakeCustodyStore, FakeMailer, putResult } from './custody-fakes.ts';
import { ClocksFromAudits, FakeDerivedProducts, FakeLinks, FakeSharingLog, FakeSharingStore } from './sharing-fakes.ts';
import { portsFor, submissionWorld } from './submission-fakes.ts';

/**
 * The sharing tests' world: three catalogued results (公开, 内部, 秘密) named `<name>（<classification>）`, the public
 * one's two files and the internal one's file in custody, fake sharing, mail, links, clocks (from the store's audits)
 * and derived-product stores, and the given documents store; ids `<idPrefix>000000-0000-4000-8000-<n>`.
 */
export async function sharingWorld<D>(opts: { name: string; idPrefix: string; documents: D }) {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const numbers: Partial<Record<Classification, string>> = {};
  for (const classification of ['public', 'internal', 'secret'] as const) {
    const submissionId = await verifiedSubmission(world, { classification, name: `${opts.name}（${classification}）` });
    const { entry } = await registerCatalogueEntry(cat.ports, { submissionId, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: `reg-${classification}` });
    numbers[classification] = entry.resultNumber;
  }
  const custody = new FakeCustodyStore();
  const files = { 'data/landuse.gpkg': 'gpkg-bytes-0123456789', 'doc/说明.pdf': 'pdf-bytes' };
  putResult([custody], new FakeCustodyRecords(), numbers.public!, files);
  putResult([custody], new FakeCustodyRecords(), numbers.internal!, { 'data/water.gpkg': 'internal-bytes' });
  const sharing = new FakeSharingStore();
  const mailer = new FakeMailer();
  const links = new FakeLinks();
  const documents = opts.documents;
  let n = 0;
  const base = portsFor(world);
  const ports = {
    verifier: base.verifier,
    identity: world.identity,
    catalogue: cat.store,
    sharing,
    workflow: world.workflow,
    calendar: world.ports.calendar,
    custody,
    documents,
    derived: new FakeDerivedProducts(),
    clocks: new ClocksFromAudits(() => sharing.audits),
    mailer,
    links,
    log: new FakeSharingLog(),
    now: () => world.now,
    appBaseUrl: 'https://chengguo.example.gov.cn',
    newId: () => `${opts.idPrefix}000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  };
  return { world, cat, numbers: numbers as Record<'public' | 'internal' | 'secret', string>, custody, files, sharing, mailer, links, documents, ports };
}
