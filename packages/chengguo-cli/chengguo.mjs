#!/usr/bin/env node
// The project's upload CLI, compiled: `npm run build:cli` bundles cli/chengguo.ts into dist/chengguo.mjs
// (`npm ci` runs it). Node 22.1+ keeps V8's compiled code between runs (≈ 20 ms less start-up); Node 20 has no cache.
import module from 'node:module';

module.enableCompileCache?.();
await import('../../dist/chengguo.mjs');
