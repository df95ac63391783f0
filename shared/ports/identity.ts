import type { Organisation, User } from '#shared/schemas/identity.ts';

export interface IdentityRepository {
  getUser(userId: string): Promise<User | undefined>;
  getOrganisation(code: string): Promise<Organisation | undefined>;
  /** Children of an organisation by parent code (GSI, never a scan); undefined = top level. */
  listOrganisations(parentCode?: string): Promise<Organisation[]>;
  listUsers(orgCode: string): Promise<User[]>;
}
