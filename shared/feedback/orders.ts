import type { CorrectionOrders, SubmissionStore } from '#shared/ports/submission.ts';
import type { ProblemStore } from './problems.ts';

/**
 * R19.3: the organiser's open orders to correct a submission's result, and the corrections already under way —
 * the problems (correcting, correctionSubmitted) of the result the submission was numbered as. The number is read
 * from the submission's own timeline (numberAssigned, or custodyCopied: a problem needs a custody copy to be
 * reported on), so the submission routes need no catalogue store (kept apart from correction.ts for the bundles).
 */
export function correctionOrders(ports: { store: Pick<SubmissionStore, 'listEvents'>; problems: Pick<ProblemStore, 'listFor'> }): CorrectionOrders {
  return {
    async openOrders(submissionId) {
      const numbered = (await ports.store.listEvents(submissionId)).find((e) => (e.type === 'numberAssigned' || e.type === 'custodyCopied') && typeof e.detail['resultNumber'] === 'string');
      if (!numbered) return [];
      const problems = await ports.problems.listFor(String(numbered.detail['resultNumber']));
      return problems.filter((p) => p.state === 'correcting' || p.state === 'correctionSubmitted').sort((a, b) => a.reportedAt.localeCompare(b.reportedAt));
    },
  };
}
