/**
 * Who may sign in: a Cognito user pool with its hosted sign-in (a user-pool
 * domain), and — created in the stateless stack, where the API's address is
 * known (`signInClient`) — the one public app client of the pages and the
 * CLI: authorization code + PKCE, no secret, callback on the system's own
 * /auth/callback and the CLI's loopback address. The token only identifies
 * the user (`cognito:username`); organisation, roles and clearance live in
 * the registry (runtime/auth.ts), so the pool carries no custom attributes.
 * Administrators create accounts: there is no self sign-up.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** Which ID-token rule the handlers apply (runtime/auth.ts); Cognito when absent. */
  readonly tokenType?: 'cognito' | 'oidc';
}

export class UserDirectory extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  /** The `iss` of the pool's tokens; discovery and the JWKS are published beside it. */
  readonly issuer: string;
  readonly jwksUrl: string;

  constructor(scope: Construct, id: string, props: { readonly prefix: string; readonly domainPrefix: string }) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${props.prefix}-users`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus tier: compromised-credential and adaptive sign-in checks, enforced.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The hosted sign-in pages (managed login) the authorization endpoint of the pool's discovery document points at.
    this.domain = this.userPool.addDomain('SignInDomain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    // The issuer Cognito writes into `iss` (user pools exist only in the aws
    // partition); the JWKS is published beside it.
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.issuer = issuer;
    this.jwksUrl = `${issuer}/.well-known/jwks.json`;
  }
}

/**
 * The public app client (no secret) of the pages and the CLI: authorization
 * code with PKCE only (Cognito requires PKCE of a public client that sends a
 * code_challenge, and the pages and the CLI always send one), the scopes the
 * pages ask for, the system's own callback, the CLI's loopback redirect.
 */
export function signInClient(
  scope: Construct,
  id: string,
  props: { readonly userPool: cognito.IUserPool; readonly prefix: string; readonly callbackUrls: string[]; readonly logoutUrls: string[] },
): cognito.UserPoolClient {
  return new cognito.UserPoolClient(scope, id, {
    userPool: props.userPool,
    userPoolClientName: `${props.prefix}-web`,
    generateSecret: false,
    authFlows: { userSrp: true },
    oAuth: {
      flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
      scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      callbackUrls: props.callbackUrls,
      logoutUrls: props.logoutUrls,
    },
    supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    preventUserExistenceErrors: true,
    enableTokenRevocation: true,
    idTokenValidity: Duration.hours(1),
    accessTokenValidity: Duration.hours(1),
    // A working day: the CLI renews its ID token silently within it, then signs in again.
    refreshTokenValidity: Duration.hours(12),
  });
}
