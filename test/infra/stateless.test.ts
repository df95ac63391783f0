import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketEnv, envNames, stateMachineEnv, tableEnv } from '#shared/config.ts';
import { ChengguoFunction } from '#infra/constructs/chengguo-function.ts';
import { functionByName, manifest } from '#infra/manifest.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';
import { checkIntegrations, checkManifest } from '#infra/stacks/stateless-stack.ts';
import { asArray, iamStatements, newApp, resourcesOf, synthChengguo, type CfnResource, type Synthesised } from './synth.ts';

let s: Synthesised;
beforeAll(() => {
  s = synthChengguo();
});

function fnResource(name: string): [string, CfnResource] {
  const found = resourcesOf(s.templates.stateless, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.['FunctionName'] === `chengguo-prod-${name}`);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}
function envOf(name: string): Record<string, unknown> {
  return ((fnResource(name)[1].Properties?.['Environment'] as { Variables: Record<string, unknown> } | undefined)?.Variables) ?? {};
}
function statementsOf(name: string): Array<Record<string, unknown>> {
  const role = (fnResource(name)[1].Properties?.['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOf(s.templates.stateless, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.['Roles']).includes(`"${role}"`))
    .flatMap(([, p]) => asArray((p.Properties?.['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement));
}
const actionsOf = (statements: Array<Record<string, unknown>>) => statements.flatMap((st) => asArray(st['Action'] as string | string[]));

describe('functions: one opinionated Lambda per manifest entry (issue 2)', () => {
  it('runs every function on Node.js 22, ARM, with active tracing, JSON logs and its own KMS-encrypted log group with a retention', () => {
    const functions = resourcesOf(s.templates.stateless, 'AWS::Lambda::Function');
    const groups = s.templates.stateless.findResources('AWS::Logs::LogGroup');

    expect(functions).toHaveLength(manifest.functions.length);
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
      const group = (fn.Properties?.['LoggingConfig'] as { LogGroup: { Ref: string }; LogFormat: string }).LogGroup.Ref;
      expect((fn.Properties?.['LoggingConfig'] as { LogFormat: string }).LogFormat).toBe('JSON');
      expect(groups[group]?.Properties, id).toMatchObject({ RetentionInDays: s.settings.logRetention, KmsKeyId: expect.anything() });
    }
  });

  it('gives every function a role of its own, without AWS managed policies', () => {
    const roles = resourcesOf(s.templates.stateless, 'AWS::Lambda::Function').map(([, fn]) => JSON.stringify(fn.Properties?.['Role']));

    expect(new Set(roles).size).toBe(manifest.functions.length);
    for (const [id, role] of resourcesOf(s.templates.stateless, 'AWS::IAM::Role')) expect(role.Properties?.['ManagedPolicyArns'], id).toBeUndefined();
  });

  it('binds each declared table: its name variable, item actions by access, its named indexes, its key through DynamoDB only', () => {
    for (const def of manifest.functions) {
      const statements = statementsOf(def.name);
      for (const [table, access] of Object.entries(def.tables ?? {})) {
        expect(envOf(def.name)[tableEnv[table as 'registry' | 'logs']], `${def.name} ${table}`).toBeDefined();
        const grant = statements.filter((st) => JSON.stringify(st['Resource']).includes(`${table === 'registry' ? 'RegistryTable' : 'LogsTable'}`));
        expect(grant.length, `${def.name} ${table}`).toBeGreaterThan(0);
        const actions = actionsOf(grant);
        expect(actions).toContain('dynamodb:Query');
        if (access === 'read') expect(actions, `${def.name} reads ${table}`).not.toContain('dynamodb:PutItem');
        else expect(actions, `${def.name} writes ${table}`).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
        expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      }
      const dynamoKey = statements.find((st) => JSON.stringify(st['Condition'] ?? {}).includes('dynamodb.'));
      expect(Boolean(dynamoKey), def.name).toBe(Object.keys(def.tables ?? {}).length > 0);
    }
  });

  it('binds each declared bucket: its name variable and object actions in that bucket only, never DeleteObject', () => {
    for (const def of manifest.functions) {
      const buckets = Object.entries(def.buckets ?? {});
      const s3Actions = actionsOf(statementsOf(def.name)).filter((a) => a.startsWith('s3:'));
      if (buckets.length === 0) expect(s3Actions, def.name).toEqual([]);
      for (const [bucket, access] of buckets) {
        expect(envOf(def.name)[bucketEnv[bucket as 'uploads']], `${def.name} ${bucket}`).toEqual({ 'Fn::Join': ['', [`chengguo-prod-${bucket}-`, { Ref: 'AWS::AccountId' }, `-${s.settings.region}`]] });
        const objects = statementsOf(def.name).filter(
          (st) => JSON.stringify(st['Resource']).includes(`chengguo-prod-${bucket}-`) && JSON.stringify(st['Resource']).endsWith('/*"]]}') && !actionsOf([st]).includes('s3:BypassGovernanceRetention'),
        );
        expect(objects.length, `${def.name} ${bucket}`).toBe(1);
        expect(actionsOf(objects).includes('s3:PutObject'), `${def.name} ${bucket} ${access}`).toBe(access === 'readWrite');
        if (!def.destroysCustodyObjects) expect(s3Actions, def.name).not.toContain('s3:DeleteObject');
      }
    }
  });

  it('lets exactly one function (destruction, 销毁) delete custody object versions past GOVERNANCE retention, within results/ and manifests/ only', () => {
    const deleting = manifest.functions.filter((def) =>
      actionsOf(statementsOf(def.name)).some((a) => ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'].includes(a)),
    );
    const grant = statementsOf('DestroyCustodyObjects').filter((st) => actionsOf([st]).includes('s3:BypassGovernanceRetention'));

    expect(deleting.map((d) => d.name)).toEqual(['DestroyCustodyObjects']);
    expect(grant).toHaveLength(1);
    expect(actionsOf(grant).sort()).toEqual(['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion']);
    const resources = JSON.stringify(grant[0]?.['Resource']);
    expect(resources).toContain('chengguo-prod-custody-');
    expect(resources).toContain('/results/*');
    expect(resources).toContain('/manifests/*');
  });

  it('gives the JWT settings of the authorizer to exactly the functions that verify tokens', () => {
    const authorizer = resourcesOf(s.templates.stateless, 'AWS::ApiGatewayV2::Authorizer')[0]![1];
    const jwt = authorizer.Properties?.['JwtConfiguration'] as { Issuer: unknown; Audience: unknown[] };

    for (const def of manifest.functions) {
      const env = envOf(def.name);
      if (def.verifiesJwt) {
        expect(env[envNames.jwtIssuer], def.name).toEqual(jwt.Issuer);
        expect(env[envNames.jwtAudience], def.name).toEqual(jwt.Audience[0]);
        expect(JSON.stringify(env[envNames.jwtJwksUrl]), def.name).toContain('/.well-known/jwks.json');
      } else {
        expect(env[envNames.jwtIssuer], def.name).toBeUndefined();
      }
    }
  });

  it('lets exactly the functions that send email use SES, and only through the one verified identity', () => {
    for (const def of manifest.functions) {
      const sesStatements = statementsOf(def.name).filter((st) => actionsOf([st]).some((a) => a.startsWith('ses:')));
      if (def.sendsEmail) {
        expect(envOf(def.name)[envNames.mailTransport], def.name).toBe('ses');
        expect(envOf(def.name)[envNames.mailFrom], def.name).toBe(s.settings.mail.from);
        expect(sesStatements, def.name).toHaveLength(1);
        expect(JSON.stringify(sesStatements[0]!['Resource'])).toContain(':identity/');
      } else {
        expect(sesStatements, def.name).toEqual([]);
        expect(envOf(def.name)[envNames.mailTransport], def.name).toBeUndefined();
      }
    }
  });

  it('lets a function start (and describe) only the state machines it declares, and answer tasks only of those it declares', () => {
    for (const def of manifest.functions) {
      const statements = statementsOf(def.name);
      const starts = statements.filter((st) => actionsOf([st]).includes('states:StartExecution'));
      const answers = statements.filter((st) => actionsOf([st]).includes('states:SendTaskSuccess'));
      expect(starts.length, def.name).toBe(def.startsStateMachines?.length ?? 0);
      // IAM policy minimisation merges the grants of several state machines into one statement: count the resources.
      expect(answers.flatMap((st) => asArray(st['Resource'] as unknown)).length, def.name).toBe(def.answersStateMachines?.length ?? 0);
      for (const name of [...(def.startsStateMachines ?? []), ...(def.answersStateMachines ?? [])]) {
        expect(envOf(def.name)[stateMachineEnv(name)], `${def.name} → ${name}`).toEqual({ Ref: expect.stringMatching(new RegExp(`^${name}StateMachine`)) });
      }
    }
  });

  it('gives every function the base URL of its emailed links', () => {
    for (const def of manifest.functions) expect(envOf(def.name)[envNames.appBaseUrl], def.name).toBeDefined();
  });
});

describe('IAM: least privilege (issue 2)', () => {
  it('grants no statement Action * on Resource *, and no bare * action, in any stack', () => {
    for (const t of [s.templates.backup, s.templates.stateful, s.templates.stateless]) {
      for (const { owner, statement } of iamStatements(t)) {
        const actions = asArray(statement['Action'] as string | string[]);
        const resources = asArray(statement['Resource'] as unknown);
        expect(actions.includes('*') && resources.includes('*'), owner).toBe(false);
        expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)), owner).toEqual([]);
      }
    }
  });

  it('keeps Resource * to services that support no resource-level permission (X-Ray, log delivery)', () => {
    const allowedOnStar = /^(xray:|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$)/;
    for (const t of [s.templates.backup, s.templates.stateful, s.templates.stateless]) {
      for (const { owner, statement } of iamStatements(t)) {
        if (!asArray(statement['Resource'] as unknown).includes('*')) continue;
        for (const action of asArray(statement['Action'] as string | string[])) expect(action, owner).toMatch(allowedOnStar);
      }
    }
  });
});

describe('state machines from statemachines/*.asl.json (issue 2)', () => {
  it('runs each as a Standard state machine with X-Ray and ALL-level logs that leave execution data (task tokens) out', () => {
    for (const def of manifest.stateMachines) {
      s.templates.stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `chengguo-prod-${def.name}`,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      });
    }
  });

  it('substitutes the ping placeholders with the ARNs of PingWait and PingDone, and may invoke only those', () => {
    const [, ping] = resourcesOf(s.templates.stateless, 'AWS::StepFunctions::StateMachine').find(([, r]) => r.Properties?.['StateMachineName'] === 'chengguo-prod-Ping')!;
    const wait = fnResource('PingWait')[0];
    const done = fnResource('PingDone')[0];
    const roleId = (ping.Properties?.['RoleArn'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const invoke = resourcesOf(s.templates.stateless, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties?.['Roles']).includes(roleId))
      .flatMap(([, p]) => asArray((p.Properties?.['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement))
      .filter((st) => actionsOf([st]).includes('lambda:InvokeFunction'));

    expect(ping.Properties?.['DefinitionSubstitutions']).toEqual({
      PingWaitFunctionArn: { 'Fn::GetAtt': [wait, 'Arn'] },
      PingDoneFunctionArn: { 'Fn::GetAtt': [done, 'Arn'] },
    });
    expect(ping.Properties?.['DefinitionString']).toContain('"FunctionName": "${PingWaitFunctionArn}"');
    expect(ping.Properties?.['DefinitionString']).toContain('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0]!['Resource'] as unknown[])).toEqual(expect.arrayContaining([{ 'Fn::GetAtt': [wait, 'Arn'] }, { 'Fn::GetAtt': [done, 'Arn'] }]));
    expect(asArray(invoke[0]!['Resource'] as unknown[])).toHaveLength(2);
  });
});

describe('guards that fail the synth instead of the deployment (issue 2)', () => {
  it('refuses an ASL task whose service integration the state machine role is not granted, and a distributed map', () => {
    const task = (Resource: string) => ({ StartAt: 'A', States: { A: { Type: 'Task', Resource, End: true } } });

    expect(() => checkIntegrations('ok.asl.json', task('arn:aws:states:::lambda:invoke.waitForTaskToken'))).not.toThrow();
    expect(() => checkIntegrations('x.asl.json', task('arn:aws:states:::dynamodb:putItem'))).toThrow(/dynamodb:putItem is not granted/);
    expect(() => checkIntegrations('x.asl.json', { States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } } } } })).toThrow(/DISTRIBUTED Map/);
  });

  it('refuses a manifest whose names repeat or whose references dangle', () => {
    const fn = manifest.functions[0]!;

    expect(() => checkManifest({ ...manifest, functions: [...manifest.functions, fn] })).toThrow(/declared twice/);
    expect(() => checkManifest({ ...manifest, routes: [{ method: 'GET', path: '/x', function: 'Nope', auth: 'public', summary: 'x' }] })).toThrow(/unknown function Nope/);
    expect(() => checkManifest({ ...manifest, routes: [...manifest.routes, manifest.routes[0]!] })).toThrow(/declared twice/);
  });

  it('warns when a routed function may outlive the 30-second API Gateway integration timeout', () => {
    const slow = manifest.routes.filter((r) => (functionByName(r.function).timeoutSeconds ?? 10) > 30);
    const warnings = Annotations.fromStack(s.stateless).findWarning('*', Match.stringLikeRegexp('API Gateway answers 503 after 30 s'));

    expect(warnings.map((w) => String(w.entry.data)).filter((m) => slow.some((r) => m.startsWith(`${r.method} ${r.path}:`)))).toHaveLength(slow.length);
    expect(warnings).toHaveLength(slow.length);
  });

  it('keeps every stack under the CloudFormation limit of 500 resources', () => {
    for (const t of [s.templates.backup, s.templates.stateful, s.templates.stateless]) {
      expect(Object.keys(t.toJSON()['Resources'] as object).length).toBeLessThan(500);
    }
  });
});

describe('HTTP API (issue 2)', () => {
  it('authorises with a JWT authorizer whose issuer is the Cognito user pool and whose audience is the web client', () => {
    s.templates.stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', [`https://cognito-idp.${s.settings.region}.amazonaws.com/`, Match.anyValue()]] },
        Audience: [Match.anyValue()],
      },
    });
  });

  it('logs every request of the default stage as JSON to an encrypted log group, and throttles it', () => {
    const [, stage] = resourcesOf(s.templates.stateless, 'AWS::ApiGatewayV2::Stage')[0]!;

    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 } });
    const format = JSON.parse((stage.Properties?.['AccessLogSettings'] as { Format: string }).Format) as Record<string, string>;
    expect(format['requestId']).toBe('$context.requestId');
    expect(format['routeKey']).toBe('$context.routeKey');
  });
});

