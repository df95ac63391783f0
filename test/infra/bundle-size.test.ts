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
 * docs/performance.md.
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
 * session-5 merges (zod/mini, the compressed GB/T 2260 table, the human-task kinds without the manifest, the
 * bulletin renderers in RenderBulletin alone): 3 of 102 (SES) and 15 (SMTP) were over; OpenApi then left the list
 * (its document is built at bundle time, 292 → 152 KB). Session 6: the twelve functions that sent SMTP mail hand it
 * to SendMail (issue 10), the one function that carries nodemailer; ECharts is tree-shaken to the two charts
 * (RenderBulletin 2,427 → 1,134) and exceljs is its bare build (ImportOnboarding 1,274 → 645) — the goal is NOT met
 * (docs/performance.md says what is left and why: SendMail is nodemailer's 191 KB plus the runtime every function
 * carries; RenderBulletin carries ECharts and exceljs by design, ImportOnboarding reads workbooks with exceljs).
 */
const stillOver: Record<MailTransport, Readonly<Record<string, number>>> = {
  // Session 7 (issue 10): the six API functions back under (other contexts named through type-only imports, the
  // human-task kinds read entries and reports through small readers: 218–245 KB), SendMail under (MailComposer and
  // SMTPConnection instead of nodemailer's Mail and SMTPTransport: 270 → 232 KB).
  // ImportOnboarding under (read-excel-file and csv-parse instead of exceljs: 646 → 242 KB). RenderBulletin stays
  // over, the one function that does: ECharts' core and zrender for its two SVG charts are 519 KB by themselves
  // (echarts 339, zrender 180, tree-shaken to line, bar, title, grid and the SVG renderer); its XLSX is written with
  // write-excel-file instead of exceljs (1,151 → 729 KB). Splitting the render step would leave the charts step
  // over the limit anyway (≈ 640 KB), so the machine keeps one render step (docs/performance.md).
  // Session 7's merges after that: DecideHumanTask 245 → 252.2 KB (the derivedProductReview kind, the publication
  // joint-refusal card, the correction's problem keys in the submission adapter) — a regression to take back.
  // Session 8: taken back (252.2 → 241.6 KB): the kinds build the submission adapter's reads and verification
  // outcomes only (DynamoSubmissionOutcomes), not the whole store with its upload, seal, correction and transfer writes.
  // Session 8: RenderBulletin under (730 → 220 KB): its two SVG charts are drawn with d3-scale's scaleBand,
  // d3-array's ticks and d3-path (≈ 11 KB) instead of ECharts' core and zrender (519 KB). The list is empty: every
  // function is ≤ 250 KB on both partitions; one that passes the limit fails.
  // Session 9: DecideHumanTask went to 255.0 KB after this session's merges (the evaluationAck kind, each kind's
  // decision words, the sharing review's other grants, the R8.2 clock) and was taken back under: the task kinds no
  // longer look up region names in the GB/T 2260 table (≈ 22 KB) — the technical review and its map name the region
  // from the verification report (regionBoxNamed), a destruction request stores its region's name when it is made.
  ses: {},
  smtp: {},
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

  it('measures the bytes CDK deploys: the NodejsFunction bundle of the mail-sending function is the bundle measured here', async () => {
    const name = 'SendMail';
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

  it('issue 10: only SendMail carries a mail transport — nodemailer in its SMTP bundle, none in any other bundle of either stage', async () => {
    // prepare / act
    const nodemailerIn = async (mail: MailTransport) => {
      const { metafile } = await bundleLambdas(mail);
      return Object.entries(metafile.outputs)
        .filter(([file, o]) => file.endsWith('.mjs') && Object.keys(o.inputs).some((f) => f.includes('node_modules/nodemailer/')))
        .map(([file]) => path.basename(file, '.mjs'));
    };
    const smtp = await nodemailerIn('smtp');
    const ses = await nodemailerIn('ses');
    const { metafile } = await bundleLambdas('smtp', { names: ['SendMail'] });
    const sendMail = Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs));
    // assess
    expect(smtp).toEqual(['SendMail']);
    expect(ses).toEqual([]);
    expect(sendMail.some((f) => f.includes('node_modules/nodemailer/lib/smtp-connection/'))).toBe(true);
    expect(sendMail.some((f) => f.includes('node_modules/nodemailer/lib/mail-composer/'))).toBe(true);
    // nodemailer's transports and their Mail wrapper stay out (DKIM, OAuth2, the well-known services: adapters/mail-smtp.ts).
    expect(sendMail.filter((f) => /nodemailer\/lib\/((ses|sendmail|stream|json|smtp)-transport|smtp-pool|mailer|dkim|xoauth2|well-known)\//.test(f))).toEqual([]);
  }, 400_000);
});
