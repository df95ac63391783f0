/**
 * Customer-managed KMS keys: yearly automatic rotation, retained on stack
 * deletion (a deleted key makes every object and item it protects unreadable).
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export function dataKey(scope: Construct, id: string, alias: string, description: string): kms.Key {
  return new kms.Key(scope, id, {
    alias,
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * The key of the CloudWatch log groups (functions, state machines, API access
 * logs). CloudWatch Logs encrypts with the caller's permission only when the
 * key policy names the regional logs service; the encryption-context condition
 * keeps that permission to log groups of this account and region.
 */
export function logsKey(scope: Construct, id: string, alias: string): kms.Key {
  const key = dataKey(scope, id, alias, 'chengguo: CloudWatch Logs (functions, state machines, API access logs)');
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
