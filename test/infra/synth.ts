/**
 * In-process synthesis of the three stacks with the CLI's own context
 * (cdk.json), so a test sees the same feature flags as `npm run synth`.
 * The functions live in one nested stack per bounded context under the
 * stateless stack: the helpers below find a function in whichever nested
 * template holds it, and give the value by which the parent refers to it.
 * Bundling is skipped (the CLI's `aws:cdk:bundling-stacks`), except where a
 * test asks for it: template assertions do not need the bytes, and bundling
 * every function would cost ~25 s per synth.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, type CfnResource as CfnResourceConstruct } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addChengguoStacks, projectRoot, type ChengguoStacks } from '#infra/stacks/chengguo-app.ts';
import { contextOf } from '#infra/stacks/stateless-stack.ts';
import { functionByName } from '#infra/manifest.ts';

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface Synthesised extends ChengguoStacks {
  readonly app: App;
  readonly templates: {
    readonly backup: Template;
    readonly stateful: Template;
    /** The parent: state machines, HTTP API, schedules, one AWS::CloudFormation::Stack per context. */
    readonly stateless: Template;
    /** The Operations nested stack: alarm topic, alarms, dashboard (issue 11 §2). */
    readonly monitoring: Template;
    /** One nested template per bounded context (functions/<context>/…), keyed by the context. */
    readonly contexts: ReadonlyMap<string, Template>;
    /** Every template of the stage, nested ones included, keyed by stack path (Chengguo-prod-Stateless/Catalogue). */
    readonly all: ReadonlyMap<string, Template>;
  };
}

/**
 * `validate` turns on CDK's built-in CloudFormation validation (resource types
 * per region, property schemas; ~4 s a synth): nag.test.ts runs it, the
 * targeted template tests do not need it.
 */
/**
 * The tests synthesise the `aws` partition unless they name `aws-cn` (the
 * CLI's default is aws-cn, settings.ts), with the offline demo values
 * (`demo: true`, as `npm run synth`): a test of the production refusal passes `demo: false`.
 */
export const testDefaults = { partition: 'aws', demo: true } as const;

export function newApp(context: Record<string, unknown> = {}, opts: { readonly bundle?: boolean; readonly validate?: boolean } = {}): App {
  return new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'chengguo-cdk-')),
    builtinCloudFormationValidation: opts.validate ?? false,
    context: { ...cdkJsonContext(), ...testDefaults, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
  });
}

export function synthChengguo(context: Record<string, unknown> = {}): Synthesised {
  const app = newApp(context);
  // Stacks are added before synthesis; Template.fromStack synthesises the app once.
  const stacks = addChengguoStacks(app);
  return { app, ...stacks, templates: templatesOf(stacks) };
}

export function templatesOf(stacks: ChengguoStacks): Synthesised['templates'] {
  const backup = Template.fromStack(stacks.backup);
  const stateful = Template.fromStack(stacks.stateful);
  const stateless = Template.fromStack(stacks.stateless);
  const contexts = new Map([...stacks.stateless.contexts].map(([name, ctx]) => [name, Template.fromStack(ctx)] as const));
  const opsStack = Stack.of(stacks.stateless.monitoring);
  const monitoring = Template.fromStack(opsStack);
  const all = new Map<string, Template>([
    [stacks.backup.node.path, backup],
    [stacks.stateful.node.path, stateful],
    [stacks.stateless.node.path, stateless],
    [opsStack.node.path, monitoring],
    ...[...stacks.stateless.contexts.values()].map((ctx) => [ctx.node.path, contexts.get(ctx.context)!] as const),
  ]);
  return { backup, stateful, stateless, monitoring, contexts, all };
}

/** The Lambda named <prefix>-<name> in every template that has one (a test expects exactly one). */
export function functionsNamed(s: Synthesised, name: string): Array<{ context: string; template: Template; id: string; resource: CfnResource }> {
  return [...s.templates.contexts].flatMap(([context, template]) =>
    resourcesOf(template, 'AWS::Lambda::Function')
      .filter(([, r]) => r.Properties?.['FunctionName'] === `${s.settings.prefix}-${name}`)
      .map(([id, resource]) => ({ context, template, id, resource })),
  );
}

/** Every resource of a type in the functions' nested templates. */
export function contextResources(s: Synthesised, type: string): Array<[string, CfnResource, Template]> {
  return [...s.templates.contexts.values()].flatMap((t) => resourcesOf(t, type).map(([id, r]) => [id, r, t] as [string, CfnResource, Template]));
}

/** Logical id, in the stateless template, of the AWS::CloudFormation::Stack of a context. */
export function nestedStackId(s: Synthesised, context: string): string {
  const ctx = s.stateless.contexts.get(context);
  if (!ctx?.nestedStackResource) throw new Error(`no nested stack for context ${context}`);
  return s.stateless.getLogicalId(ctx.nestedStackResource as CfnResourceConstruct);
}

/**
 * How the stateless (parent) template names a function's ARN: the output of
 * the function's nested stack whose value is exactly that function's Arn.
 */
export function functionArnInParent(s: Synthesised, name: string): unknown {
  const context = contextOf(functionByName(name));
  const found = functionsNamed(s, name);
  if (found.length !== 1 || found[0]!.context !== context) throw new Error(`function ${name} is not alone in the ${context} nested stack`);
  const outputs = (found[0]!.template.toJSON()['Outputs'] ?? {}) as Record<string, { Value: unknown }>;
  const names = Object.entries(outputs).filter(([, o]) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [found[0]!.id, 'Arn'] }));
  if (names.length !== 1) throw new Error(`nested stack ${context} exports the ARN of ${name} ${names.length} times`);
  return { 'Fn::GetAtt': [nestedStackId(s, context), `Outputs.${names[0]![0]}`] };
}

/** A value of a nested template as the parent supplies it: a parameter Ref becomes the parent's value for that parameter. */
export function asSuppliedByParent(s: Synthesised, context: string, value: unknown): unknown {
  const nested = s.templates.stateless.toJSON()['Resources'][nestedStackId(s, context)] as { Properties: { Parameters?: Record<string, unknown> } };
  const params = nested.Properties.Parameters ?? {};
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, unknown>;
    if (typeof o['Ref'] === 'string' && Object.keys(o).length === 1 && o['Ref'] in params) return params[o['Ref']];
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

/** Resources per template of the stage (nested included), largest first. */
export function resourceCounts(s: Synthesised): Array<{ stack: string; resources: number }> {
  return [...s.templates.all]
    .map(([stack, t]) => ({ stack, resources: Object.keys((t.toJSON()['Resources'] ?? {}) as object).length }))
    .sort((a, b) => b.resources - a.resources);
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
