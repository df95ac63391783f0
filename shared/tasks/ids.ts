import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';

/**
 * A human task's id: 128 random bits, base64url (22 characters). It is the
 * only thing an emailed link carries, so it must not be guessable; it grants
 * nothing by itself (the assignee still signs in).
 */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

const taskIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** A string that could be a task id; anything else is answered like an unknown id (404), without a read. */
export function isTaskId(value: string): boolean {
  return taskIdPattern.test(value);
}

export const humanTaskIdSchema = described(z.string().check(z.minLength(1)).check(z.maxLength(128)), '人工任务编号（邮件链接中的 22 位随机编号）');
