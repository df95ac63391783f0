#!/usr/bin/env node
// The project's upload CLI, compiled: `npm run build:cli` bundles cli/chengguo.ts into dist/chengguo.mjs (`npm ci` runs it).
import '../../dist/chengguo.mjs';