describe('bundling: a minified ES module per function, offline (issue 2)', () => {
  it('bundles a handler with esbuild into index.mjs with the require shim, a source map and the AWS SDK left external', () => {
    const app = newApp({}, { bundle: true });
    const stack = new Stack(app, 'BundleProbe', { env: { region: 'ap-southeast-1' } });
    new ChengguoFunction(stack, 'Health', {
      def: functionByName('HealthCheck'),
      functionName: 'probe-HealthCheck',
      projectRoot,
      logRetention: RetentionDays.ONE_WEEK,
      logsKey: new kms.Key(stack, 'Key'),
    });

    const dir = app.synth().directory;
    const assets = readdirSync(dir).filter((d) => d.startsWith('asset.') && existsSync(path.join(dir, d, 'index.mjs')));
    expect(assets).toHaveLength(1);
    const code = readFileSync(path.join(dir, assets[0]!, 'index.mjs'), 'utf8');
    const facts = {
      shimFirst: code.startsWith("import { createRequire as __chengguoCreateRequire } from 'node:module';"),
      esmExportOfHandler: /export\{[\w$]+ as handler\b/.test(code),
      minified: code.length / code.split('\n').length > 1000,
      sourceMap: code.includes('sourceMappingURL=index.mjs.map') && existsSync(path.join(dir, assets[0]!, 'index.mjs.map')),
      sdkExternal: /from\s*"@aws-sdk\/client-dynamodb"/.test(code),
    };
    expect(facts).toEqual({ shimFirst: true, esmExportOfHandler: true, minified: true, sourceMap: true, sdkExternal: true });
  });
});

describe('human tasks: task tokens are sealed with a KMS key of their own (architecture "Human tasks")', () => {
  it('gives exactly the manifest functions that seal tokens the key id and Encrypt/Decrypt on that one key', () => {
    const sealers = manifest.functions.filter((f) => f.sealsTaskTokens).map((f) => f.name);
    expect(sealers.sort()).toEqual(['CreateHumanTask', 'DecideHumanTask']);
    for (const fn of manifest.functions) {
      const env = envOf(fn.name);
      const kmsStatements = statementsOf(fn.name).filter((st) => actionsOf([st]).includes('kms:Encrypt') && !st['Condition']);
      if (fn.sealsTaskTokens) {
        expect(env['TASK_TOKEN_KEY_ID'], fn.name).toBeDefined();
        expect(kmsStatements, fn.name).toHaveLength(1);
        expect(actionsOf(kmsStatements).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt']);
        expect(JSON.stringify(kmsStatements[0]!['Resource'])).toContain('TaskTokenKey');
      } else {
        expect(env['TASK_TOKEN_KEY_ID'], fn.name).toBeUndefined();
        expect(kmsStatements, fn.name).toHaveLength(0);
      }
    }
    s.templates.stateful.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('task tokens') });
  });
});
