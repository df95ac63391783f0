/**
 * In-process synthesis of the three stacks with the CLI's own context
 * (cdk.json), so a test sees the same feature flags as `npm run synth`.
 * Bundling is skipped (the CLI's `aws:cdk:bundling-stacks`), except where a
 * test asks for it: template assertions do not need the bytes, and bundling
 * every function would cost ~25 s per synth.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addChengguoStacks, projectRoot, type ChengguoStacks } from '#infra/stacks/chengguo-app.ts';

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface Synthesised extends ChengguoStacks {
  readonly app: App;
  readonly templates: { readonly backup: Template; readonly stateful: Template; readonly stateless: Template };
}

/**
 * `validate` turns on CDK's built-in CloudFormation validation (resource types
 * per region, property schemas; ~4 s a synth): nag.test.ts runs it, the
 * targeted template tests do not need it.
 */
export function newApp(context: Record<string, unknown> = {}, opts: { readonly bundle?: boolean; readonly validate?: boolean } = {}): App {
  return new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'chengguo-cdk-')),
    builtinCloudFormationValidation: opts.validate ?? false,
    context: { ...cdkJsonContext(), ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
  });
}

export function synthChengguo(context: Record<string, unknown> = {}): Synthesised {
  const app = newApp(context);
  // Stacks are added before synthesis; Template.fromStack synthesises the app once.
  const stacks = addChengguoStacks(app);
  return {
    app,
    ...stacks,
    templates: {
      backup: Template.fromStack(stacks.backup),
      stateful: Template.fromStack(stacks.stateful),
      stateless: Template.fromStack(stacks.stateless),
    },
  };
}

export type CfnResource = { Type: string; Properties?: Record<string, unknown> & { [k: string]: unknown } };

export function resourcesOf(template: Template, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.findResources(type)) as Array<[string, CfnResource]>;
}

/** Every IAM policy statement of a template: managed, inline-on-role and AWS::IAM::Policy. */
export function iamStatements(template: Template): Array<{ owner: string; statement: Record<string, unknown> }> {
  const out: Array<{ owner: string; statement: Record<string, unknown> }> = [];
  const push = (owner: string, doc: unknown) => {
    const statements = (doc as { Statement?: unknown } | undefined)?.Statement;
    for (const s of Array.isArray(statements) ? statements : statements ? [statements] : []) out.push({ owner, statement: s as Record<string, unknown> });
  };
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::Policy')) push(id, r.Properties?.['PolicyDocument']);
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::ManagedPolicy')) push(id, r.Properties?.['PolicyDocument']);
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::Role')) {
    for (const p of (r.Properties?.['Policies'] as Array<{ PolicyDocument: unknown }> | undefined) ?? []) push(id, p.PolicyDocument);
  }
  return out;
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
