/**
 * The context module's type: one bounded context declares its functions, routes
 * (with their contracts), state machines, schedules and streams together, and
 * the names are tied by type — a route is keyed by its function, a schedule or
 * a stream names a function of its own context, a state machine lists its
 * functions by key or by another context's `ref`, a human-task kind is keyed by
 * its id (a factory building a kind of another id does not compile). The root manifest
 * (infra/manifest.ts) lists the context modules and derives the flat `Manifest`
 * that CDK and the local cloud read (`flatten`, below).
 *
 * Types only, plus `defineContext` and `flatten`; no runtime edge to adapters.
 */
import type {
  Access,
  BucketName,
  FunctionDef,
  HttpMethod,
  Manifest,
  RouteDef,
  ScheduleDef,
  StateMachineDef,
  StreamDef,
  TableName,
} from '#infra/manifest.ts';
import type { HumanTaskKindFactory } from '#shared/tasks/kinds.ts';
import type { RouteContract } from './contract.ts';

export type Auth = RouteDef['auth'];

export interface FunctionSpec {
  /** Beside context.ts: `./get-me.ts` → FunctionDef.entry `functions/<ctx>/get-me.ts`. */
  readonly entry: `./${string}.ts`;
  readonly description: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly reservedConcurrency?: number;
  readonly tables?: Partial<Record<TableName, Access>>;
  readonly buckets?: Partial<Record<BucketName, Access>>;
  readonly sendsEmail?: true;
  /** The one function that holds the stage's mail transport (SES or SMTP); every other `sendsEmail` function hands its mail to it. */
  readonly deliversMail?: true;
  readonly sealsTaskTokens?: true;
  readonly destroysCustodyObjects?: true;
  readonly signsAuditAnchors?: true;
  /** Creates and disables sign-in accounts (issue 12): Cognito admin calls on the user pool on aws; nothing on aws-cn. */
  readonly managesSignIn?: true;
  readonly publishesPublicCatalogue?: true;
  /** R17.2 on AWS: signs CloudFront download URLs (the key pair id, the distribution domain, GetSecretValue on the signing key's secret). */
  readonly signsDownloads?: true;
  /** Answers the task tokens (SendTask*) of every state machine that calls CreateHumanTask. */
  readonly answers?: 'humanTasks';
}

export interface RouteSpec<C extends RouteContract = RouteContract> {
  readonly method: HttpMethod;
  /** API Gateway path syntax: /orgs/{code} */
  readonly path: string;
  readonly auth: Auth;
  readonly summary: string;
  readonly contract: C;
}

/** A function of another context, for its state machines: `tasks.ref.CreateHumanTask`. */
export interface FunctionRef<N extends string = string> {
  readonly context: string;
  readonly name: N;
}

export interface MachineRef<N extends string = string> {
  readonly context: string;
  readonly machine: N;
}

export interface StateMachineSpec<F extends string = string> {
  readonly file: `statemachines/${string}.asl.json`;
  /** Every function its ASL calls; the placeholder is `${<Name>FunctionArn}` (derived, never written). */
  readonly functions: readonly (F | FunctionRef)[];
}

export interface ScheduleSpec<F extends string = string, M extends string = string> extends Omit<ScheduleDef, 'name' | 'target'> {
  readonly target: { readonly function: F } | { readonly stateMachine: M | MachineRef };
}

export interface StreamSpec<F extends string = string> extends Omit<StreamDef, 'name' | 'function'> {
  readonly function: F;
}

type Routes<F> = { readonly [K in keyof F]?: RouteSpec };
type Machines<F> = Record<string, StateMachineSpec<keyof F & string>>;
/** Keyed by kind id; each factory must build the kind of its key. */
type Kinds<H> = { readonly [K in keyof H & string]: HumanTaskKindFactory<K> };

