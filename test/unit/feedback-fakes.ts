import type { SharingApplication, SharingGrant } from '#shared/sharing/model.ts';
import type { FakeSharingStore } from './sharing-fakes.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import { FakeWorkflow } from './submission-fakes.ts';

/** A grant on the result (sharing's record as the review leaves it): the application addressed to the organiser, its review's grant. */
export function grantOn(sharing: FakeSharingStore, resultNumber: string, id: string, over: Partial<SharingGrant> & { requesterOrg: string; users: string[] }): void {
  const app: SharingApplication = {
    applicationId: `APP-${id}`,
    requesterOrg: over.requesterOrg,
    requestedBy: over.users[0] ?? 'nobody',
    requestedAt: '2026-09-01T02:00:00.000Z',
    items: [{ resultNumber, organiserOrg: '440000-NR', custodianOrg: '440000-CUS', classification: 'internal' }],
    purpose: '防汛规划',
    scope: '本单位内部使用',
    period: { from: '2026-09-01', to: '2099-12-31' },
    contact: { name: '联系人', phone: '020-00000000' },
    channel: 'online',
    users: over.users,
    reviews: [{ organiserOrg: '440000-NR', resultNumbers: [resultNumber], status: 'approved', grantId: `G-${id}` }],
    status: 'decided',
    timeline: [],
    version: 2,
  };
  const grant: SharingGrant = {
    grantId: `G-${id}`,
    applicationId: app.applicationId,
    organiserOrg: '440000-NR',
    custodianOrgs: ['440000-CUS'],
    resultNumbers: [resultNumber],
    classification: 'internal',
    files: [],
    from: '2026-09-01',
    to: '2099-12-31',
    purpose: '防汛规划',
    scope: '本单位内部使用',
    status: 'active',
    createdAt: '2026-09-02T02:00:00.000Z',
    approval: { taskId: 't', decision: 'approve', reasons: '', decidedBy: 'chen.jing', decidedAt: '2026-09-02T02:00:00.000Z' },
    version: 1,
    ...over,
  };
  sharing.apps.set(app.applicationId, app);
  sharing.grants.set(grant.grantId, grant);
}

/** Step Functions as the feedback context sees it: starts (idempotent by name, as FakeWorkflow) and the task successes sent. */
export class StartsAndSuccesses implements Workflow {
  private readonly engine = new FakeWorkflow();
  readonly starts = this.engine.starts;
  readonly successes: Array<{ token: string; output: unknown }> = [];
  start(stateMachine: string, executionName: string, input: unknown): Promise<string> {
    return this.engine.start(stateMachine, executionName, input);
  }
  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    this.successes.push({ token, output });
  }
  async sendTaskFailure(): Promise<void> {}
  async sendTaskHeartbeat(): Promise<void> {}
}
