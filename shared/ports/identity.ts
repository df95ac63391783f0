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

/** Who holds an email address or an external subject: one key read each (claims written with the person). */
export interface PersonLookup {
  findUserByEmail(email: string): Promise<User | undefined>;
  findUserBySubject(subject: string): Promise<User | undefined>;
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

/**
 * Organisations and people (issue 12). Every write is conditional — a create on the key being free, a change on the
 * revision read (`rev`) — and carries its audit record in the same transaction. Conflicts: `ORG_EXISTS`,
 * `USER_EXISTS`, `EMAIL_TAKEN`, `SUBJECT_TAKEN`, `CHANGED_MEANWHILE`.
 */
export interface DirectoryAdministration {
  createOrganisation(org: Organisation, entry: AuditEntry): Promise<{ seq: number; organisation: Organisation }>;
  replaceOrganisation(before: Organisation, after: Organisation, entry: AuditEntry): Promise<{ seq: number; organisation: Organisation }>;
  createUser(user: User, entry: AuditEntry): Promise<{ seq: number; user: User }>;
  replaceUser(before: User, after: User, entry: AuditEntry): Promise<{ seq: number; user: User }>;
}

/**
 * Sign-in accounts outside the registry (issue 12): the Cognito user pool on `aws` (an invitation email in Chinese,
 * disabled at once on deactivation); nothing on `aws-cn` (the external issuer owns the accounts, the registry matches
 * its subject or email) and locally (the local issuer signs in any person of the registry).
 */
export interface SignInAccounts {
  readonly kind: 'cognito' | 'registry';
  /** Creates the account and sends the invitation; an existing account is left as it is (idempotent). */
  invite(user: Pick<User, 'userId' | 'email' | 'name'>): Promise<{ invited: boolean }>;
  disable(userId: string): Promise<void>;
  enable(userId: string): Promise<void>;
}
