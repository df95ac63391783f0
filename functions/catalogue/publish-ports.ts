import { publicFiles } from '#runtime/ports/buckets.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { catalogueStore, orgName } from '#runtime/ports/registry.ts';
import type { PortsOf } from '#runtime/port.ts';
import type { PublishPorts } from '#shared/catalogue/public/publish.ts';

/** What the three public-catalogue publishers (schedule, stream, route) ask for. */
export const publishUses = [catalogueStore, orgName, publicFiles, now, appBaseUrl] as const;

export function publishPortsOf(p: PortsOf<typeof publishUses>): PublishPorts {
  return { catalogue: p.catalogue, orgName: p.orgName, files: p.publicFiles, now: p.now, apiBaseUrl: p.appBaseUrl || undefined };
}
