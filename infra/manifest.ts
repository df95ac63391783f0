/**
 * The one manifest: every function, HTTP route, state machine and schedule.
 * Both the CDK app (infra/stacks) and the local cloud (infra/local) read it,
 * so the cloud and the laptop cannot drift apart (test/infra/manifest.test.ts).
 */
import type { Access, BucketName, StreamKeys, TableName } from '#adapters/config.ts';
import type { Role } from '#shared/identity/roles.ts';

export type { Access, BucketName, TableName } from '#adapters/config.ts';

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
  /**
   * The one function that holds the stage's mail transport (SendMail: SES on aws, SMTP on aws-cn and locally).
   * Every other `sendsEmail` function hands its messages to it (an asynchronous invoke, MAIL_FUNCTION), so
   * nodemailer is bundled into it alone (issue 10). Exactly one function holds it (test/unit/grants.test.ts).
   */
  readonly deliversMail?: boolean;
  /** Needs the JWT settings (HTTP functions that authenticate callers). */
  readonly verifiesJwt?: boolean;
  /** Seals or opens Step Functions task tokens (human tasks): gets the task-token KMS key. */
  readonly sealsTaskTokens?: boolean;
  /**
   * Destruction only (销毁): may delete custody object versions, bypassing
   * Object Lock GOVERNANCE retention. Exactly one function holds it
   * (test/infra); every other custody grant is read or write-once.
   */
  readonly destroysCustodyObjects?: boolean;
  /**
   * The audit anchor job (R10.1): may Sign with the asymmetric anchor key and
   * write under audit-anchors/ of the custody bucket. Exactly one function
   * holds it (test/infra).
   */
  readonly signsAuditAnchors?: boolean;
  /** SIGN_IN_ACCOUNTS (+ USER_POOL_ID and the Cognito admin grants on the pool, aws only): creates and disables accounts. */
  readonly managesSignIn?: boolean;
  /**
   * The public-catalogue publishers (R9.3): may delete under the published
   * bucket's public-catalogue/ prefix only, so an entry taken out of the public
   * catalogue (reclassified, destroyed) stops being served. No other delete.
   */
  readonly publishesPublicCatalogue?: boolean;
  /**
   * R17.2 on AWS with a download key (-c downloadPublicKey): DOWNLOAD_* and GetSecretValue on the one signing-key
   * secret; CloudFront serves releases/ to its signed URLs. Exactly one function holds it (test/infra/public-site.test.ts).
   */
  readonly signsDownloads?: boolean;
  /**
   * At most this many instances at once (Lambda reserved concurrency). The
   * public-catalogue publisher takes 1, so two rebuilds never interleave their
   * writes and an older rebuild cannot finish after a newer one.
   */
  readonly reservedConcurrency?: number;
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

/**
 * A table's change stream feeding one function: a DynamoDB Streams event
 * source mapping on AWS (NEW_AND_OLD_IMAGES, filtered by key), and the local
 * cloud's stream poller on DynamoDB Local's own streams (infra/local).
 */
export interface StreamDef {
  readonly name: string;
  /** The table whose stream is read; infra/tables.ts must give it a stream. */
  readonly table: TableName;
  readonly function: string;
  /**
   * Only records whose keys match reach the function: pk starts with
   * `pkPrefix` and, when given, sk equals `sk` (Lambda event filtering on
   * AWS; the local poller applies the same rule).
   */
  readonly keys: StreamKeys;
  /** Records are gathered for up to this long before one invocation: a burst of changes becomes one run. */
  readonly batchingWindowSeconds: number;
  readonly batchSize: number;
  readonly description: string;
}

export interface Manifest {
  readonly functions: readonly FunctionDef[];
  readonly routes: readonly RouteDef[];
  readonly stateMachines: readonly StateMachineDef[];
  readonly schedules: readonly ScheduleDef[];
  readonly streams: readonly StreamDef[];
}

import type { AnyContext } from '#runtime/define.ts';
import { flatten } from '#runtime/define.ts';
import { catalogue } from '#functions/catalogue/context.ts';
import { catalogueReport } from '#functions/catalogue-report/context.ts';
import { custody } from '#functions/custody/context.ts';
import { destruction } from '#functions/destruction/context.ts';
import { identity } from '#functions/identity/context.ts';
import { platform } from '#functions/platform/context.ts';
import { publication } from '#functions/publication/context.ts';
import { sharing } from '#functions/sharing/context.ts';
import { submission } from '#functions/submission/context.ts';
import { tasks } from '#functions/tasks/context.ts';
import { transfer } from '#functions/transfer/context.ts';
import { supervision } from '#functions/supervision/context.ts';
import { verification } from '#functions/verification/context.ts';
import { feedback } from '#functions/feedback/context.ts';

