/** Forms of the custodian's and administrator's pages: the API's Chinese message next to the field it names, else one line above the button. */
import { ApiError } from './api.ts';

/**
 * Clears `errors`, then puts each field issue of `e` next to its field (body.x, body.x.y → x). Returns what is left
 * to say in one line: a 403 says that the action is outside what this user may do (the API's message says why).
 */
export function showApiError(e: unknown, errors: Record<string, string | undefined>, fields: readonly string[]): string | undefined {
  for (const k of Object.keys(errors)) errors[k] = undefined;
  if (e instanceof ApiError) {
    if (e.status === 403) return `无权办理（403 ${e.code}）：${e.message}`;
    let placed = false;
    for (const f of fields) {
      const m = e.fieldMessage(f);
      if (m) {
        errors[f] = m;
        placed = true;
      }
    }
    return placed ? undefined : `${e.message}（${e.code}）`;
  }
  return e instanceof Error ? e.message : String(e);
}

export function clearErrors(errors: Record<string, string | undefined>): void {
  for (const k of Object.keys(errors)) errors[k] = undefined;
}
