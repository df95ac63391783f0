#!/usr/bin/env node
/**
 * chengguo — 成果汇交命令行工具 (the upload CLI of the submission context).
 * `npx chengguo --help` from the project root; see cli/main.ts.
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
