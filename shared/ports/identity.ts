import type { Classification } from '#shared/reference/classifications.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Organisation, User } from '#shared/schemas/identity.ts';

export interface IdentityRepository {
  getUser(userId: string): Promise<User | undefined>;
  getOrganisation(code: string): Promise<Organisation | undefined>;
  /** Children of an organisation by parent code (GSI, never a scan); undefined = top level. */
  listOrganisations(parentCode?: string): Promise<Organisation[]>;
  listUsers(orgCode: string): Promise<User[]>;
}

export interface ClearanceChange {
  readonly userId: string;
  /** The clearance the decision was taken on: the write is conditional on it still holding. */
  readonly from: Classification;
  readonly to: Classification;
}

/** Writes to the registry's identity items; each writes its audit record in the same transaction. */
export interface IdentityAdministration {
  /**
   * Throws ConflictError `CLEARANCE_CHANGED` when the user is gone or the
   * clearance is no longer `from` (someone else changed it meanwhile).
   */
  updateClearance(change: ClearanceChange, entry: AuditEntry): Promise<{ seq: number }>;
}
