import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { addChengguoStacks, addNagChecks } from '#infra/stacks/chengguo-app.ts';
const t0 = Date.now();
const ctx = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
const app = new App({ outdir: '/tmp/cdkout-try', context: { ...ctx, partition: process.argv[2] ?? 'aws', ...(process.env.BUNDLE ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
addChengguoStacks(app);
if (process.argv[3] === 'nag') addNagChecks(app);
console.log('construct ms', Date.now() - t0);
try { app.synth(); } catch (e) { console.error(String(e).slice(0, 25000)); }
console.log('synth ms', Date.now() - t0);
