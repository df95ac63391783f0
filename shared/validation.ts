import * as z from 'zod/mini';
// Only the one locale: `z.locales` would bundle all of them (~450 KB per Lambda).
import zhCN from 'zod/v4/locales/zh-CN.js';
import { ValidationError, type FieldIssue } from '#shared/errors.ts';

// zod's zh-CN locale leaves some type names in English ("期望 string，实际接收 数字"): these read as Chinese.
const typeNames: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '布尔值（true 或 false）',
  object: '对象',
  array: '数组',
  null: '空值（null）',
  undefined: '空（未填写）',
  nan: '非数字（NaN）',
  date: '日期',
};
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && Number.isNaN(v) ? 'nan' : typeof v);

// Chinese first: zod's own zh-CN messages for every schema in the process, with the type names above.
z.config({
  ...zhCN(),
  customError: (issue) => {
    if (issue.code !== 'invalid_type') return undefined;
    const expected = typeNames[issue.expected] ?? issue.expected;
    if (issue.input === undefined) return `必填，应为${expected}`;
    return `应为${expected}，实际为${typeNames[typeOf(issue.input)] ?? typeOf(issue.input)}`;
  },
});

/** The keys an object schema accepts, to name them when a caller sends another. */
function acceptedKeys(schema: z.core.$ZodType | undefined): string[] {
  return schema && isObjectSchema(schema) ? Object.keys(schema._zod.def.shape) : [];
}

/**
 * An object schema (zod classic's `instanceof ZodObject`), read from its definition: `z.core.$ZodObject` at
 * run time would put all of zod's core namespace in every bundle.
 */
export function isObjectSchema(schema: z.core.$ZodType): schema is z.core.$ZodObject {
  return schema._zod.def.type === 'object';
}

export function fieldIssues(error: z.core.$ZodError, prefix: string, schema?: z.core.$ZodType): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = [prefix, ...issue.path.map(String)].filter(Boolean);
    // An unknown key is named itself (query.regionCode), with what is accepted when the schema says.
    if (issue.code === 'unrecognized_keys') {
      const accepted = issue.path.length === 0 ? acceptedKeys(schema) : [];
      return issue.keys.map((key) => ({
        field: [...at, key].join('.'),
        code: 'UNRECOGNIZED_KEY',
        message: `不支持的参数“${key}”${accepted.length > 0 ? `；可用的参数：${accepted.join('、')}` : ''}`,
      }));
    }
    return [{ field: at.join('.'), code: issue.code.toUpperCase(), message: issue.message }];
  });
}

/** Parse or throw a ValidationError naming every bad field, e.g. `body.name`. */
export function parseOrThrow<S extends z.core.$ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error, where, schema);
  const first = issues[0];
  throw new ValidationError(
    first ? `请求参数有误：${first.field} ${first.message}` : '请求参数有误',
    issues,
  );
}
