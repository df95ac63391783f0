import { z } from 'zod';
// Only the one locale: `z.locales` would bundle all of them (~450 KB per Lambda).
import zhCN from 'zod/v4/locales/zh-CN.js';
import { ValidationError, type FieldIssue } from '#shared/errors.ts';

// Chinese first: zod's own zh-CN messages for every schema in the process.
z.config(zhCN());

export function fieldIssues(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    code: issue.code.toUpperCase(),
    message: issue.message,
  }));
}

/** Parse or throw a ValidationError naming every bad field, e.g. `body.name`. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error, where);
  const first = issues[0];
  throw new ValidationError(
    first ? `请求参数有误：${first.field} ${first.message}` : '请求参数有误',
    issues,
  );
}
