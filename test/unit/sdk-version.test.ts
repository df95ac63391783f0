import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean }> };

/**
 * @aws-sdk/util-dynamodb is versioned on its own line (3.996.x); lib-dynamodb names the one it needs.
 * @aws-sdk/cloudfront-signer (R17.2, issue 15) is released only now and then (3.1166.0 is its newest), never with
 * every client version; it pins its newest exactly and calls no AWS API (no client, no SDK core of the clients' line).
 */
const ownLine = new Set(['@aws-sdk/util-dynamodb', '@aws-sdk/cloudfront-signer']);

describe('issue 10: one pinned AWS SDK version across all clients', () => {
  it('pins every SDK client the Lambdas use to the same exact version', () => {
    const sdk = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@aws-sdk/') && !ownLine.has(name));
    const versions = new Set(sdk.map(([, v]) => v));

    expect(sdk.length).toBeGreaterThan(5);
    expect(Object.fromEntries(sdk.filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v)))).toEqual({});
    expect([...versions], JSON.stringify(Object.fromEntries(sdk))).toHaveLength(1);
  });

  it('installs one version of each @aws-sdk package (no nested copies a bundle could pick up)', () => {
    const seen = new Map<string, Set<string>>();
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = /node_modules\/(@aws-sdk\/[^/]+)$/.exec(path)?.[1];
      if (name && entry.version) seen.set(name, (seen.get(name) ?? new Set()).add(entry.version));
    }
    const duplicated = [...seen].filter(([, v]) => v.size > 1).map(([name, v]) => `${name}: ${[...v].join(', ')}`);

    expect(duplicated).toEqual([]);
  });

  it('keeps the clients off that line (DynamoDB Streams, for the local cloud) out of the production dependencies', () => {
    const version = pkg.dependencies['@aws-sdk/client-dynamodb'];
    const offLine = Object.entries(lock.packages)
      .filter(([path, e]) => /^node_modules\/@aws-sdk\/client-[^/]+$/.test(path) && e.version !== version)
      .filter(([, e]) => !e.dev)
      .map(([path, e]) => `${path}@${e.version}`);

    expect(offLine).toEqual([]);
  });
});
