import { AsyncLocalStorage } from 'node:async_hooks';
import type { Classification } from '#shared/reference/classifications.ts';

/**
 * What one request touched that the security record (R20.1) must name: every
 * protected record read or refused, with its classification and the
 * organisations it belongs to. The HTTP wrapper opens one context per request
 * (runtime/http.ts) and writes the record when the request ends; the
 * access rule (shared/security/access.ts) notes into it. Outside a request
 * (workflow steps, schedules) nothing is noted.
 */
export interface TouchedRecord {
  /** e.g. `SUB#<id>`, `CAT#<number>`, `HTASK#<id>` */
  readonly target: string;
  readonly classification: Classification;
  /** The organisations the record belongs to (organiser, custodian …): their supervisors see the record too. */
  readonly orgs: readonly string[];
  /** `read`: shown to the caller; `hidden`: refused as absent because of clearance; `refused`: out of scope or role. */
  readonly access: 'read' | 'hidden' | 'refused';
}

export interface SecurityContext {
  readonly touched: TouchedRecord[];
}

const storage = new AsyncLocalStorage<SecurityContext>();

export function runWithSecurityContext<T>(context: SecurityContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}

export function noteTouched(record: TouchedRecord): void {
  storage.getStore()?.touched.push(record);
}
