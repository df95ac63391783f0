import { publicApplicationFormPage } from '#shared/sharing/public-page.ts';
import { http } from '#runtime/http.ts';
import { sharing } from './context.ts';

/** GET /public/applications/form — public: the static application form; it reads and stores nothing. */
export const handler = http(sharing, 'PublicApplicationForm', [], async (req) => {
  const page = publicApplicationFormPage({ resultNumber: req.query.resultNumber });
  return { body: page.html, headers: page.headers };
});
