import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest, type RouteDef, type ScheduleDef, type StateMachineDef } from '#infra/manifest.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';
import { Stack } from 'aws-cdk-lib';
import { contextOf, functionArnOf, placeholdersOf } from '#infra/stacks/stateless-stack.ts';
import { functionByName } from '#infra/manifest.ts';
import type { Template } from 'aws-cdk-lib/assertions';
import { asSuppliedByParent, contextResources, functionArnInParent, functionsNamed, nestedStackId, resourcesOf, synthChengguo, type CfnResource, type Synthesised } from './synth.ts';

let s: Synthesised;
beforeAll(() => {
  s = synthChengguo();
});

const prefix = 'chengguo-prod';
/** The function's ARN as the stateless (parent) template refers to it, after checking it exists exactly once. */
const functionArn = (name: string): unknown => {
  expect(functionsNamed(s, name), `Lambda ${prefix}-${name}`).toHaveLength(1);
  return functionArnInParent(s, name);
};
/** The logical id of the one HTTP API, in the parent. */
const apiId = (): string => {
  const apis = resourcesOf(s.templates.stateless, 'AWS::ApiGatewayV2::Api');
  expect(apis).toHaveLength(1);
  return apis[0]![0];
};
/** The one resource of a type that matches, in any template of the stage (routes live in the contexts' nested stacks), with its template. */
const one = (type: string, pred: (r: CfnResource) => boolean, what: string): [string, CfnResource, Template] => {
  const found = [...s.templates.all.values()].flatMap((t) => resourcesOf(t, type).map(([id, r]) => [id, r, t] as [string, CfnResource, Template])).filter(([, r]) => pred(r));
  expect(found, what).toHaveLength(1);
  return found[0]!;
};

