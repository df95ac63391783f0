import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnauthenticatedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#shared/errors.ts';

/** The one error → HTTP status table. Anything not listed is a 500. */
const table: ReadonlyArray<readonly [abstract new (...args: never[]) => DomainError, number]> = [
  [ValidationError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [RouteNotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [UnprocessableError, 422],
];

export function statusOf(error: unknown): number {
  for (const [type, status] of table) if (error instanceof type) return status;
  return 500;
}
