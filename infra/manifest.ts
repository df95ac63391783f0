/**
 * The one manifest: every function, HTTP route, state machine and schedule.
 * Both the CDK app (infra/stacks) and the local cloud (infra/local) read it,
 * so the cloud and the laptop cannot drift apart (test/infra/manifest.test.ts).
 */
import type { Role } from '#shared/identity/roles.ts';

export type TableName = 'registry' | 'logs';
export type BucketName = 'uploads' | 'custody' | 'backup' | 'published' | 'documents';
export type Access = 'read' | 'readWrite';

export interface FunctionDef {
  /** PascalCase id, unique; the Lambda's logical name and the local handler key. */
  readonly name: string;
  /** Path from the project root to a module exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly tables?: Partial<Record<TableName, Access>>;
  readonly buckets?: Partial<Record<BucketName, Access>>;
  /** State machines this function may start (StartExecution/DescribeExecution). */
  readonly startsStateMachines?: readonly string[];
  /** State machines whose task tokens this function answers (SendTask*). */
  readonly answersStateMachines?: readonly string[];
  readonly sendsEmail?: boolean;
  /** Needs the JWT settings (HTTP functions that authenticate callers). */
  readonly verifiesJwt?: boolean;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef {
  readonly method: HttpMethod;
  /** API Gateway path syntax: /orgs/{code} */
  readonly path: string;
  readonly function: string;
  /** 'public' = no token; otherwise any one of these roles (or 'any' signed-in user). */
  readonly auth: 'public' | 'any' | readonly Role[];
  readonly summary: string;
}

export interface StateMachineDef {
  readonly name: string;
  /** Path from the project root to the ASL file. */
  readonly file: string;
  /** ${Placeholder} → function name in this manifest. */
  readonly functions: Readonly<Record<string, string>>;
}

export interface ScheduleDef {
  readonly name: string;
  /** EventBridge Scheduler expression: rate(…) or cron(…) (6 fields). */
  readonly expression: string;
  readonly timezone: string;
  readonly target: { readonly function: string } | { readonly stateMachine: string };
  readonly input?: Readonly<Record<string, unknown>>;
  readonly description: string;
}

export interface Manifest {
  readonly functions: readonly FunctionDef[];
  readonly routes: readonly RouteDef[];
  readonly stateMachines: readonly StateMachineDef[];
  readonly schedules: readonly ScheduleDef[];
}

export const manifest: Manifest = {
  functions: [
    {
      name: 'HealthCheck',
      entry: 'functions/platform/health.ts',
      description: 'Liveness: reads the registry table once.',
      tables: { registry: 'read' },
    },
    {
      name: 'OpenApi',
      entry: 'functions/platform/openapi.ts',
      description: 'Serves the OpenAPI 3.1 document generated from the zod schemas.',
    },
    {
      name: 'GetMe',
      entry: 'functions/identity/get-me.ts',
      description: 'The signed-in user, with organisation, roles and clearance.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'ListOrganisations',
      entry: 'functions/identity/list-organisations.ts',
      description: 'Organisations, optionally under a parent.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'GetOrganisation',
      entry: 'functions/identity/get-organisation.ts',
      description: 'One organisation and its users.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'ListUsers',
      entry: 'functions/identity/list-users.ts',
      description: 'Users of an organisation.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'UpdateUserClearance',
      entry: 'functions/identity/update-user-clearance.ts',
      description: 'An administrator changes a user clearance (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'UpdateHolidayCalendar',
      entry: 'functions/platform/update-holiday-calendar.ts',
      description: 'An administrator loads a year of the State Council holiday notice (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      verifiesJwt: true,
    },
    {
      name: 'GetCalendar',
      entry: 'functions/platform/get-calendar.ts',
      description: 'Working-day arithmetic: a deadline from a start date and a number of working days.',
      tables: { registry: 'read' },
      verifiesJwt: true,
    },
    {
      name: 'StartPing',
      entry: 'functions/platform/start-ping.ts',
      description: 'Starts the ping state machine (proves the human-task chain end to end).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
      startsStateMachines: ['Ping'],
      verifiesJwt: true,
    },
    {
      name: 'PingWait',
      entry: 'functions/platform/ping-wait.ts',
      description: 'The waitForTaskToken step of the ping state machine: records the task.',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    {
      name: 'PingDone',
      entry: 'functions/platform/ping-done.ts',
      description: 'The last step of the ping state machine: records the outcome (audited).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
    {
      name: 'DeadlineWatch',
      entry: 'functions/platform/deadline-watch.ts',
      description: 'Daily: records that the watch ran (the supervision context fills it in).',
      tables: { registry: 'readWrite', logs: 'readWrite' },
    },
  ],
  routes: [
    { method: 'GET', path: '/health', function: 'HealthCheck', auth: 'public', summary: '健康检查' },
    { method: 'GET', path: '/openapi.json', function: 'OpenApi', auth: 'public', summary: 'OpenAPI 3.1 文档' },
    { method: 'GET', path: '/me', function: 'GetMe', auth: 'any', summary: '当前用户' },
    { method: 'GET', path: '/orgs', function: 'ListOrganisations', auth: 'any', summary: '组织列表' },
    { method: 'GET', path: '/orgs/{code}', function: 'GetOrganisation', auth: 'any', summary: '组织详情' },
    { method: 'GET', path: '/orgs/{code}/users', function: 'ListUsers', auth: 'any', summary: '组织用户' },
    { method: 'PUT', path: '/users/{userId}/clearance', function: 'UpdateUserClearance', auth: ['administrator'], summary: '调整用户密级权限' },
    { method: 'PUT', path: '/calendar/{year}', function: 'UpdateHolidayCalendar', auth: ['administrator'], summary: '更新年度节假日安排' },
    { method: 'GET', path: '/calendar/deadline', function: 'GetCalendar', auth: 'any', summary: '计算工作日期限' },
    { method: 'POST', path: '/pings', function: 'StartPing', auth: 'any', summary: '启动连通性流程（人工任务）' },
  ],
  stateMachines: [
    {
      name: 'Ping',
      file: 'statemachines/ping.asl.json',
      functions: { PingWaitFunctionArn: 'PingWait', PingDoneFunctionArn: 'PingDone' },
    },
  ],
  schedules: [
    {
      name: 'DailyDeadlineWatch',
      expression: 'cron(0 8 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'DeadlineWatch' },
      description: '每日 08:00 检查法定期限',
    },
  ],
};

export function functionByName(name: string): FunctionDef {
  const fn = manifest.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`manifest: no function named ${name}`);
  return fn;
}
