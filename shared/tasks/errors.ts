import { chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';

/** Named refusals of the human-task facility, each with a Chinese message the assignee can act on. */

export class HumanTaskNotFoundError extends NotFoundError {
  constructor() {
    // The same answer for a forged id and a deleted task: nothing to learn by guessing.
    super('任务不存在：链接可能有误或已失效，请核对邮件中的链接');
  }
}

export class NotAssigneeError extends ForbiddenError {
  constructor(userId: string) {
    super(`无权处理此任务：任务未指派给当前登录用户（${userId}）。请使用收到邮件的账号登录`);
  }
}

export class HumanTaskAlreadyDecidedError extends ConflictError {
  constructor(decidedBy?: string, decidedAt?: string) {
    super(
      'TASK_ALREADY_DECIDED',
      `该任务已处理${decidedBy ? `（${decidedBy}${decidedAt ? ` 于 ${chinaDateTime(decidedAt)}` : ''}）` : ''}，每个任务只能决定一次，本次操作未执行`,
    );
  }
}

export class HumanTaskExpiredError extends ConflictError {
  constructor() {
    // Only what is known here: the task can no longer be decided. Whether it timed out, was superseded or its
    // workflow ended is on the task page (status) and the subject's timeline — never claimed here.
    super('TASK_EXPIRED', '该任务已失效（流程已不再等待此任务的决定），本次操作未执行；请打开任务页面或成果时间线查看当前状态');
  }
}
