/** Step Functions: the machines a function starts (their ARN variables come from the manifest's `starts`). */
import { workflowFromEnv } from '#adapters/sfn.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import { port } from '../port.ts';

export const workflow = /* @__PURE__ */ port({
  name: 'workflow',
  env: (fn) => (fn.startsStateMachines ?? []).map((stateMachine) => ({ stateMachine })),
  build: (env): Workflow => workflowFromEnv(env),
});
