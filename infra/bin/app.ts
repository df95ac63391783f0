/**
 * CDK entry point (`npm run synth`, `cdk deploy`). Context: partition (aws |
 * aws-cn), stage, region, backupRegion, account, oidcIssuer/oidcAudience/
 * oidcJwksUrl, cognitoDomainPrefix, cliRedirectUri, mailTransport (ses | smtp), mailDomain, mailFrom, smtpHost, smtpPort, appBaseUrl,
 * logRetentionDays, custodyRetentionDays, uploadAbortDays, consoleDomain, consoleCertificateArn (aws),
 * consoleCertificateId (aws-cn), wafRateLimit (infra/stacks/settings.ts).
 */
import { App } from 'aws-cdk-lib';
import { addChengguoStacks, addNagChecks } from '../stacks/chengguo-app.ts';

const app = new App();
addChengguoStacks(app);
addNagChecks(app);
app.synth();
