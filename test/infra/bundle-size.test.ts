/**
 * Issue 10: every Lambda bundle ≤ 250 KB minified. Every manifest function is
 * bundled for both mail transports (SES: the aws partition; SMTP: aws-cn) with
 * the very options CDK deploys (infra/constructs/bundling.ts), and the CDK
 * bundle of a mail-sending function is checked to be the same bytes, so the
 * sizes measured here are the deployed ones.
 *
 * The functions still over the limit are listed below with the size they may
 * not grow past (a ratchet, like the architecture allow-list): a new function
 * over 250 KB fails, a listed one that grows fails, and one that drops under
 * the limit must leave the list. What keeps them over is named in
 * docs/performance.md (zod's classic API, ~100 KB in every bundle).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { maxBundleBytes, type MailTransport } from '#infra/constructs/bundling.ts';
import { ChengguoFunction } from '#infra/constructs/chengguo-function.ts';
import { functionByName, manifest } from '#infra/manifest.ts';
import { projectRoot } from '#infra/stacks/chengguo-app.ts';
import { bundleLambdas, kib, largestInputs } from '../../scripts/bundle-lambdas.ts';
import { newApp } from './synth.ts';

/**
 * KB (1024 bytes) a listed bundle may not grow past; every other bundle stays ≤ 250 KB. Re-measured after the
 * session-4 merges (sign-in, administration, supervision, custody copy): 52 of 89 (SES) and 55 (SMTP) are over —
 * the issue-10 goal is NOT met (docs/performance.md says what is left: zod/mini, the reference tables, and
 * exceljs/echarts out of the supervision functions).
 */
const stillOver: Record<MailTransport, Readonly<Record<string, number>>> = {
  ses: {
    MarkDestroyed: 251,
    PlanCustodyCopy: 252,
    RecordTransferFailure: 257,
    CheckBatch: 259,
    AssembleReport: 260,
    CopyIntoCustody: 262,
    CopyCustodyBatch: 263,
    ReportPage: 267,
    SendForestryCopy: 269,
    RefreshPublicCatalogue: 269,
    AssignNumber: 274,
    RecordReceipt: 274,
    GetCatalogueEntry: 275,
    SearchCatalogue: 275,
    UpdateCatalogueEntry: 277,
    RegisterCatalogueEntry: 277,
    MarkVerified: 281,
    GetVerificationReport: 281,
    GetVerificationReportHtml: 281,
    ReturnToSubmitter: 282,
    GetDestruction: 284,
    RequestDestruction: 287,
    StartTransfer: 289,
    ListCatalogueReports: 291,
    AbortUploads: 302,
    GetUploadStatus: 302,
    CompleteFileUpload: 303,
    IssueUploadUrls: 305,
    CompleteVersion: 306,
    GetCatalogueReport: 306,
    ListSurveyTasks: 309,
    CatalogueReportFile: 309,
    GetSurveyTask: 309,
    GetSubmission: 311,
    GetSubmissionTimeline: 311,
    RecordTaskCompletion: 311,
    OpenSubmission: 314,
    CreateSubmissionVersion: 315,
    RegisterSurveyTask: 322,
    SendCatalogueReport: 324,
    OpenApi: 336,
    EscalateReview: 356,
    CreateHumanTask: 360,
    HumanTaskReminders: 368,
    ListMyHumanTasks: 381,
    GetHumanTask: 382,
    DecideHumanTask: 387,
    ImportOnboarding: 1342,
    ListBulletins: 2501,
    GetBulletinFile: 2502,
    ListClocks: 2519,
    ScheduledBulletins: 2526,
    DeadlineWatch: 2528,
    IssueBulletin: 2554,
  },
  smtp: {
    MarkDestroyed: 251,
    PlanCustodyCopy: 252,
    RecordTransferFailure: 257,
    CheckBatch: 259,
    AssembleReport: 260,
    CopyIntoCustody: 262,
    CopyCustodyBatch: 263,
    ReportPage: 267,
    SendForestryCopy: 269,
    RefreshPublicCatalogue: 269,
    AssignNumber: 274,
    GetCatalogueEntry: 275,
    SearchCatalogue: 275,
    UpdateCatalogueEntry: 277,
    RegisterCatalogueEntry: 277,
    GetVerificationReport: 281,
    GetVerificationReportHtml: 281,
    GetDestruction: 284,
    RequestDestruction: 287,
    StartTransfer: 289,
    ListCatalogueReports: 291,
    AbortUploads: 302,
    GetUploadStatus: 302,
    CompleteFileUpload: 303,
    IssueUploadUrls: 305,
    CompleteVersion: 306,
    GetCatalogueReport: 306,
    ListSurveyTasks: 309,
    CatalogueReportFile: 309,
    GetSurveyTask: 309,
    GetSubmission: 311,
    GetSubmissionTimeline: 311,
    RecordTaskCompletion: 311,
    OpenSubmission: 314,
    CreateSubmissionVersion: 315,
    RegisterSurveyTask: 322,
    SendCatalogueReport: 324,
    OpenApi: 336,
    AlertIntegrityProblems: 361,
    PingWait: 362,
    ListMyHumanTasks: 381,
    GetHumanTask: 382,
    DecideHumanTask: 387,
    RefuseDestruction: 439,
    RecordReceipt: 466,
    MarkVerified: 474,
    ReturnToSubmitter: 475,
    EscalateReview: 549,
    CreateHumanTask: 553,
    HumanTaskReminders: 560,
    ImportOnboarding: 1342,
    ListBulletins: 2501,
    GetBulletinFile: 2502,
    ListClocks: 2519,
    ScheduledBulletins: 2718,
    DeadlineWatch: 2720,
    IssueBulletin: 2747,
  },
};

