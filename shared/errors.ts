/**
 * Named domain errors. Each carries an English code and a Chinese message a
 * person can act on; the HTTP status comes from one table (runtime/status.ts).
 */
export interface FieldIssue {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details?: readonly FieldIssue[];
  constructor(message: string, details?: readonly FieldIssue[]) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
}
export class UnauthenticatedError extends DomainError {
  readonly code: string;
  constructor(code: 'TOKEN_MISSING' | 'TOKEN_EXPIRED' | 'TOKEN_INVALID' | 'USER_UNKNOWN', message: string) {
    super(message);
    this.code = code;
  }
}
export class ForbiddenError extends DomainError {
  readonly code: string = 'FORBIDDEN';
}
/** A verified sign-in whose subject or email no registered person holds (aws-cn, issue 12): 403 账号未开通. */
export class AccountNotProvisionedError extends ForbiddenError {
  override readonly code = 'ACCOUNT_NOT_PROVISIONED';
}
/** A deactivated person signs in: 403 账号已停用. */
export class AccountDisabledError extends ForbiddenError {
  override readonly code = 'ACCOUNT_DISABLED';
}
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}
export class ConflictError extends DomainError {
  readonly code: string;
  constructor(code: string, message: string, details?: readonly FieldIssue[]) {
    super(message, details);
    this.code = code;
  }
}
/**
 * A well-formed request whose content the domain refuses as a whole (422), with a report of every problem — e.g.
 * an onboarding file applied with rows in error: `report` is the same row/column/message report a dry run answers.
 */
export class UnprocessableError extends DomainError {
  readonly code: string;
  readonly report?: unknown;
  constructor(code: string, message: string, details?: readonly FieldIssue[], report?: unknown) {
    super(message, details);
    this.code = code;
    if (report !== undefined) this.report = report;
  }
}
/** A state change whose precondition no longer holds (decided twice, sealed, …). */
export class PreconditionFailedError extends ConflictError {}
export class RouteNotFoundError extends DomainError {
  readonly code = 'ROUTE_NOT_FOUND';
}
export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}
/** A request body that is not declared as JSON (content-type missing or another type). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}
