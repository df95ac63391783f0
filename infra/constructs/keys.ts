/**
 * Customer-managed KMS keys: yearly automatic rotation, retained on stack
 * deletion (a deleted key makes every object and item it protects unreadable).
 *
 * Key policies name their principals (issue 11 item 3) instead of CDK's
 * default account-root `kms:*`, which lets any account administrator decrypt:
 *  - administration (no data-plane action) by the deploy (the CDK bootstrap's
 *    CloudFormation execution role) and the break-glass role only;
 *  - use (encrypt, decrypt, data keys, sign/verify) by the stage's roles,
 *    named `<prefix>-*` (each function's role is named after its function,
 *    infra/constructs/chengguo-function.ts), break-glass and the deploy (it
 *    creates encrypted resources, e.g. the SMTP secret's value); the roles'
 *    own IAM policies still say which key each may use and via which service;
 *  - grants for AWS resources (DynamoDB, S3 replication) by the same.
 * KMS's lockout check refuses a policy that would shut the deploy out, so a
 * deploy under another bootstrap qualifier fails rather than locking the key.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export interface KeyPrincipals {
  /** chengguo-<stage>: roles named `<prefix>-*` may use the stage's keys. */
  readonly prefix: string;
  readonly deployRoleArn: string;
  readonly breakGlassRoleArn: string;
}

export const keyAdminActions = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const;

export const keyUseActions = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:Sign', 'kms:Verify', 'kms:GetPublicKey'] as const;

/** The stage's roles, by name: `arn:<partition>:iam::<account>:role/<prefix>-*`. */
export const stageRolesArn = (prefix: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${prefix}-*`;

export function namedKeyPolicy(principals: KeyPrincipals): iam.PolicyDocument {
  const account = new iam.AccountRootPrincipal();
  // The deploy role too: a resource it creates encrypted (a Secrets Manager secret's generated value) is encrypted as the deploy.
  const users = [stageRolesArn(principals.prefix), principals.breakGlassRoleArn, principals.deployRoleArn];
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'KeyAdministrationByDeployAndBreakGlass',
        principals: [account],
        actions: [...keyAdminActions],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': [principals.deployRoleArn, principals.breakGlassRoleArn] } },
      }),
      new iam.PolicyStatement({
        sid: 'KeyUseByStageRoles',
        principals: [account],
        actions: [...keyUseActions],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:PrincipalArn': users } },
      }),
      new iam.PolicyStatement({
        sid: 'GrantsForAwsResources',
        principals: [account],
        actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, ArnLike: { 'aws:PrincipalArn': users } },
      }),
    ],
  });
}

export function dataKey(scope: Construct, id: string, alias: string, description: string, principals?: KeyPrincipals): kms.Key {
  return new kms.Key(scope, id, {
    alias,
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(principals ? { policy: namedKeyPolicy(principals) } : {}),
  });
}

/**
 * The key of the CloudWatch log groups (functions, state machines, API access
 * logs). CloudWatch Logs encrypts with the caller's permission only when the
 * key policy names the regional logs service; the encryption-context condition
 * keeps that permission to log groups of this account and region.
 */
export function logsKey(scope: Construct, id: string, alias: string, principals?: KeyPrincipals): kms.Key {
  const key = dataKey(scope, id, alias, 'chengguo: CloudWatch Logs (functions, state machines, API access logs)', principals);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }),
  );
  return key;
}
