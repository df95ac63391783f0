import { pushNewVersions } from '#shared/sharing/push.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { catalogueChanges, identityRepo } from '#runtime/ports/registry.ts';
import { sharingRead, subscriptions } from '#runtime/ports/sharing.ts';
import { stream } from '#runtime/stream.ts';
import { sharing } from './context.ts';

/**
 * Stream SharingPushOnNewVersion (registry, CAT#…/META): a catalogue entry whose version went up is pushed to
 * every subscribed live grant once (主动推送): the requester is emailed the one-step re-application.
 */
export const handler = stream(sharing, 'PushNewVersions', [subscriptions, sharingRead, identityRepo, mailer, now, appBaseUrl, catalogueChanges], async (batch, p) => {
  const changes = p.catalogueChanges(batch.records);
  const result = await pushNewVersions(p, { changes, requestId: batch.lambda.awsRequestId });
  batch.log.info('new-version pushes', { changes: changes.length, ...result });
  return result;
});