export interface ContextSpec<N extends string, F extends Record<string, FunctionSpec>, R extends Routes<F>, M extends Machines<F>, H extends Kinds<H> = {}> {
  /** = folder under functions/ = nested stack id (unchanged). */
  readonly name: N;
  readonly functions: F;
  /** Keyed by function: a key that is not a function of this context does not compile. */
  readonly routes?: R & { readonly [K in Exclude<keyof R, keyof F>]: never };
  /** The state machines each function starts (StartExecution). */
  readonly starts?: { readonly [K in keyof F]?: readonly ((keyof M & string) | MachineRef)[] };
  readonly stateMachines?: M;
  readonly schedules?: Readonly<Record<string, ScheduleSpec<keyof F & string, keyof M & string>>>;
  readonly streams?: Readonly<Record<string, StreamSpec<keyof F & string>>>;
  /**
   * The human-task kinds this context's workflows wait on (CreateHumanTask's `kind`),
   * each built from the tasks facility's ports; the facility reads them from every
   * context (runtime/ports/human-task-kinds.ts). A kind id is unique across contexts.
   */
  readonly humanTaskKinds?: H;
}

export type BoundedContext<
  N extends string = string,
  F extends Record<string, FunctionSpec> = Record<string, FunctionSpec>,
  R extends Routes<F> = Routes<F>,
  M extends Machines<F> = Machines<F>,
  H extends Kinds<H> = {},
> = Omit<ContextSpec<N, F, R, M, H>, 'routes' | 'stateMachines' | 'humanTaskKinds'> & {
  readonly routes: R;
  readonly stateMachines: M;
  readonly humanTaskKinds: H;
  readonly ref: { readonly [K in keyof F & string]: FunctionRef<K> };
  readonly machine: { readonly [K in keyof M & string]: MachineRef<K> };
};

/** The two table grants most functions take: reads of the registry; audited writes (the registry and the audit chain on the logs table). */
export const readsRegistry = { registry: 'read' } as const;
export const auditedWrites = { registry: 'readWrite', logs: 'readWrite' } as const;

/** Any context module (for the root manifest and the wrappers). */
export interface AnyContext {
  readonly name: string;
  readonly functions: Readonly<Record<string, FunctionSpec>>;
  readonly routes: Readonly<Record<string, RouteSpec | undefined>>;
  readonly starts?: Readonly<Record<string, readonly (string | MachineRef)[] | undefined>>;
  readonly stateMachines: Readonly<Record<string, StateMachineSpec>>;
  readonly schedules?: Readonly<Record<string, ScheduleSpec>>;
  readonly streams?: Readonly<Record<string, StreamSpec>>;
  readonly humanTaskKinds: Readonly<Record<string, HumanTaskKindFactory>>;
}

export function defineContext<
  const N extends string,
  const F extends Record<string, FunctionSpec>,
  const R extends Routes<F> = {},
  const M extends Machines<F> = {},
  const H extends Kinds<H> = {},
>(spec: ContextSpec<N, F, R, M, H>): BoundedContext<N, F, R, M, H> {
  const ref = Object.fromEntries(Object.keys(spec.functions).map((name) => [name, { context: spec.name, name }]));
  const machines = (spec.stateMachines ?? {}) as M;
  const machine = Object.fromEntries(Object.keys(machines).map((m) => [m, { context: spec.name, machine: m }]));
  const humanTaskKinds = (spec.humanTaskKinds ?? {}) as H;
  return { ...spec, routes: (spec.routes ?? {}) as R, stateMachines: machines, humanTaskKinds, ref, machine } as unknown as BoundedContext<N, F, R, M, H>;
}

/**
 * Another context's function or state machine, named by a type-only import of that context
 * (`import type { verification } from '../verification/context.ts'`; `refTo<typeof verification>('verification',
 * 'EscalateReview')`): the same value as `verification.ref.EscalateReview`, checked by the same types, but the
 * other context's module — its contracts, its human-task kinds and what they import — stays out of every bundle
 * of this context (issue 10: ≈ 15 KB in each submission function).
 */