const withoutMapComment = (code: string) => code.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n');

describe('issue 10: every Lambda bundle is at most 250 KB minified, measured as CDK bundles it', () => {
  for (const mail of ['ses', 'smtp'] as const) {
    it(`${mail}: bundles every manifest function; none over 250 KB but the listed ones, and those do not grow`, async () => {
      const bundled = await bundleLambdas(mail);
      const allowed = stillOver[mail];

      const over = bundled.sizes
        .filter((s) => s.bytes > Math.max(maxBundleBytes, (allowed[s.name] ?? 0) * 1024))
        .map((s) => `${s.name} ${kib(s.bytes)} (${largestInputs(bundled, s.name)})`);
      const nowUnder = Object.keys(allowed).filter((name) => (bundled.sizes.find((s) => s.name === name)?.bytes ?? 0) <= maxBundleBytes);

      expect(bundled.sizes.map((s) => s.name).sort()).toEqual(manifest.functions.map((f) => f.name).sort());
      expect(over, `over ${kib(maxBundleBytes)}`).toEqual([]);
      expect(nowUnder, 'under the limit now: take them off the list').toEqual([]);
    });
  }

  it('measures the bytes CDK deploys: the NodejsFunction bundle of a mail-sending function is the bundle measured here', async () => {
    const name = 'PingWait';
    const app = newApp({}, { bundle: true });
    const stack = new Stack(app, 'BundleSizeProbe', { env: { region: 'cn-north-1' } });
    new ChengguoFunction(stack, name, {
      def: functionByName(name),
      functionName: `probe-${name}`,
      projectRoot,
      logRetention: RetentionDays.ONE_WEEK,
      logsKey: new kms.Key(stack, 'Key'),
      mailTransport: 'smtp',
    });
    const dir = app.synth().directory;
    const asset = readdirSync(dir).find((d) => d.startsWith('asset.') && existsSync(path.join(dir, d, 'index.mjs')))!;
    const deployed = readFileSync(path.join(dir, asset, 'index.mjs'), 'utf8');

    const out = path.join(dir, 'measured');
    const measured = await bundleLambdas('smtp', { names: [name], outdir: out });
    const ours = readFileSync(measured.sizes[0]!.file!, 'utf8');

    expect(withoutMapComment(deployed)).toBe(withoutMapComment(ours));
  });

  it('every bundle loads and exports its handler, and each that validates with zod carries the Chinese messages (shared/validation.ts)', async () => {
    // Inside the project, so the bundles resolve the SDK from node_modules as Lambda resolves the runtime's.
    mkdirSync(path.join(projectRoot, '.test-data'), { recursive: true });
    const outdir = mkdtempSync(path.join(projectRoot, '.test-data', 'bundles-'));
    const bundled = await bundleLambdas('ses', { outdir });
    const broken: string[] = [];
    const english: string[] = [];
    for (const { name, file } of bundled.sizes) {
      const mod = (await import(pathToFileURL(file!).href).catch((e: unknown) => ({ error: e }))) as { handler?: unknown; error?: unknown };
      if (typeof mod.handler !== 'function') broken.push(`${name}: ${String(mod.error ?? 'no handler export')}`);
      // Inputs that put bytes in the bundle (a module in the graph but shaken out puts none).
      const output = Object.entries(bundled.metafile.outputs).find(([out]) => path.basename(out) === `${name}.mjs`)?.[1];
      const inputs = Object.entries(output?.inputs ?? {}).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f);
      if (inputs.some((f) => f.includes('node_modules/zod/')) && !inputs.includes('shared/validation.ts')) english.push(name);
    }

    rmSync(outdir, { recursive: true, force: true });

    expect(broken).toEqual([]);
    expect(english, 'zod without its Chinese configuration').toEqual([]);
    // 71 imports: ~100 s at a load average of 18 on 2 cores.
  }, 400_000);

  it('carries only the stage\'s mail transport: nodemailer in an SMTP bundle, none of it in an SES one', async () => {
    const inputs = async (mail: MailTransport) => {
      const { metafile } = await bundleLambdas(mail, { names: ['PingWait'] });
      return Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs));
    };
    const ses = await inputs('ses');
    const smtp = await inputs('smtp');

    expect(ses.filter((f) => f.includes('node_modules/nodemailer/'))).toEqual([]);
    expect(smtp.some((f) => f.includes('node_modules/nodemailer/lib/smtp-transport/'))).toBe(true);
    // nodemailer's other transports stay out of the SMTP bundle too.
    expect(smtp.filter((f) => /nodemailer\/lib\/(ses|sendmail|stream|json)-transport|smtp-pool/.test(f))).toEqual([]);
  });
});
