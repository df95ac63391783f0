import * as z from 'zod/mini';

/**
 * zod classic's `.describe(text)` for zod/mini schemas: a copy of the schema
 * with the description in the global registry (which the OpenAPI document
 * reads). Not mini's `z.describe()` check: that adds a check, and an object
 * with a check can no longer be `z.extend`ed.
 */
export function described<T extends z.core.$ZodType>(schema: T, description: string): T {
  const copy = z.clone(schema);
  z.globalRegistry.add(copy, { description });
  return copy;
}