export { publisherMemoryMb } from '#functions/catalogue/context.ts';

/**
 * The bounded contexts, each declared in its own module (functions/<ctx>/context.ts).
 * The flat `manifest` below is derived from them; a context's name is its folder and
 * its nested stack id.
 */
export const contexts: readonly AnyContext[] = [
  platform,
  identity,
  submission,
  tasks,
  verification,
  catalogue,
  custody,
  destruction,
  catalogueReport,
  transfer,
  supervision,
  publication,
  sharing,
  feedback,
];

/** An API Gateway HTTP API integration times out after 29 s: a routed function must finish inside it. */
const maxRoutedTimeoutSeconds = 29;

/**
 * Every rule that spans contexts, in one place: unique names (human-task kinds too), every reference
 * resolves (routes, state-machine functions, starts, schedules, streams), each
 * function in the folder of its context, routed functions inside the API's 29 s.
 * Throws naming every breach.
 */
export function checked(m: Manifest, ctxs: readonly AnyContext[] = contexts): Manifest {
  const problems: string[] = [];
  const dup = (kind: string, names: readonly string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) problems.push(`duplicate ${kind} ${n}`);
      seen.add(n);
    }
  };
  dup('function', m.functions.map((f) => f.name));
  dup('route', m.routes.map((r) => `${r.method} ${r.path}`));
  dup('routed function', m.routes.map((r) => r.function));
  dup('state machine', m.stateMachines.map((s) => s.name));
  dup('schedule', m.schedules.map((s) => s.name));
  dup('stream', m.streams.map((s) => s.name));
  dup('context', ctxs.map((c) => c.name));
  dup('human-task kind', ctxs.flatMap((c) => Object.keys(c.humanTaskKinds)));
  const fns = new Map(m.functions.map((f) => [f.name, f]));
  const machines = new Set(m.stateMachines.map((s) => s.name));
  for (const ctx of ctxs) {
    for (const [name, spec] of Object.entries(ctx.functions)) {
      if (!spec.entry.startsWith('./')) problems.push(`${ctx.name}.${name}: entry must sit beside context.ts`);
    }
    for (const key of Object.keys(ctx.routes)) if (!(key in ctx.functions)) problems.push(`${ctx.name}: route for unknown function ${key}`);
    for (const sm of Object.values(ctx.stateMachines)) {
      for (const f of sm.functions) {
        if (typeof f !== 'string' && !ctxs.some((c) => c.name === f.context && f.name in c.functions)) problems.push(`${ctx.name}: no function ${f.context}.${f.name}`);
      }
    }
  }
  for (const r of m.routes) {
    const fn = fns.get(r.function);
    if (!fn) problems.push(`route ${r.method} ${r.path}: no function ${r.function}`);
    else if ((fn.timeoutSeconds ?? 0) > maxRoutedTimeoutSeconds) problems.push(`${fn.name}: routed, timeout ${fn.timeoutSeconds} s > ${maxRoutedTimeoutSeconds} s`);
  }
  for (const sm of m.stateMachines) for (const f of Object.values(sm.functions)) if (!fns.has(f)) problems.push(`${sm.name}: no function ${f}`);
  for (const f of m.functions) {
    for (const s of [...(f.startsStateMachines ?? []), ...(f.answersStateMachines ?? [])]) if (!machines.has(s)) problems.push(`${f.name}: no state machine ${s}`);
  }
  for (const s of m.schedules) {
    const ok = 'function' in s.target ? fns.has(s.target.function) : machines.has(s.target.stateMachine);
    if (!ok) problems.push(`schedule ${s.name}: unknown target`);
  }
  for (const s of m.streams) if (!fns.has(s.function)) problems.push(`stream ${s.name}: no function ${s.function}`);
  if (problems.length) throw new Error(`manifest: ${problems.join('; ')}`);
  return m;
}

export const manifest: Manifest = checked(flatten(contexts));

export function functionByName(name: string): FunctionDef {
  const fn = manifest.functions.find((f) => f.name === name);
  if (!fn) throw new Error(`manifest: no function named ${name}`);
  return fn;
}
