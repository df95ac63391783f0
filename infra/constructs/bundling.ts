/**
 * How every Lambda is bundled (issue 10), in one place: ChengguoFunction
 * hands `lambdaBundling(…)` to NodejsFunction, and the bundle-size test
 * (test/infra/bundle-size.test.ts) builds every manifest function with
 * `esbuildOptions(…)` of the same object — the arguments CDK passes to
 * esbuild, as its API takes them — so what is measured is what is deployed.
 *
 * Size levers, each measured in the README's performance notes: zod imported
 * as a namespace (`import * as z`), so esbuild keeps only what is used and none
 * of its other locales; Chinese kept as UTF-8, not \uXXXX escapes (half the
 * bytes); only the stage's mail transport (nodemailer, ~200 KB, is SMTP only);
 * the function's own context module instead of the whole manifest; port
 * recipes marked pure and the project's modules side-effect free
 * (package.json `sideEffects`), so a bundle carries only the adapters its
 * handler uses.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { LogLevel, OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { packedOpenApiDocument } from '#runtime/openapi.ts';

/** The largest minified bundle allowed (test/infra/bundle-size.test.ts). */
export const maxBundleBytes = 250 * 1024;

export type MailTransport = 'ses' | 'smtp';

/**
 * CommonJS dependencies bundled into an ES module still call `require` for
 * Node built-ins (nodemailer does); ESM has no `require`, so the bundle makes one.
 */
export const requireShim = "import { createRequire as __chengguoCreateRequire } from 'node:module'; const require = __chengguoCreateRequire(import.meta.url);";

/** The department's region extents, when built (scripts/build-region-extents.ts; none ship with the project). */
export const regionExtentsFile = fileURLToPath(new URL('../../shared/reference/region-extents.json', import.meta.url));

/**
 * The shell commands that put the region extents next to a function's index.mjs, where
 * shared/reference/region-extents.ts reads them at run time: tens of KB of boxes stay out of the bundles (250 KB).
 * None when the department has built no table.
 */
export function regionExtentsAfterBundling(inputDir: string, outputDir: string, exists: boolean = existsSync(regionExtentsFile)): string[] {
  return exists ? [`cp "${inputDir}/shared/reference/region-extents.json" "${outputDir}/region-extents.json"`] : [];
}

/** The NodejsFunction bundling of every function of a stage whose mail goes out by `mail`. */
export function lambdaBundling(mail: MailTransport): BundlingOptions {
  return {
    minify: true,
    sourceMap: true,
    // Linked map (index.mjs.map + sourceMappingURL): --enable-source-maps turns
    // minified stack traces back into TypeScript lines.
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    target: 'node22',
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner: requireShim,
    // Chinese messages as UTF-8 (3 bytes a character) instead of \uXXXX escapes (6).
    // An esbuild argument: aws-cdk-lib 2.276 declares BundlingOptions.charset but never passes it on.
    esbuildArgs: { '--charset': 'utf8' },
    // adapters/mailer.ts: the bundle carries the stage's transport only.
    // functions/platform/openapi.ts: the OpenAPI document built here (brotli, base64, ~29 KB), not at run time.
    define: { 'process.env.CHENGGUO_BUNDLED_MAIL_TRANSPORT': JSON.stringify(mail), 'process.env.CHENGGUO_BUNDLED_OPENAPI': JSON.stringify(packedOpenApiDocument()) },
    // The Node.js 22 runtime ships AWS SDK v3 (docs/performance.md: runtime SDK against bundled, measured).
    externalModules: ['@aws-sdk/*'],
    logLevel: LogLevel.WARNING,
    commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: (inputDir, outputDir) => regionExtentsAfterBundling(inputDir, outputDir) },
  };
}

/**
 * The same bundling as esbuild API options, the way aws-cdk-lib's Bundling
 * turns BundlingOptions into esbuild arguments (platform node, bundle, the
 * options above); the caller adds entry points and output.
 */
export function esbuildOptions(b: BundlingOptions): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    ...(b.target ? { target: b.target } : {}),
    ...(b.format ? { format: b.format === OutputFormat.ESM ? 'esm' : 'cjs' } : {}),
    ...(b.minify ? { minify: true } : {}),
    ...(b.sourceMap ? { sourcemap: b.sourceMapMode === undefined || b.sourceMapMode === SourceMapMode.DEFAULT ? true : (b.sourceMapMode as 'inline' | 'external' | 'both') } : {}),
    ...(b.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [...(b.externalModules ?? [])],
    ...(b.define ? { define: { ...b.define } } : {}),
    ...esbuildArgsOptions(b.esbuildArgs ?? {}),
    ...(b.logLevel ? { logLevel: b.logLevel as BuildOptions['logLevel'] } : {}),
    ...(b.banner ? { banner: { js: b.banner } } : {}),
    ...(b.mainFields ? { mainFields: [...b.mainFields] } : {}),
  };
}

/** The esbuild arguments lambdaBundling uses, as API options; any other argument is refused, so the two cannot drift. */
function esbuildArgsOptions(args: Readonly<Record<string, string | boolean | readonly string[]>>): BuildOptions {
  const out: BuildOptions = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === '--charset' && (value === 'utf8' || value === 'ascii')) out.charset = value;
    else throw new Error(`bundling: esbuild argument ${key}=${String(value)} has no API mapping in esbuildOptions()`);
  }
  return out;
}
