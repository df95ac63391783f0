import { verifyPublicApplication } from '#shared/sharing/public.ts';
import { publicApplicationStatusLabels } from '#shared/sharing/public-model.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar, identityRepo } from '#runtime/ports/registry.ts';
import { publicApplications } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /public/applications/{applicationId}/verification — public: the code; received, the answer clock started. */
export const handler = http(sharing, 'VerifyPublicApplication', [publicApplications, identityRepo, calendar, mailer, now], async (req, p) => {
  const app = await verifyPublicApplication(p, { applicationId: req.path.applicationId, code: req.body.code, requestId: req.requestId });
  return {
    body: {
      application: {
        applicationId: app.applicationId,
        status: app.status,
        statusLabel: publicApplicationStatusLabels[app.status],
        receivedOn: app.receivedOn!,
        due: app.due!,
        message: `申请已于 ${app.receivedOn} 收到，将在 ${app.due} 前答复，答复以邮件告知。`,
      },
    },
  };
});
