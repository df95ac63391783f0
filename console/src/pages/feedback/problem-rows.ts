/**
 * 成果页的质量问题（R19.2、R19.3）：how a reader follows a problem on a result's page — the state with its tag,
 * the latest step, the organiser's finding once verified, the corrected version once submitted. Pure: unit-tested
 * in test/unit/console-labels.test.ts.
 */

type State = 'reported' | 'confirmed' | 'rejected' | 'escalated' | 'correcting' | 'correctionSubmitted' | 'fixed' | 'dismissed';
interface ProblemLike {
  state: State;
  timeline: ReadonlyArray<{ state: State; at: string; byName: string; note: string }>;
  finding?: { who: string; what: string; conclusion: string } | undefined;
  correction?: { n: number; openedAt: string } | undefined;
  fixed?: { n: number; at: string } | undefined;
}

/** The tag's colour: open (waiting on someone) warning, closed without a fault info, a fault found danger until fixed, fixed success. */
export function problemTag(state: State): 'success' | 'warning' | 'info' | 'danger' {
  if (state === 'fixed') return 'success';
  if (state === 'rejected' || state === 'dismissed') return 'info';
  if (state === 'correcting' || state === 'correctionSubmitted') return 'danger';
  return 'warning';
}

/** The last step taken on the problem (the report itself at first): its date is the problem's 最近办理. */
export function latestStep<P extends ProblemLike>(p: P): P['timeline'][number] | undefined {
  return p.timeline.at(-1);
}

/**
 * What the problem came to, in one line: the organiser's finding (责任认定) once a major problem is upheld; the
 * reasons the custodian gave on a rejection or the organiser on a dismissal; else nothing yet.
 */
export function problemOutcome(p: ProblemLike): string {
  if (p.finding) return `责任方 ${p.finding.who}：${p.finding.what}；结论：${p.finding.conclusion}`;
  if (p.state === 'rejected' || p.state === 'dismissed' || p.state === 'confirmed') {
    const step = [...p.timeline].reverse().find((t) => t.state === p.state);
    if (step) return `${step.byName}：${step.note}`;
  }
  return '';
}

/** R19.3: the implementer's corrected version, once submitted; fixed when it became the current version. */
export function correctionText(p: ProblemLike): string {
  if (p.fixed) return `第 ${p.fixed.n} 版已入库为现行版本`;
  if (p.correction) return `更正版本第 ${p.correction.n} 版已提交`;
  return '';
}

/**
 * 文件或图层 to pick from: the package's folders (a layer is a folder: a problem on it covers every file under it,
 * written with a trailing “/”) then its files, each once, sorted.
 */
export function filesAndFolders(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const p of paths) {
    const parts = p.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i += 1) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  return [...[...folders].sort(), ...[...new Set(paths.map((p) => p.replace(/^\/+/, '')))].sort()];
}

/** R19.2 attachments: the API's limits (shared/feedback/problems.ts; the unit test checks they agree). */
export const attachmentLimits = { count: 5, bytes: 10 * 1024 * 1024, geoJsonBytes: 2 * 1024 * 1024 } as const;
export type AttachmentType = 'image/jpeg' | 'image/png' | 'application/geo+json';

/**
 * A picked file's attachment type, or why it cannot be one: a photo or screenshot (JPEG/PNG, ≤10 MB) or a GeoJSON
 * (≤2 MB). Browsers give a .geojson no type (or application/json): the name's extension decides then.
 */
export function attachmentType(file: { name: string; type: string; size: number }): { contentType: AttachmentType } | { problem: string } {
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  const contentType: AttachmentType | undefined =
    file.type === 'image/jpeg' || ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : file.type === 'image/png' || ext === 'png' ? 'image/png' : file.type === 'application/geo+json' || ext === 'geojson' ? 'application/geo+json' : undefined;
  if (!contentType) return { problem: `${file.name}：附件应为 JPEG、PNG 照片或截图，或 GeoJSON（.geojson）` };
  if (file.size === 0) return { problem: `${file.name}：附件不能为空` };
  const max = contentType === 'application/geo+json' ? attachmentLimits.geoJsonBytes : attachmentLimits.bytes;
  if (file.size > max) return { problem: `${file.name}：${contentType === 'application/geo+json' ? 'GeoJSON ' : '照片或截图'}不超过 ${max / 1024 / 1024} MB` };
  return { contentType };
}
