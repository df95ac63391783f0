/**
 * The workflow engine as the domain sees it: Step Functions on AWS, the
 * local cloud's endpoint on the laptop (same adapter, AWS_ENDPOINT_URL_SFN).
 */
export interface Workflow {
  /**
   * Starts the named state machine (a manifest name, e.g. `Ping`). The
   * execution name makes the start idempotent: the same name and input while
   * the execution runs returns the same ARN, so a retried request cannot
   * start a second execution. Returns the execution ARN.
   */
  start(stateMachine: string, executionName: string, input: unknown): Promise<string>;
  /** Completes a `.waitForTaskToken` task with this output. */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  /** Fails it; `error` is the name Catch/Retry match in the state machine. */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  /** Keeps a task with HeartbeatSeconds alive. */
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}