describe('the one manifest is the synthesised template (issue 2)', () => {
  it('synthesises exactly as many functions, routes, state machines and schedules as the manifest declares', () => {
    const t = s.templates.stateless;

    expect(contextResources(s, 'AWS::Lambda::Function')).toHaveLength(manifest.functions.length);
    // Every GET route also answers HEAD (issue 8 §6): one more API Gateway route each.
    // Routes live in the nested stacks of their functions' contexts, none in the parent.
    expect(contextResources(s, 'AWS::ApiGatewayV2::Route')).toHaveLength(manifest.routes.length + manifest.routes.filter((r) => r.method === 'GET').length);
    expect(resourcesOf(t, 'AWS::ApiGatewayV2::Route')).toHaveLength(0);
    expect(resourcesOf(t, 'AWS::StepFunctions::StateMachine')).toHaveLength(manifest.stateMachines.length);
    expect(resourcesOf(t, 'AWS::Scheduler::Schedule')).toHaveLength(manifest.schedules.length);
  });

  describe('functions', () => {
    it.each(manifest.functions.map((f) => [f.name, f] as const))('%s is a Lambda with the entry, memory and timeout of its manifest entry', (name, def) => {
      const found = functionsNamed(s, name);
      expect(found, name).toHaveLength(1);
      const fn = found[0]!.resource;

      expect(existsSync(path.join(projectRoot, def.entry))).toBe(true);
      expect(s.stateless.functions.get(name)?.def.entry).toBe(def.entry);
      expect(fn.Properties).toMatchObject({ MemorySize: def.memoryMb ?? 256, Timeout: def.timeoutSeconds ?? 10, Description: def.description.slice(0, 256) });
    });
  });

  describe('routes', () => {
    it.each(manifest.routes.map((r) => [r.method, r.path, r] as const))('%s %s reaches its function with the declared authentication', (method, routePath, route: RouteDef) => {
      const [, r, template] = one('AWS::ApiGatewayV2::Route', (x) => x.Properties?.['RouteKey'] === `${method} ${routePath}`, `${method} ${routePath}`);
      const integrationId = (JSON.stringify(r.Properties?.['Target']).match(/"Ref":"([A-Za-z0-9]+)"/) ?? [])[1] ?? '';
      const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId] as CfnResource | undefined;
      const context = contextOf(functionByName(route.function));
      const [fn] = functionsNamed(s, route.function);

      // The route, its integration and the function share the nested stack of the function's context.
      expect(template).toBe(s.templates.contexts.get(context));
      expect(fn?.template).toBe(template);
      expect(integration?.Properties?.['IntegrationUri']).toEqual({ 'Fn::GetAtt': [fn!.id, 'Arn'] });
      // …on the one API of the parent, passed in as a parameter.
      expect(asSuppliedByParent(s, context, r.Properties?.['ApiId'])).toEqual({ Ref: apiId() });
      expect(asSuppliedByParent(s, context, integration?.Properties?.['ApiId'])).toEqual({ Ref: apiId() });
      if (route.auth === 'public') {
        expect(r.Properties?.['AuthorizationType']).toBe('NONE');
        expect(r.Properties?.['AuthorizerId']).toBeUndefined();
      } else {
        expect(r.Properties?.['AuthorizationType']).toBe('JWT');
        // The parent's one JWT authorizer, by parameter.
        expect(asSuppliedByParent(s, context, r.Properties?.['AuthorizerId'])).toEqual({ Ref: expect.stringMatching(/^ApiJwt/) });
      }
    });
  });

  describe('R20.1 HEAD answers like GET (issue 8 §6: link checkers probe emailed pages with HEAD)', () => {
    it.each(manifest.routes.filter((r) => r.method === 'GET').map((r) => [r.path, r] as const))('HEAD %s reaches the GET function with the same authentication', (routePath, route: RouteDef) => {
      const [, get] = one('AWS::ApiGatewayV2::Route', (x) => x.Properties?.['RouteKey'] === `GET ${routePath}`, `GET ${routePath}`);
      const [, head] = one('AWS::ApiGatewayV2::Route', (x) => x.Properties?.['RouteKey'] === `HEAD ${routePath}`, `HEAD ${routePath}`);
      expect(head.Properties?.['Target']).toEqual(get.Properties?.['Target']);
      expect(head.Properties?.['AuthorizationType']).toBe(route.auth === 'public' ? 'NONE' : 'JWT');
      expect(head.Properties?.['AuthorizerId']).toEqual(get.Properties?.['AuthorizerId']);
    });
    it('the emailed task page has its HEAD route', () => {
      expect(contextResources(s, 'AWS::ApiGatewayV2::Route').some(([, r]) => r.Properties?.['RouteKey'] === 'HEAD /human-tasks/{id}/page')).toBe(true);
    });
  });

  describe('state machines', () => {
    it.each(manifest.stateMachines.map((m) => [m.name, m] as const))('%s runs its ASL file with every placeholder bound to its manifest function', (name, def: StateMachineDef) => {
      const [, sm] = one('AWS::StepFunctions::StateMachine', (r) => r.Properties?.['StateMachineName'] === `${prefix}-${name}`, name);
      const asl = readFileSync(path.join(projectRoot, def.file), 'utf8');

      expect(placeholdersOf(asl).sort()).toEqual(Object.keys(def.functions).sort());
      expect(sm.Properties?.['DefinitionSubstitutions']).toEqual(
        Object.fromEntries(Object.entries(def.functions).map(([ph, fn]) => [ph, functionArn(fn)])),
      );
      expect(JSON.parse(sm.Properties?.['DefinitionString'] as string)).toEqual(JSON.parse(asl));
    });
  });

  describe('schedules', () => {
    it.each(manifest.schedules.map((x) => [x.name, x] as const))('%s fires on its expression and time zone, on time, at its target', (name, def: ScheduleDef) => {
      const [id, schedule] = one('AWS::Scheduler::Schedule', (r) => r.Properties?.['Name'] === `${prefix}-${name}`, name);

      expect(schedule.Properties).toMatchObject({
        ScheduleExpression: def.expression,
        ScheduleExpressionTimezone: def.timezone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: { Input: JSON.stringify(def.input ?? {}) },
      });
      const target = (schedule.Properties?.['Target'] as { Arn: unknown }).Arn;
      if ('function' in def.target) {
        // By its deterministic ARN, deployed after the nested stack that holds the function.
        expect(functionsNamed(s, def.target.function), def.target.function).toHaveLength(1);
        expect(target).toEqual(Stack.of(s.stateless).resolve(functionArnOf(s.stateless, prefix, def.target.function)));
        const dependsOn = (s.templates.stateless.toJSON()['Resources'][id] as { DependsOn?: string[] }).DependsOn;
        expect(dependsOn).toContain(nestedStackId(s, contextOf(functionByName(def.target.function))));
      } else expect(target).toEqual({ Ref: expect.stringMatching(new RegExp(`^${def.target.stateMachine}StateMachine`)) });
    });
  });
});