export function refTo<X extends AnyContext & { readonly ref: object }>(context: X['name'], name: keyof X['ref'] & string): FunctionRef<keyof X['ref'] & string> {
  return { context, name };
}

/** Another context's state machine, as `refTo` (the value of `verification.machine.Verification`). */
export function machineOf<X extends AnyContext & { readonly machine: object }>(context: X['name'], machine: keyof X['machine'] & string): MachineRef<keyof X['machine'] & string> {
  return { context, machine };
}

/** Function keys of a context that have a route. */
export type RoutedKey<X extends AnyContext> = { [K in keyof X['routes'] & string]: X['routes'][K] extends RouteSpec ? K : never }[keyof X['routes'] & string];
export type ContractOf<X extends AnyContext, K extends string> = X['routes'][K] extends RouteSpec<infer C> ? C : never;
export type AuthOf<X extends AnyContext, K extends string> = X['routes'][K] extends { readonly auth: infer A } ? A : never;

const fnName = (f: string | FunctionRef): string => (typeof f === 'string' ? f : f.name);
const machineName = (m: string | MachineRef): string => (typeof m === 'string' ? m : m.machine);

/**
 * One function's definition as CDK and the local cloud read it. `answersStateMachines`
 * needs every context (the machines that call CreateHumanTask) and is filled by `flatten`.
 */
export function resolveFunction(ctx: AnyContext, name: string): FunctionDef {
  const spec = ctx.functions[name];
  if (!spec) throw new Error(`context ${ctx.name}: no function ${name}`);
  const { entry, answers: _answers, ...rest } = spec;
  const route = ctx.routes[name];
  const starts = ctx.starts?.[name];
  return {
    name,
    entry: `functions/${ctx.name}/${entry.slice(2)}`,
    ...rest,
    ...(starts?.length ? { startsStateMachines: starts.map(machineName) } : {}),
    ...(route && route.auth !== 'public' ? { verifiesJwt: true } : {}),
  };
}

/** Placeholder → function, derived from a state machine's function list. */
export function placeholders(spec: StateMachineSpec): Record<string, string> {
  return Object.fromEntries(spec.functions.map((f) => [`${fnName(f)}FunctionArn`, fnName(f)]));
}

/** The flat manifest of today's shape, from the context modules (checks are the root manifest's `checked`). */
export function flatten(contexts: readonly AnyContext[], humanTaskFunction = 'CreateHumanTask'): Manifest {
  const stateMachines: StateMachineDef[] = contexts.flatMap((ctx) =>
    Object.entries(ctx.stateMachines).map(([name, spec]) => ({ name, file: spec.file, functions: placeholders(spec) })),
  );
  const answering = stateMachines.filter((m) => Object.values(m.functions).includes(humanTaskFunction)).map((m) => m.name);
  const functions: FunctionDef[] = contexts.flatMap((ctx) =>
    Object.keys(ctx.functions).map((name) => {
      const def = resolveFunction(ctx, name);
      return ctx.functions[name]?.answers === 'humanTasks' ? { ...def, answersStateMachines: answering } : def;
    }),
  );
  const routes: RouteDef[] = contexts.flatMap((ctx) =>
    Object.entries(ctx.routes).flatMap(([fn, r]) => (r ? [{ method: r.method, path: r.path, function: fn, auth: r.auth, summary: r.summary }] : [])),
  );
  const schedules: ScheduleDef[] = contexts.flatMap((ctx) =>
    Object.entries(ctx.schedules ?? {}).map(([name, { target, ...rest }]) => ({
      name,
      ...rest,
      target: 'function' in target ? { function: target.function } : { stateMachine: machineName(target.stateMachine) },
    })),
  );
  const streams: StreamDef[] = contexts.flatMap((ctx) => Object.entries(ctx.streams ?? {}).map(([name, s]) => ({ name, ...s })));
  return { functions, routes, stateMachines, schedules, streams };
}
