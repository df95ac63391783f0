/**
 * The manifest's functions, run in-process the way Lambda runs them: the
 * module's exported `handler(event, context)` with a realistic context, the
 * event and the result passed through JSON (as the Lambda service does, so
 * a Date or an undefined field behaves as it will on AWS), and the
 * function's timeout enforced.
 *
 * Known differences: one process serves every function, so module-scope
 * state is shared between invocations of the same function (as in a warm
 * container) and there is no per-function memory limit or IAM boundary.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { manifest, type FunctionDef } from '#infra/manifest.ts';
import { localAccount, localRegion } from './ports.ts';

/** The Lambda default when the manifest says nothing (CDK's default is 3 s; the function construct raises it). */
export const defaultTimeoutSeconds = 30;

type Handler = (event: unknown, context: Context) => unknown;

export type LoadState = { readonly loaded: true } | { readonly loaded: false; readonly error: string };

/** A Lambda invocation error: `errorType` is what Step Functions matches in Retry/Catch. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly trace: readonly string[],
  ) {
    super(errorMessage);
    this.name = errorType;
  }
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${localRegion}:${localAccount}:function:${name}`;
}

export interface LocalFunctions {
  readonly status: ReadonlyMap<string, LoadState>;
  /** Runs the function; a thrown error becomes a FunctionError (as the Lambda service reports it). */
  invoke(name: string, event: unknown, opts?: { requestId?: string }): Promise<unknown>;
}

function jsonRoundTrip(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function contextFor(fn: FunctionDef, requestId: string, deadline: number): Context {
  const notSupported = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(fn.name),
    memoryLimitInMB: String(fn.memoryMb ?? 1024),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]local`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: notSupported,
    fail: notSupported,
    succeed: notSupported,
  };
}

export async function loadFunctions(projectRoot: string, log: (line: string) => void): Promise<LocalFunctions> {
  const handlers = new Map<string, Handler>();
  const status = new Map<string, LoadState>();
  // Imported in parallel at start-up: a broken module shows in the banner now,
  // not on the first request.
  await Promise.all(
    manifest.functions.map(async (fn) => {
      try {
        const mod = (await import(pathToFileURL(join(projectRoot, fn.entry)).href)) as { handler?: unknown };
        if (typeof mod.handler !== 'function') throw new Error(`${fn.entry} does not export a function named handler`);
        // A handler of a context module (runtime/lambda.ts) names its function and validates its configuration now:
        // a wrong key or a missing variable shows in the banner, as a Lambda init error would on AWS.
        const entry = mod.handler as { fn?: FunctionDef; init?: (env: NodeJS.ProcessEnv) => void };
        if (entry.fn && entry.fn.name !== fn.name) throw new Error(`${fn.entry} is the handler of ${entry.fn.name}, not ${fn.name}`);
        entry.init?.(process.env);
        handlers.set(fn.name, mod.handler as Handler);
        status.set(fn.name, { loaded: true });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        status.set(fn.name, { loaded: false, error: message });
        log(`函数 ${fn.name} 加载失败 (function failed to load): ${message}`);
      }
    }),
  );

  return {
    status,
    async invoke(name, event, opts = {}) {
      const fn = manifest.functions.find((f) => f.name === name);
      if (!fn) throw new FunctionError('ResourceNotFoundException', `Function not found: ${functionArn(name)}`, []);
      const handler = handlers.get(name);
      if (!handler) {
        const state = status.get(name);
        throw new FunctionError('Runtime.ImportModuleError', state && !state.loaded ? state.error : 'not loaded', []);
      }
      const timeoutMs = (fn.timeoutSeconds ?? defaultTimeoutSeconds) * 1000;
      const requestId = opts.requestId ?? randomUUID();
      const deadline = Date.now() + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new FunctionError('Sandbox.Timedout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`, [])),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([Promise.resolve(handler(jsonRoundTrip(event), contextFor(fn, requestId, deadline))), timedOut]);
        return jsonRoundTrip(result);
      } catch (error) {
        if (error instanceof FunctionError) throw error;
        const e = error instanceof Error ? error : new Error(String(error));
        throw new FunctionError(e.name || 'Error', e.message, (e.stack ?? '').split('\n').slice(1).map((l) => l.trim()));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
