import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';

/** The part of the Lambda client used here (a fake in the unit test). */
export interface InvokeClient {
  send(command: InvokeCommand): Promise<{ StatusCode?: number | undefined; $metadata: { requestId?: string | undefined } }>;
}

/**
 * The mail port of every function but SendMail (issue 10): the message is
 * handed to SendMail by an asynchronous invoke (InvocationType Event), so
 * no other bundle carries a mail transport. Accepted = Lambda queued the
 * event (202); the message id is the invoke's request id. Sending, its
 * retries, de-duplication and the dead-letter queue are SendMail's
 * (shared/platform/mail-relay.ts). The endpoint is the SDK's standard
 * AWS_ENDPOINT_URL_LAMBDA when set (the local cloud), else AWS.
 */
export class HandoverMailer implements Mailer {
  constructor(
    private readonly functionName: string,
    private readonly client: InvokeClient = new LambdaClient({}),
  ) {}

  async send(message: MailMessage): Promise<{ messageId: string }> {
    const event: MailMessage = {
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      ...(message.html !== undefined ? { html: message.html } : {}),
      ...(message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
    };
    const out = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    if (out.StatusCode !== 202) throw new Error(`${this.functionName} 未接收邮件 (the mail function did not accept the message): status ${String(out.StatusCode)}`);
    return { messageId: out.$metadata.requestId ?? '' };
  }
}

export function handoverMailerFromEnv(env: NodeJS.ProcessEnv = process.env): Mailer {
  return new HandoverMailer(requireEnv(envNames.mailFunction, env));
}
