import { ValidationError } from '#shared/errors.ts';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A lone UTF-16 surrogate (`"\ud800"` in JSON) is no character: it cannot be written as UTF-8, so DynamoDB
 * refuses it and an audit record holding it could not be stored or hashed the same way twice. Refused here,
 * naming the field (`body.files.0.path`, or the key itself when a key holds one).
 */
export function refuseLoneSurrogates(value: unknown, at = 'body'): void {
  if (typeof value === 'string') {
    if (value.search(loneSurrogate) !== -1) {
      const message = '含有无效的 Unicode 字符（单独的代理项，如 \\ud800），请检查输入';
      throw new ValidationError(`请求参数有误：${at} ${message}`, [{ field: at, code: 'INVALID_UNICODE', message }]);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => refuseLoneSurrogates(v, `${at}.${i}`));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      refuseLoneSurrogates(k, `${at}.${k.replace(loneSurrogate, '\uFFFD')}`);
      refuseLoneSurrogates(v, `${at}.${k}`);
    }
  }
}
