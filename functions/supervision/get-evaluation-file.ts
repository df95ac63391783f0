import { http } from '#runtime/http.ts';
import { bulletinFiles, evaluationReader } from '#runtime/ports/supervision.ts';
import { evaluationView, readEvaluationFile } from '#shared/supervision/evaluation-ack.ts';
import { supervision } from './context.ts';

/** GET /supervision/evaluations/{evaluationId}/file — the stored evaluation (HTML) with its record; 404 outside the reader's scope. */
export const handler = http(supervision, 'GetEvaluationFile', [evaluationReader, bulletinFiles], async (req, p) => {
  const { record, body } = await readEvaluationFile({ identity: p.identity, evaluations: p.evaluations, files: p.files }, { actor: req.principal, evaluationId: req.path.evaluationId });
  return {
    body: { evaluation: evaluationView(record), fileName: record.key.split('/').pop()!, contentType: 'text/html; charset=utf-8', text: new TextDecoder().decode(body) },
    headers: { 'cache-control': 'no-store' },
  };
});
