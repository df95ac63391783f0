/**
 * The Step Functions API on loopback, in the AWS JSON 1.0 protocol that
 * @aws-sdk/client-sfn speaks (POST /, `X-Amz-Target: AWSStepFunctions.<Op>`,
 * `application/x-amz-json-1.0`, errors as `{ __type, message }` with status
 * 400). Functions reach it through AWS_ENDPOINT_URL_SFN, unchanged code.
 * Signatures are not checked (any credentials are accepted).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { manifest } from '#infra/manifest.ts';
import { functionArn } from './lambda-runtime.ts';
import { LocalStepFunctions, SfnApiError, type MachineSpec } from './sfn-engine.ts';

const maxRequestBytes = 1024 * 1024;

/** The manifest's ASL files with their ${Placeholder} → function ARN substitutions applied. */
export function manifestMachines(projectRoot: string): MachineSpec[] {
  return manifest.stateMachines.map((sm) => {
    let text = readFileSync(join(projectRoot, sm.file), 'utf8');
    for (const [placeholder, fn] of Object.entries(sm.functions)) text = text.replaceAll(`\${${placeholder}}`, functionArn(fn));
    return { name: sm.name, definition: text };
  });
}

type Operation = (engine: LocalStepFunctions, input: Record<string, never>) => unknown;

const operations: Readonly<Record<string, Operation>> = {
  StartExecution: (e, i) => e.startExecution(i),
  DescribeExecution: (e, i) => e.describeExecution(i),
  ListExecutions: (e, i) => e.listExecutions(i),
  StopExecution: (e, i) => e.stopExecution(i),
  SendTaskSuccess: (e, i) => e.sendTaskSuccess(i),
  SendTaskFailure: (e, i) => e.sendTaskFailure(i),
  SendTaskHeartbeat: (e, i) => e.sendTaskHeartbeat(i),
  DescribeStateMachine: (e, i) => e.describeStateMachine(i),
  ListStateMachines: (e) => e.listStateMachines(),
};

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBytes) throw new SfnApiError('ValidationException', 'request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sfnServer(engine: LocalStepFunctions, log: (line: string) => void): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
        if (req.method !== 'POST' || !op) {
          throw new SfnApiError('UnknownOperationException', 'POST / with X-Amz-Target: AWSStepFunctions.<Operation>');
        }
        const handler = operations[op];
        if (!handler) throw new SfnApiError('UnknownOperationException', `${op} is not supported by the local Step Functions endpoint`);
        const text = await readBody(req);
        let input: Record<string, never>;
        try {
          input = (text ? JSON.parse(text) : {}) as Record<string, never>;
        } catch {
          throw new SfnApiError('SerializationException', 'request body is not JSON');
        }
        send(res, 200, handler(engine, input));
      } catch (error) {
        if (error instanceof SfnApiError) {
          send(res, 400, { __type: error.type, message: error.message }, error.type);
        } else {
          log(`Step Functions endpoint: 内部错误 (internal error): ${error instanceof Error ? error.stack : String(error)}`);
          send(res, 500, { __type: 'InternalFailure', message: 'internal error in the local Step Functions endpoint' }, 'InternalFailure');
        }
      }
    })();
  });
}
