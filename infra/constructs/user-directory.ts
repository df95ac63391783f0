/**
 * Who may sign in: a Cognito user pool and the web console's app client. The
 * token only identifies the user (`cognito:username`); organisation, roles and
 * clearance live in the registry (runtime/auth.ts), so the pool carries no
 * custom attributes. Administrators create accounts: there is no self sign-up.
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
  readonly client: cognito.UserPoolClient;
  readonly jwt: JwtSettings;

  constructor(scope: Construct, id: string, props: { readonly prefix: string }) {
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
      // The invitation AdminCreateUser sends when an administrator registers a person (issue 12), in Chinese.
      userInvitation: {
        emailSubject: '自然资源调查监测成果管理系统：您的账号已开通',
        emailBody:
          '您好：<br>系统管理员已为您开通自然资源调查监测成果管理系统账号。<br>用户名：{username}<br>临时密码：{####}<br>' +
          '首次登录须修改密码并绑定动态口令（MFA）。临时密码 3 天内有效，逾期请联系本单位系统管理员。',
      },
      // Plus tier: compromised-credential and adaptive sign-in checks, enforced.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient('WebConsole', {
      userPoolClientName: `${props.prefix}-web`,
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    // The issuer Cognito writes into `iss` (user pools exist only in the aws
    // partition); the JWKS is published beside it.
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.jwt = { issuer, audience: this.client.userPoolClientId, jwksUrl: `${issuer}/.well-known/jwks.json` };
  }
}
