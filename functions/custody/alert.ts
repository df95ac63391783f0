import { z } from 'zod';
import { alertProblems } from '#shared/custody/integrity.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { integrityAuditPortsFromEnv, type IntegrityAuditPorts } from './deps.ts';

export const alertInputSchema = z.object({ reportKey: z.string().min(1), execution: z.string().optional() });

/** "Alert": custodian and organiser emailed in Chinese, naming each bad object and the restore procedure. */
export function makeHandler(ports?: IntegrityAuditPorts) {
  return withSfnTask('AlertIntegrityProblems', alertInputSchema, async (input) => alertProblems(ports ?? (await integrityAuditPortsFromEnv()), { reportKey: input.reportKey }));
}

export const handler = makeHandler();
