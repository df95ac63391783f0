/**
 * Configuration, validated once per cold start before any port is built: zod
 * over `process.env`, by group, so a missing or malformed variable fails the
 * Lambda's init phase (or the local cloud's load) naming every variable, not
 * the first request that happens to need it. The names are adapters/config.ts'
 * (shared with the CDK construct); no new variable is introduced here.
 */
import * as z from 'zod/mini';
import { envNames, stateMachineEnv } from '#adapters/config.ts';

const nonEmpty = z.string().check(z.minLength(1));
const url = z.url();

export const envGroups = {
  registry: z.object({ [envNames.registryTable]: nonEmpty }),
  logs: z.object({ [envNames.logsTable]: nonEmpty }),
  uploads: z.object({ [envNames.uploadsBucket]: nonEmpty }),
  custody: z.object({ [envNames.custodyBucket]: nonEmpty }),
  backup: z.object({ [envNames.backupBucket]: nonEmpty }),
  published: z.object({ [envNames.publishedBucket]: nonEmpty }),
  documents: z.object({ [envNames.documentsBucket]: nonEmpty }),
  jwt: z.object({
    [envNames.jwtIssuer]: url,
    [envNames.jwtJwksUrl]: url,
    [envNames.jwtAudience]: nonEmpty,
    JWT_TOKEN_TYPE: z.optional(z.enum(['cognito', 'oidc'])),
  }),
  mail: z.discriminatedUnion(envNames.mailTransport, [
    z.object({ [envNames.mailTransport]: z.literal('ses'), [envNames.mailFrom]: nonEmpty }),
    z.object({
      [envNames.mailTransport]: z.literal('smtp'),
      [envNames.mailFrom]: nonEmpty,
      [envNames.smtpHost]: nonEmpty,
      [envNames.smtpPort]: z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(65535)),
      [envNames.smtpCredentialsSecret]: z.optional(z.string().check(z.startsWith('arn:'))),
    }),
  ]),
  // Every function with sendsEmail but SendMail: hands its mail to that function (runtime/ports/mail.ts).
  mailHandover: z.object({ [envNames.mailFunction]: nonEmpty }),
  appBaseUrl: z.object({ [envNames.appBaseUrl]: url }),
  signIn: z.object({
    [envNames.oidcIssuer]: url,
    [envNames.oidcClientId]: nonEmpty,
    [envNames.oidcCliRedirectUri]: z.optional(url),
  }),
  // Sign-in accounts (issue 12): Cognito on aws (the pool's id), the registry alone on aws-cn and locally.
  accounts: z.discriminatedUnion(envNames.signInAccounts, [
    z.object({ [envNames.signInAccounts]: z.literal('cognito'), [envNames.userPoolId]: nonEmpty }),
    z.object({ [envNames.signInAccounts]: z.literal('registry') }),
  ]),
  // --- tasks, verification --- (names as adapters/token-vault.ts reads them: a KMS key id, or base64 of a 32-byte AES key)
  taskTokenKey: z.union([z.object({ TASK_TOKEN_KEY_ID: nonEmpty }), z.object({ TASK_TOKEN_KEY: z.base64() })]),
} as const;

/** A named group, or the ARN variable of one state machine (`<NAME>_STATE_MACHINE_ARN`). */
export type EnvGroup = keyof typeof envGroups | { readonly stateMachine: string };

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(readonly variables: readonly string[]) {
    super(`环境变量 ${variables.join('、')} 未设置或无效 (missing or invalid environment variables: ${variables.join(', ')})`);
  }
}

function schemaOf(group: EnvGroup): z.ZodMiniType {
  return typeof group === 'string' ? envGroups[group] : z.object({ [stateMachineEnv(group.stateMachine)]: nonEmpty });
}

/** The variable names a list of groups reads (for the CDK/local-cloud checks and the tests). */
export function variablesOf(groups: readonly EnvGroup[]): string[] {
  const names = new Set<string>();
  for (const g of groups) {
    if (typeof g !== 'string') names.add(stateMachineEnv(g.stateMachine));
    else if (g === 'taskTokenKey') names.add('TASK_TOKEN_KEY_ID'); // on AWS; the local cloud sets TASK_TOKEN_KEY instead
    else if (g === 'mail') [envNames.mailTransport, envNames.mailFrom].forEach((n) => names.add(n));
    else if (g === 'accounts') names.add(envNames.signInAccounts);
    else Object.keys((envGroups[g] as z.ZodMiniObject).shape).forEach((n) => n !== 'JWT_TOKEN_TYPE' && n !== envNames.oidcCliRedirectUri && names.add(n));
  }
  return [...names].sort();
}

/** Validates every group at once; throws one ConfigurationError naming every bad variable. */
export function readEnv(groups: readonly EnvGroup[], env: NodeJS.ProcessEnv = process.env): void {
  const bad = new Set<string>();
  for (const group of groups) {
    const result = schemaOf(group).safeParse(env);
    if (!result.success) for (const issue of result.error.issues) bad.add(String(issue.path[0] ?? (typeof group === 'string' ? group : group.stateMachine)));
  }
  if (bad.size) throw new ConfigurationError([...bad].sort());
}
