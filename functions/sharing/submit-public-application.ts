import { submitPublicApplication } from '#shared/sharing/public.ts';
import { publicApplicationStatusLabels, verificationCodeMinutes } from '#shared/sharing/public-model.ts';
import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { oneTimeCode, publicApplications } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /public/applications — public: stored unverified, the one-time code emailed (202). */
export const handler = http(sharing, 'SubmitPublicApplication', [publicApplications, catalogue, identityRepo, mailer, now, newUuid, oneTimeCode], async (req, p) => {
  const { app, expiresAt } = await submitPublicApplication(p, { input: req.body, requestId: req.requestId });
  return {
    status: 202,
    body: {
      application: {
        applicationId: app.applicationId,
        status: app.status,
        statusLabel: publicApplicationStatusLabels[app.status],
        expiresAt,
        message: `验证码已发送到您的邮箱，请在 ${verificationCodeMinutes} 分钟内提交验证码（POST /public/applications/${app.applicationId}/verification）；验证后申请方为收到。`,
      },
    },
  };
});
