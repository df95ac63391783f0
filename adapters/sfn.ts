import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { requireEnv, stateMachineEnv } from '#adapters/config.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { Workflow } from '#shared/ports/workflow.ts';

/**
 * One Step Functions client per process. The endpoint comes from the SDK's
 * standard AWS_ENDPOINT_URL_SFN when set (the local cloud), else AWS.
 */
let client: SFNClient | undefined;
export function sfnClient(): SFNClient {
  client ??= new SFNClient({});
  return client;
}

/**
 * A task token that is no longer open is a state conflict for the caller
 * (decided already, timed out), an unknown one is not found; both are named
 * so the HTTP layer answers 409/404 instead of 500.
 */
function mapTaskError(error: unknown): never {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TaskTimedOut') throw new ConflictError('TASK_CLOSED', '该任务已结束（已处理或已超时），本次操作未执行');
  if (name === 'TaskDoesNotExist' || name === 'InvalidToken') throw new NotFoundError('任务不存在或已失效');
  throw error;
}

export class StepFunctionsWorkflow implements Workflow {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async start(stateMachine: string, executionName: string, input: unknown): Promise<string> {
    const out = await sfnClient().send(
      new StartExecutionCommand({
        stateMachineArn: requireEnv(stateMachineEnv(stateMachine), this.env),
        name: executionName,
        input: JSON.stringify(input),
      }),
    );
    if (!out.executionArn) throw new Error(`StartExecution of ${stateMachine} returned no executionArn`);
    return out.executionArn;
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    await sfnClient().send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })).catch(mapTaskError);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await sfnClient().send(new SendTaskFailureCommand({ taskToken, error, cause })).catch(mapTaskError);
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    await sfnClient().send(new SendTaskHeartbeatCommand({ taskToken })).catch(mapTaskError);
  }
}

export function workflowFromEnv(env: NodeJS.ProcessEnv = process.env): Workflow {
  return new StepFunctionsWorkflow(env);
}
