/** The words of a withdrawal decision (task page, emails, the console), kept apart so the task kinds' bundles carry only this. */
export const withdrawalWords = { approve: '同意撤回', ret: '不予撤回' } as const;
/** The human-task kind of a withdrawal decision (shared/publication/tasks.ts). */
export const publicationWithdrawalKindId = 'publicationWithdrawal';
