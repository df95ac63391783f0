/**
 * The Lambda Invoke API on loopback (REST, as @aws-sdk/client-lambda speaks
 * it: `POST /2015-03-31/functions/<name>/invocations`), so a function that
 * hands its mail to SendMail (adapters/mail-handover.ts) reaches it through
 * AWS_ENDPOINT_URL_LAMBDA, unchanged code — the path the deployed system
 * takes (issue 10). Signatures are not checked.
 *
 * `X-Amz-Invocation-Type: Event` is answered 202 at once and run in the
 * background as Lambda runs an asynchronous event: a failed run is retried
 * twice, then the event is a dead letter (`onDeadLetter`: the local cloud logs
 * it and appends it to logs/dead-letters.jsonl). Lambda waits about one and
 * two minutes between the attempts; here `retryDelaysMs` (default 1 s, 2 s).
 * `RequestResponse` runs the function and answers its result (an error as
 * X-Amz-Function-Error: Unhandled with the error document, as Lambda does).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FunctionError, type LocalFunctions } from './lambda-runtime.ts';

/** Lambda's limit for an asynchronous event (1 MB for a synchronous one; the smaller is enforced for both here). */
const maxPayloadBytes = 1024 * 1024;

export interface LambdaEndpointOptions {
  readonly functions: Pick<LocalFunctions, 'invoke' | 'status'>;
  readonly retryDelaysMs?: readonly number[];
  readonly onDeadLetter: (name: string, event: unknown, error: FunctionError) => void;
  readonly log: (line: string) => void;
}

export interface LambdaEndpoint {
  readonly server: Server;
  /** Resolves when every asynchronous event accepted so far has finished (sent, or dead-lettered). */
  idle(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': headers['x-amzn-requestid'] ?? randomUUID(), ...headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const asFunctionError = (e: unknown): FunctionError => (e instanceof FunctionError ? e : new FunctionError('Error', e instanceof Error ? e.message : String(e), []));

export function lambdaEndpoint(opts: LambdaEndpointOptions): LambdaEndpoint {
  const delays = opts.retryDelaysMs ?? [1000, 2000];
  const running = new Set<Promise<void>>();

  const runEvent = async (name: string, event: unknown, requestId: string): Promise<void> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await opts.functions.invoke(name, event, { requestId });
        return;
      } catch (error) {
        const e = asFunctionError(error);
        if (attempt >= delays.length) {
          opts.onDeadLetter(name, event, e);
          return;
        }
        opts.log(`函数 ${name} 异步调用失败，${delays[attempt]} ms 后重试 (async invoke failed, retrying): ${e.errorType}: ${e.errorMessage}`);
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?.*)?$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match?.[1]) return send(res, 404, JSON.stringify({ Type: 'User', message: `no such operation: ${req.method} ${req.url}` }), { 'x-amzn-errortype': 'ResourceNotFoundException' });
      // A name, a partial ARN (…:function:Name) or a full ARN: the name is what follows "function:".
      const name = decodeURIComponent(match[1]).replace(/^.*:function:/, '').replace(/:.*$/, '');
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, JSON.stringify({ Type: 'User', message: 'Request must be smaller than 1048576 bytes for the InvokeFunction operation' }), { 'x-amzn-errortype': 'RequestTooLargeException' });
      let event: unknown;
      try {
        event = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
      } catch {
        return send(res, 400, JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }), { 'x-amzn-errortype': 'InvalidRequestContentException' });
      }
      if (!opts.functions.status.has(name)) return send(res, 404, JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }), { 'x-amzn-errortype': 'ResourceNotFoundException' });
      const requestId = randomUUID();
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type === 'Event') {
        const run = runEvent(name, event, requestId).finally(() => running.delete(run));
        running.add(run);
        return send(res, 202, '', { 'x-amzn-requestid': requestId });
      }
      try {
        const out = await opts.functions.invoke(name, event, { requestId });
        return send(res, 200, JSON.stringify(out ?? null), { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' });
      } catch (error) {
        const e = asFunctionError(error);
        if (e.errorType === 'ResourceNotFoundException') return send(res, 404, JSON.stringify({ Type: 'User', message: e.errorMessage }), { 'x-amzn-errortype': 'ResourceNotFoundException' });
        return send(res, 200, JSON.stringify({ errorType: e.errorType, errorMessage: e.errorMessage, trace: e.trace }), { 'x-amzn-requestid': requestId, 'x-amz-function-error': 'Unhandled' });
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ message: error instanceof Error ? error.message : String(error) }), { 'x-amzn-errortype': 'ServiceException' });
    });
  });

  return {
    server,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
