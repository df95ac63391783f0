import { randomUUID } from 'node:crypto';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { UnauthenticatedError } from '#shared/errors.ts';
import type { HttpDeps, HttpResult } from '#runtime/with-http.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { PackageObjectStore, SubmissionPorts, SubmissionStore } from '#shared/ports/submission.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { OpenResult } from '#shared/submission/submissions.ts';

/** The HTTP stack's deps plus the submission ports; unit tests pass fakes for both. */
export interface SubmissionDeps extends HttpDeps {
  readonly ports: () => SubmissionPorts;
}

let defaults: SubmissionPorts | undefined;

/**
 * The AWS adapters, built on first use and kept for the warm container.
 * Each is created only when a handler touches it, so a function without the
 * uploads bucket or a state machine in its manifest grants never needs
 * their environment variables.
 */
async function defaultPorts(): Promise<SubmissionPorts> {
  if (defaults) return defaults;
  const [submission, identity, calendarStore, calendarLoad, uploads, sfn] = await Promise.all([
    import('#adapters/dynamo-submission.ts'),
    import('#adapters/dynamo-identity.ts'),
    import('#adapters/dynamo-calendar.ts'),
    import('#shared/calendar/load.ts'),
    import('#adapters/s3-uploads.ts'),
    import('#adapters/sfn.ts'),
  ]);
  let store: SubmissionStore | undefined;
  let identityRepo: IdentityRepository | undefined;
  let objects: PackageObjectStore | undefined;
  let workflow: Workflow | undefined;
  const holidays = () => calendarStore.holidayTableStoreFromEnv();
  defaults = {
    get store() {
      return (store ??= submission.submissionStoreFromEnv());
    },
    get identity() {
      return (identityRepo ??= identity.identityRepositoryFromEnv());
    },
    // Loaded per request: a holiday notice loaded a minute ago counts at once (one small Query).
    calendar: (): Promise<WorkingDayCalendar> => calendarLoad.calendarFromStore(holidays()),
    get objects() {
      return (objects ??= uploads.packageObjectStoreFromEnv());
    },
    get workflow() {
      return (workflow ??= sfn.workflowFromEnv());
    },
    now: () => new Date(),
    newId: randomUUID,
  };
  return defaults;
}

export async function portsOf(deps: SubmissionDeps | undefined): Promise<SubmissionPorts> {
  return deps ? deps.ports() : defaultPorts();
}

/** Routes other than `public` always carry a principal; this states it for the type checker. */
export function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthenticatedError('TOKEN_MISSING', '缺少身份令牌：请先登录');
  return principal;
}

/**
 * R5.1: the upload is refused (409, the usual error body, so no client
 * mistakes it for an accepted upload) while the record it leaves — the
 * submission held offline by the custodian — comes with it.
 */
export function heldOfflineResponse(result: Extract<OpenResult, { outcome: 'heldOffline' }>, requestId: string): HttpResult<409> {
  return {
    status: 409,
    body: { error: { code: result.code, message: result.message, requestId }, submission: result.submission },
  };
}
