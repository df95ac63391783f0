/**
 * cdk-nag acknowledgements made where the finding is caused, each with its
 * own reason. cdk-nag v3 matches a wildcard finding by its exact id
 * (`AwsSolutions-IAM5[Resource::<flattened ARN>]`), so the id is computed from
 * the very ARN the grant used, the way cdk-nag flattens it: a grant and its
 * acknowledgement cannot drift apart.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The same flattening cdk-nag applies to a resolved CloudFormation value. */
export function flattenCfn(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenCfn).join(delimiter);
    }
    if (o['Fn::Sub'] !== undefined) return flattenCfn(o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenCfn(resource)}.${flattenCfn(attribute)}>`;
    }
    if (o['Fn::ImportValue'] !== undefined) return flattenCfn(o['Fn::ImportValue']);
    if (o['Ref'] !== undefined) return `<${flattenCfn(o['Ref'])}>`;
  }
  return JSON.stringify(node);
}

/** Acknowledge one rule (or one finding of it) on `scope` and everything under it. */
export function acknowledge(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM5 finding of one wildcard resource ARN, acknowledged on the policy's owner. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfn(Stack.of(scope).resolve(resource));
  if (!flat.includes('*')) return;
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
