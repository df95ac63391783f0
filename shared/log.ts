import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; every child carries the request id. */
export const logger = new Logger({ serviceName: 'chengguo', logLevel: (process.env['LOG_LEVEL'] as 'INFO' | undefined) ?? 'INFO' });
