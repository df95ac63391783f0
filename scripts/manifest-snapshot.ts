/**
 * The manifest snapshot, one file per context (test/fixtures/manifest/<context>.json), that
 * test/unit/manifest-equivalence.test.ts compares with the manifest the context modules produce.
 * `npm run manifest:snapshot` rewrites the files after a deliberate change; commit them with it.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '#infra/manifest.ts';

interface ContextNames {
  readonly name: string;
  readonly functions: Readonly<Record<string, unknown>>;
  readonly stateMachines: Readonly<Record<string, unknown>>;
  readonly schedules?: Readonly<Record<string, unknown>>;
  readonly streams?: Readonly<Record<string, unknown>>;
}

const sortDeep = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortDeep)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortDeep(x)]))
      : v;
const keyOf = (x: { name?: string; method?: string; path?: string }) => x.name ?? `${x.method} ${x.path}`;
const byName = <T extends object>(xs: readonly T[]) => [...xs].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
/** The state machines a function starts or answers are sets (IAM resources): kept in name order. */
const sets = (f: Manifest['functions'][number]) => ({
  ...f,
  ...(f.answersStateMachines ? { answersStateMachines: [...f.answersStateMachines].sort() } : {}),
  ...(f.startsStateMachines ? { startsStateMachines: [...f.startsStateMachines].sort() } : {}),
});

/** The part of the flat manifest a context declares: its functions, their routes, its machines, schedules and streams. */
export function contextSlice(manifest: Manifest, ctx: ContextNames): unknown {
  const fns = new Set(Object.keys(ctx.functions));
  const machines = new Set(Object.keys(ctx.stateMachines));
  const schedules = new Set(Object.keys(ctx.schedules ?? {}));
  const streams = new Set(Object.keys(ctx.streams ?? {}));
  return sortDeep({
    functions: byName(manifest.functions.filter((f) => fns.has(f.name)).map(sets)),
    routes: byName(manifest.routes.filter((r) => fns.has(r.function))),
    stateMachines: byName(manifest.stateMachines.filter((m) => machines.has(m.name))),
    schedules: byName(manifest.schedules.filter((s) => schedules.has(s.name))),
    streams: byName(manifest.streams.filter((s) => streams.has(s.name))),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { contexts, manifest } = await import('#infra/manifest.ts');
  const dir = fileURLToPath(new URL('../test/fixtures/manifest/', import.meta.url));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const ctx of contexts) writeFileSync(`${dir}${ctx.name}.json`, `${JSON.stringify(contextSlice(manifest, ctx), null, 2)}\n`);
  console.log(`manifest snapshot: ${readdirSync(dir).length} contexts written to test/fixtures/manifest/`);
}
