import { AccountDisabledError, AccountNotProvisionedError, UnauthenticatedError } from '#shared/errors.ts';
import type { IdentityRepository, PersonLookup } from '#shared/ports/identity.ts';
import type { User } from '#shared/schemas/identity.ts';

/** What a verified ID token says about who signed in (runtime/auth.ts). */
export interface SignInClaims {
  /** Cognito and the local issuer: `cognito:username`, the registry's user id; '' for an external issuer. */
  readonly userId: string;
  readonly claims: Record<string, unknown>;
}

/**
 * Which registered person a verified sign-in is (issue 12). Cognito and the local issuer name the user id; an
 * external OIDC issuer (aws-cn) is matched by its subject (`sub`) first, then by a verified email — the system keeps
 * roles and clearance itself. Unknown → 403 账号未开通; deactivated → 403 账号已停用.
 */
export async function signedInPerson(identity: IdentityRepository & Partial<PersonLookup>, signIn: SignInClaims): Promise<User> {
  let user: User | undefined;
  if (signIn.userId !== '') {
    user = await identity.getUser(signIn.userId);
    if (!user) throw new UnauthenticatedError('USER_UNKNOWN', `用户 ${signIn.userId} 未在系统中登记，请联系管理员`);
  } else {
    const sub = typeof signIn.claims['sub'] === 'string' ? signIn.claims['sub'] : undefined;
    const email = typeof signIn.claims['email'] === 'string' ? signIn.claims['email'] : undefined;
    // An unverified email is not proof of the mailbox: only `email_verified: false` is refused (issuers that omit it vouch for it).
    const emailUsable = email !== undefined && signIn.claims['email_verified'] !== false && signIn.claims['email_verified'] !== 'false';
    if (sub && identity.findUserBySubject) user = await identity.findUserBySubject(sub);
    if (!user && emailUsable && identity.findUserByEmail) {
      const byEmail = await identity.findUserByEmail(email);
      // A person already bound to another subject is not taken over by a second account with the same email.
      if (byEmail && (byEmail.subject === undefined || byEmail.subject === sub)) user = byEmail;
    }
    if (!user) {
      throw new AccountNotProvisionedError(
        `账号未开通：身份提供方的账号（${email ?? sub ?? '未知'}）未在本系统登记，请联系本单位系统管理员开通（按用户标识或邮箱匹配）`,
      );
    }
  }
  if (user.deactivatedAt) throw new AccountDisabledError(`账号已停用（${user.deactivatedAt.slice(0, 10)}）：如需恢复，请联系本单位系统管理员`);
  return user;
}
