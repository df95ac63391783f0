import { envNames, requireEnv } from '#adapters/config.ts';
import { custodyRecordsFromEnv } from '#adapters/dynamo-custody-records.ts';
import { CustodyResultFiles, DynamoProblemStore } from '#adapters/dynamo-feedback.ts';
import { DynamoRegistryAccess } from '#adapters/dynamo-submission.ts';
import { problemAttachmentsFromEnv } from '#adapters/s3-feedback-attachments.ts';
import { sharingReaderFromEnv } from '#adapters/dynamo-sharing-read.ts';
import { heldGrants, type AttachmentFiles, type HeldGrants, type ProblemStore, type ResultFiles } from '#shared/feedback/problems.ts';
import { port } from '../port.ts';

/** Quality problems (R19.2, R19.3): reported and moved along their timeline (audited, clocks and counters in the same transaction). */
export const problemStore = port({
  name: 'problems',
  env: ['registry', 'logs'],
  build: (env): ProblemStore => new DynamoProblemStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** Quality problems, read only (a result's list; an organisation's list across results). */
export const problemReader = port({
  name: 'problems',
  env: ['registry'],
  build: (env): Pick<ProblemStore, 'get' | 'listFor' | 'listByOrg'> => new DynamoProblemStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env))),
});

/** The verified package's file paths of a result (registry records only). */
export const resultFiles = port({ name: 'files', env: ['registry'], build: (env): ResultFiles => new CustodyResultFiles(custodyRecordsFromEnv(env)) });

/** R19.2: whether the reporter's organisation holds (or held) a grant naming the result (its own applications, one key query). */
export const grantsHeld = port({ name: 'grants', env: ['registry'], build: (env): HeldGrants => heldGrants(sharingReaderFromEnv(env)) });

/** R19.2: presigned write-once PUTs and presigned GETs of minutes on the attachments (the documents bucket). */
export const problemAttachments = port({ name: 'attachments', env: ['documents'], build: (env): AttachmentFiles => problemAttachmentsFromEnv(env) });
