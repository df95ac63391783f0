import { http } from '#runtime/http.ts';
import { newHex4, now } from '#runtime/ports/basics.ts';
import { grantsHeld, problemStore, resultFiles } from '#runtime/ports/feedback.ts';
import { calendar, catalogue } from '#runtime/ports/registry.ts';
import { problemView, reportProblem } from '#shared/feedback/problems.ts';
import { feedback } from './context.ts';

/** POST /feedback/problems — a requester or the custodian reports a quality problem (R19.2); 201. */
export const handler = http(feedback, 'ReportQualityProblem', [catalogue, problemStore, resultFiles, grantsHeld, calendar, now, newHex4], async (req, p) => {
  const { resultNumber, file, location, description, severity } = req.body;
  const problem = await reportProblem(p, {
    actor: req.principal,
    resultNumber,
    file,
    location: { ...(location.bbox ? { bbox: location.bbox } : {}), ...(location.featureIds ? { featureIds: location.featureIds } : {}) },
    description,
    severity,
    requestId: req.requestId,
  });
  return { status: 201, body: { problem: problemView(problem) } };
});
