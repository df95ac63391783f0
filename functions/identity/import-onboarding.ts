import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { directory, people, signInAccounts } from '#runtime/ports/accounts.ts';
import { auditTrailPort, identityAdmin } from '#runtime/ports/registry.ts';
import { importOnboarding } from '#shared/identity/onboarding.ts';
import { readOnboardingCsv, readOnboardingXlsx } from '#shared/identity/onboarding-files.ts';
import { ValidationError } from '#shared/errors.ts';
import { identity } from './context.ts';

/** POST /onboarding/imports — bulk onboarding: dry run (every row's outcome), then apply (idempotent; with errors 422). */
export const handler = http(identity, 'ImportOnboarding', [directory, people, signInAccounts, identityAdmin, auditTrailPort, now], async (req, p) => {
  const b = req.body;
  let sheets;
  if (b.format === 'xlsx') {
    if (!b.workbook) throw new ValidationError('请求参数有误：body.workbook 格式为 xlsx 时须提供工作簿内容（base64）', [{ field: 'body.workbook', code: 'REQUIRED', message: '须提供工作簿内容（base64）' }]);
    sheets = await readOnboardingXlsx(Buffer.from(b.workbook, 'base64'));
  } else {
    if (b.organisationsCsv === undefined && b.peopleCsv === undefined) {
      throw new ValidationError('请求参数有误：body.organisationsCsv 格式为 csv 时须提供“组织”或“人员”表', [{ field: 'body.organisationsCsv', code: 'REQUIRED', message: '须提供 organisationsCsv 或 peopleCsv' }]);
    }
    sheets = await readOnboardingCsv({ organisations: b.organisationsCsv, people: b.peopleCsv });
  }
  return {
    body: await importOnboarding(
      { actor: req.principal, sheets, mode: b.mode, requestId: req.requestId },
      { identity: p.people, directory: p.directory, accounts: p.accounts, admin: p.identityAdmin, trail: p.trail, now: p.now },
    ),
  };
});
