import { withSupervision } from '#shared/supervision/clocks.ts';
import { catalogueReported } from '#shared/supervision/effects.ts';
import * as z from 'zod/mini';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate, chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { classificationLabels, classifications, clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import { sharingModeLabels } from '#shared/schemas/submission.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { themeProfiles } from '#shared/reference/themes.ts';
import { noteListed } from '#shared/security/access.ts';
import { entryRecord } from '#shared/catalogue/catalogue.ts';

/**
 * Catalogue reports upward (目录汇交/上报, R9.1): within 30 working days of
 * receipt, the entries a custodian registered since its last report go to the
 * next-higher organiser (the parent of the custodian's own organiser), which
 * acknowledges them through a human task ('catalogueReportAck').
 */
export const catalogueReportStateMachine = 'CatalogueReport';
export const reportDueWorkingDays = 30;
export const redactedNote = '（涉密，需相应密级查看）';

export const reportStatuses = ['sent', 'acknowledged', 'returned'] as const;
export type ReportStatus = (typeof reportStatuses)[number];
export const reportStatusLabels: Record<ReportStatus, string> = { sent: '已上报，待确认', acknowledged: '上级已确认', returned: '上级退回' };

export const acknowledgementSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
});
export type Acknowledgement = z.infer<typeof acknowledgementSchema>;

export interface CatalogueReport {
  readonly reportId: string;
  readonly custodianOrg: string;
  /** The custodian's own organiser (its parent organisation). */
  readonly organiserOrg: string;
  /** The next-higher organiser, which acknowledges. */
  readonly recipientOrg: string;
  readonly status: ReportStatus;
  readonly sentAt: string;
  readonly sentBy: string;
  readonly resultNumbers: string[];
  readonly firstRegisteredAt: string;
  /** The CATBYCUST# sort key of the last entry in the report: the next report starts after it. */
  readonly lastKey: string;
  /** R9.1: 30 WD after the earliest receipt in the report (or registration, for entries with no receipt). */
  readonly dueDate: string;
  /**
   * What the due date counts from: 'receipt' — the custodian's receipt of the
   * result (the `custodyReceived` event of the transfer); 'registration' — the
   * entry's createdAt, for entries catalogued directly (POST /catalogue) with no receipt.
   */
  readonly dueBasis?: DueBasis;
  /** The date the due date counts from (China). */
  readonly dueFrom?: string;
  /** Each entry's own R9.1 clock: what it counts from and when it is due. */
  readonly entryDues?: EntryDue[];
  /**
   * The archival JSON (the report and its entries as sent) in the documents
   * bucket. No route serves it as stored: readers get files rendered for
   * their clearance (GET /catalogue-reports/{id}/files/{format}). Reports
   * sent before that change also name csv and html copies, which nothing reads.
   */
  readonly documents: { json: string; csv?: string; html?: string };
  readonly execution?: string;
  readonly acknowledgement?: Acknowledgement;
}

/** Registry items CATREPORT#<id>, CATREPORTS#<custodian> (listing copy) and CATREPORTLAST#<custodian> (adapters/dynamo-catalogue-report.ts). */
export interface CatalogueReportStore {
  /** The custodian's entries registered after `afterKey` (CATBYCUST# sort keys), oldest first. */
  entriesSince(custodianOrg: string, afterKey: string | undefined): Promise<Array<{ key: string; resultNumber: string }>>;
  lastKey(custodianOrg: string): Promise<string | undefined>;
  /** Conditional on the custodian's last-report marker still being `previousLastKey`; else ConflictError REPORT_RACE. */
  create(report: CatalogueReport, previousLastKey: string | undefined, audit: AuditEntry): Promise<void>;
  get(reportId: string): Promise<CatalogueReport | undefined>;
  list(custodianOrg: string): Promise<CatalogueReport[]>;
  /** The reports sent to an upper-level organiser, newest first: its lower levels' catalogues, level by level. */
  listReceived(recipientOrg: string): Promise<CatalogueReport[]>;
  /** Conditional on status 'sent'; else ConflictError REPORT_CLOSED. */
  close(report: CatalogueReport, audit: AuditEntry): Promise<void>;
}

/** The reports read only: what listing, showing and rendering a report need (no audited write). */
export type CatalogueReportReader = Pick<CatalogueReportStore, 'get' | 'list' | 'listReceived'>;
/** The ports of a read: the reports read only. */
type ReadPorts<K extends Exclude<keyof ReportPorts, 'reports'>> = Pick<ReportPorts, K> & { readonly reports: CatalogueReportReader };

export type DueBasis = 'receipt' | 'registration';
export interface EntryDue {
  readonly resultNumber: string;
  readonly dueBasis: DueBasis;
  readonly dueFrom: string;
  readonly dueDate: string;
}

export interface ReportPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  /** The entries' source submissions: their timeline holds the receipt (`custodyReceived`). */
  readonly submissions: Pick<SubmissionStore, 'listEvents'>;
  readonly reports: CatalogueReportStore;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly documents: Pick<DocumentStore, 'putText' | 'getText'>;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly newId: () => string;
}

export const documentKeys = (custodianOrg: string, reportId: string) => ({
  json: `catalogue-reports/${custodianOrg}/${reportId}.json`,
});

/** A report line as one reader may see it: the entry, or only its number when it is above the reader's clearance. */
export interface RedactedLine {
  readonly resultNumber: string;
  readonly redacted: true;
}
export type ReportLine = CatalogueEntry | RedactedLine;

export const isRedacted = (line: ReportLine): line is RedactedLine => 'redacted' in line && line.redacted === true;

/** R9.2 "a reader sees only entries their clearance allows": the number stays (it is in the report's list), nothing else. */
export function linesFor(clearance: Principal['clearance'], entries: readonly CatalogueEntry[]): ReportLine[] {
  return entries.map((e) => (clearanceAllows(clearance, e.classification) ? e : { resultNumber: e.resultNumber, redacted: true as const }));
}

/** Organisation names by code, for the columns a person reads; a code without a name shows as the code. */
export type OrgNames = ReadonlyMap<string, string>;
const named = (names: OrgNames, code: string) => {
  const name = names.get(code);
  return name && name !== code ? `${name}（${code}）` : code;
};

const csvColumns: Array<[string, (e: CatalogueEntry, names: OrgNames) => string]> = [
  ['统一编号', (e) => e.resultNumber],
  ['成果名称', (e) => e.name],
  ['成果内容', (e) => e.content],
  ['成果格式', (e) => e.format],
  ['行政区代码', (e) => e.spatialScope.regionCode],
  ['范围', (e) => (e.spatialScope.bbox ? e.spatialScope.bbox.join(' ') : '')],
  ['时点起', (e) => e.timePoint.from],
  ['时点止', (e) => e.timePoint.to],
  ['密级', (e) => classificationLabels[e.classification]],
  ['共享方式', (e) => sharingModeLabels[e.sharingMode]],
  ['保管单位', (e, names) => named(names, e.custodian)],
  ['提供单位', (e, names) => named(names, e.provider)],
  ['专题', (e) => themeProfiles[e.theme].label],
  // Stored UTC; a reader in China reads Beijing time (the archival JSON keeps the ISO instant).
  ['登记时间', (e) => chinaDateTime(e.createdAt)],
];

const csvCell = (v: string) => {
  // A cell starting with = + - @ (or a tab/CR) is a formula to a spreadsheet program: quote it as text (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The cells of one line: a redacted line shows its number and the note, nothing else. */
function cellsOf(line: ReportLine, names: OrgNames): string[] {
  if (isRedacted(line)) return csvColumns.map(([h], i) => (i === 0 ? line.resultNumber : h === '成果名称' ? redactedNote : ''));
  return csvColumns.map(([, f]) => f(line, names));
}

/** UTF-8 with BOM so that spreadsheet programs on Chinese Windows open it without garbling. */
export function reportCsv(lines: readonly ReportLine[], names: OrgNames = new Map()): string {
  const rows = [csvColumns.map(([h]) => h), ...lines.map((l) => cellsOf(l, names))];
  return `\uFEFF${rows.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function reportHtml(
  report: CatalogueReport,
  names: { custodian: string; recipient: string },
  lines: readonly ReportLine[],
  reader: { userId: string; name?: string; clearance: Principal['clearance']; at: Date },
  orgNames: OrgNames = new Map(),
): string {
  const rows = lines.map((l) => `<tr${isRedacted(l) ? ' class="redacted"' : ''}>${cellsOf(l, orgNames).map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  const readerLabel = reader.name ? `${reader.name}（${reader.userId}）` : reader.userId;
  const hidden = lines.filter(isRedacted).length;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>成果目录上报 ${escapeHtml(report.reportId)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .5em}tr.redacted td{color:#666;font-style:italic}</style></head>
<body>
<h1>成果目录上报</h1>
<p>上报编号：${escapeHtml(report.reportId)}；状态：${escapeHtml(reportStatusLabels[report.status])}</p>
<p>报送单位：${escapeHtml(names.custodian)}（${escapeHtml(report.custodianOrg)}）；接收单位：${escapeHtml(names.recipient)}（${escapeHtml(report.recipientOrg)}）</p>
<p>报送时间：${escapeHtml(chinaDateTime(report.sentAt))}；条目数：${lines.length}；上报期限：${escapeHtml(report.dueDate)}</p>
<p>本文件按${escapeHtml(readerLabel)}的密级（${escapeHtml(classificationLabels[reader.clearance])}）于 ${escapeHtml(chinaDateTime(reader.at.toISOString()))} 生成${hidden > 0 ? `；其中 ${hidden} 条超出该密级，仅显示统一编号` : ''}。</p>
<table><thead><tr>${csvColumns.map(([h]) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

async function levels(identity: Pick<IdentityRepository, 'getOrganisation'>, custodianOrg: string): Promise<{ organiser: string; recipient: string; custodianName: string; recipientName: string }> {
  const custodian = await identity.getOrganisation(custodianOrg);
  const organiser = custodian?.parentCode ? await identity.getOrganisation(custodian.parentCode) : undefined;
  if (!custodian || !organiser?.parentCode) throw new ConflictError('NO_UPPER_LEVEL', `保管单位 ${custodianOrg} 没有上一级组织单位，无需上报成果目录`);
  const recipient = await identity.getOrganisation(organiser.parentCode);
  return { organiser: organiser.code, recipient: organiser.parentCode, custodianName: custodian.name, recipientName: recipient?.name ?? organiser.parentCode };
}

const audit = (actor: string, orgCode: string, action: string, reportId: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor,
  orgCode,
  action,
  target: `CATREPORT#${reportId}`,
  outcome: 'success',
  requestId,
  detail,
});

/**
 * R9.1 counts "within 30 WD of receipt": the receipt date recorded by the
 * Transfer's Record Receipt step on the source submission's timeline; an
 * entry catalogued directly (no transfer, no receipt) counts from its registration.
 */
export async function reportClockStart(
  submissions: Pick<SubmissionStore, 'listEvents'>,
  entry: Pick<CatalogueEntry, 'submissionId' | 'createdAt' | 'resultNumber'>,
): Promise<{ at: string; basis: DueBasis }> {
  const received = (await submissions.listEvents(entry.submissionId))
    .filter((e) => e.type === 'custodyReceived' && e.detail['resultNumber'] === entry.resultNumber)
    .map((e) => e.detail['receivedAt'])
    .find((v): v is string => typeof v === 'string');
  return received ? { at: received, basis: 'receipt' } : { at: entry.createdAt, basis: 'registration' };
}

/**
 * POST /catalogue-reports.
 *
 * Primary course:
 *  1. the caller is a custodian; the report is of their organisation;
 *  2. the entries registered since the last report are collected by one key range (409 NOTHING_TO_REPORT if none);
 *  3. the archival JSON (report and entries as sent) goes to the documents bucket;
 *  4. the report and the new last-report marker are written (audited), conditional on the marker read in 2;
 *  5. the CatalogueReport state machine starts (the upper level's acknowledgement task).
 */
export async function sendCatalogueReport(ports: ReportPorts, cmd: { actor: Principal; requestId: string }): Promise<CatalogueReport & { visible: ReadonlySet<string> }> {
  const { actor } = cmd;
  if (!actor.roles.includes('custodian')) throw new ForbiddenError('无权上报成果目录：需要“成果保管人”角色');
  const custodianOrg = actor.orgCode;
  const lv = await levels(ports.identity, custodianOrg);
  const previous = await ports.reports.lastKey(custodianOrg);
  const since = await ports.reports.entriesSince(custodianOrg, previous);
  if (since.length === 0) throw new ConflictError('NOTHING_TO_REPORT', '自上次上报以来没有新登记的成果目录条目，无需上报');
  const entries = (await Promise.all(since.map((s) => ports.catalogue.getEntry(s.resultNumber)))).filter((e): e is CatalogueEntry => e !== undefined);
  const firstRegisteredAt = entries.map((e) => e.createdAt).sort()[0] ?? ports.now().toISOString();
  const calendar = await ports.calendar();
  const entryDues: EntryDue[] = await Promise.all(
    entries.map(async (e) => {
      const start = await reportClockStart(ports.submissions, e);
      const dueFrom = chinaDate(new Date(start.at));
      return { resultNumber: e.resultNumber, dueBasis: start.basis, dueFrom, dueDate: calendar.addWorkingDays(dueFrom, reportDueWorkingDays) };
    }),
  );
  // The report is due when its earliest entry is; on a tie the receipt is named, being the regulation's basis.
  const earliest = [...entryDues].sort((a, b) => a.dueFrom.localeCompare(b.dueFrom) || (a.dueBasis === b.dueBasis ? 0 : a.dueBasis === 'receipt' ? -1 : 1))[0];
  const dueFrom = earliest?.dueFrom ?? chinaDate(new Date(firstRegisteredAt));
  const sentAt = ports.now().toISOString();
  const reportId = `${custodianOrg}-${sentAt.slice(0, 10).replaceAll('-', '')}-${ports.newId()}`;
  const report: CatalogueReport = {
    reportId,
    custodianOrg,
    organiserOrg: lv.organiser,
    recipientOrg: lv.recipient,
    status: 'sent',
    sentAt,
    sentBy: actor.userId,
    resultNumbers: entries.map((e) => e.resultNumber),
    firstRegisteredAt,
    lastKey: since[since.length - 1]!.key,
    dueDate: earliest?.dueDate ?? calendar.addWorkingDays(dueFrom, reportDueWorkingDays),
    dueBasis: earliest?.dueBasis ?? 'registration',
    dueFrom,
    entryDues,
    documents: documentKeys(custodianOrg, reportId),
  };
  // Only the archival JSON is stored: it holds classified lines in full, so readers get files rendered for their clearance.
  await ports.documents.putText(report.documents.json, JSON.stringify({ report: { ...report, documents: undefined }, entries }, null, 2), 'application/json; charset=utf-8');
  await ports.reports.create(
    report,
    previous,
    withSupervision(
      audit(actor.userId, custodianOrg, 'catalogue.report.send', reportId, cmd.requestId, { recipientOrg: report.recipientOrg, resultNumbers: report.resultNumbers, dueDate: report.dueDate, dueBasis: report.dueBasis, dueFrom }),
      catalogueReported(custodianOrg, report.resultNumbers),
      sentAt,
    ),
  );
  const execution = await ports.workflow.start(catalogueReportStateMachine, reportId, { reportId });
  // What the sender may see of the report's entries (their clock lines): the custodian's own clearance decides, as everywhere.
  const visible = new Set(entries.filter((e) => clearanceAllows(actor.clearance, e.classification)).map((e) => e.resultNumber));
  return { ...report, execution, visible };
}

/** Record Acknowledgement: the upper level's decision closes the report (audited); a retry of a closed report is a no-op. */
export async function recordAcknowledgement(
  ports: { reports: CatalogueReportStore; now: () => Date },
  cmd: { reportId: string; acknowledgement: Acknowledgement; requestId: string },
): Promise<CatalogueReport> {
  const report = await ports.reports.get(cmd.reportId);
  if (!report) throw new NotFoundError(`目录上报 ${cmd.reportId} 不存在`);
  if (report.status !== 'sent') return report;
  const closed: CatalogueReport = { ...report, status: cmd.acknowledgement.decision === 'approve' ? 'acknowledged' : 'returned', acknowledgement: cmd.acknowledgement };
  await ports.reports.close(
    closed,
    audit('system:RecordReportAcknowledgement', report.recipientOrg, `catalogue.report.${closed.status}`, report.reportId, cmd.requestId, { acknowledgement: cmd.acknowledgement }),
  );
  return closed;
}

function mayRead(actor: Principal, r: { custodianOrg: string; organiserOrg: string; recipientOrg: string }): boolean {
  return actor.roles.includes('administrator') || [r.custodianOrg, r.organiserOrg, r.recipientOrg].includes(actor.orgCode);
}

/**
 * The report with its deadline: working days left until due, and overdue while not acknowledged after it.
 * Each entry's own clock (entryDues: its receipt or registration date) is an entry fact: it is shown only
 * for the entries the reader may see (`visible`), and left out where no entry was read (the lists).
 */
export function reportView(report: CatalogueReport, calendar: WorkingDayCalendar, now: Date, visible?: ReadonlySet<string>) {
  const today = chinaDate(now);
  const { documents: _documents, lastKey: _lastKey, entryDues, ...rest } = report;
  return {
    ...rest,
    ...(visible && entryDues ? { entryDues: entryDues.filter((d) => visible.has(d.resultNumber)) } : {}),
    statusLabel: reportStatusLabels[report.status],
    entryCount: report.resultNumbers.length,
    workingDaysLeft: calendar.workingDaysLeft(report.dueDate, today),
    overdue: report.status === 'sent' && today > report.dueDate,
  };
}

/**
 * GET /catalogue-reports?custodianOrg= (the custodian, its organiser, the upper level and administrators), or
 * ?recipientOrg= (the reports an upper level received from the level below — the national catalogue seen
 * province by province; members of that organisation and administrators).
 */
export async function listCatalogueReports(
  ports: ReadPorts<'identity' | 'calendar' | 'now'>,
  cmd: { actor: Principal; custodianOrg?: string | undefined; recipientOrg?: string | undefined },
) {
  const now = ports.now();
  if (cmd.recipientOrg !== undefined) {
    if (cmd.actor.orgCode !== cmd.recipientOrg && !cmd.actor.roles.includes('administrator')) {
      throw new ForbiddenError('无权查看该单位收到的成果目录上报：仅该单位人员或管理员可查看');
    }
    const [reports, calendar] = await Promise.all([ports.reports.listReceived(cmd.recipientOrg), ports.calendar()]);
    return reports.map((r) => reportView(r, calendar, now));
  }
  if (cmd.custodianOrg === undefined) throw new ValidationError('请求参数有误：需要 custodianOrg 或 recipientOrg', [{ field: 'query', code: 'REQUIRED', message: '需要 custodianOrg 或 recipientOrg' }]);
  const lv = await levels(ports.identity, cmd.custodianOrg);
  if (!mayRead(cmd.actor, { custodianOrg: cmd.custodianOrg, organiserOrg: lv.organiser, recipientOrg: lv.recipient })) {
    throw new ForbiddenError('无权查看该单位的成果目录上报：仅保管单位、其组织单位、上一级组织单位或管理员可查看');
  }
  const [reports, calendar] = await Promise.all([ports.reports.list(cmd.custodianOrg), ports.calendar()]);
  return reports.map((r) => reportView(r, calendar, now));
}

/**
 * The report and its entries as sent, for a reader allowed to see the report at all. A line is redacted
 * by the stricter of its classification when sent and its entry's classification now: an entry raised
 * to 秘密 after the report must not stay readable through the report (a missing entry is redacted).
 */
async function readableReport(ports: ReadPorts<'documents' | 'catalogue'>, cmd: { actor: Principal; reportId: string }) {
  const report = await ports.reports.get(cmd.reportId);
  if (!report) throw new NotFoundError(`目录上报 ${cmd.reportId} 不存在`);
  if (!mayRead(cmd.actor, report)) throw new ForbiddenError('无权查看该成果目录上报：仅保管单位、其组织单位、上一级组织单位或管理员可查看');
  const text = await ports.documents.getText(report.documents.json);
  if (text === undefined) throw new NotFoundError(`目录上报 ${cmd.reportId} 的存档文件不存在，请联系管理员`);
  const sent = (JSON.parse(text) as { entries?: CatalogueEntry[] }).entries ?? [];
  const entries = await Promise.all(
    sent.map(async (e) => {
      const now = await ports.catalogue.getEntry(e.resultNumber);
      const strictest: Classification = !now ? 'topSecret' : classifications.indexOf(now.classification) > classifications.indexOf(e.classification) ? now.classification : e.classification;
      return { ...e, classification: strictest };
    }),
  );
  // Each line goes through the access rule's clearance step (shared/security/access.ts): above it, only the number.
  const lines = linesFor(cmd.actor.clearance, entries);
  for (const l of lines) if (!isRedacted(l)) noteListed(entryRecord(l));
  return { report, lines, visible: new Set(lines.filter((l) => !isRedacted(l)).map((l) => l.resultNumber)) };
}

/** GET /catalogue-reports/{reportId}: the report as sent; entries above the reader's clearance show only their number. */
export async function getCatalogueReport(ports: ReadPorts<'documents' | 'catalogue' | 'calendar' | 'now'>, cmd: { actor: Principal; reportId: string }) {
  const { report, lines, visible } = await readableReport(ports, cmd);
  const shown = lines.map((l) => (isRedacted(l) ? { resultNumber: l.resultNumber, redacted: true, note: redactedNote } : { ...l, redacted: false }));
  return { report: reportView(report, await ports.calendar(), ports.now(), visible), entries: shown };
}

export const reportFileFormats = ['csv', 'html', 'json'] as const;
export type ReportFileFormat = (typeof reportFileFormats)[number];
const fileTypes: Record<ReportFileFormat, string> = { csv: 'text/csv', html: 'text/html', json: 'application/json' };

/**
 * GET /catalogue-reports/{reportId}/files/{format}: the report as a CSV table
 * (opens in a spreadsheet), a Chinese HTML page, or JSON — rendered for the
 * reader, so a line above their clearance shows only its number, in every format.
 */
export async function catalogueReportFile(
  ports: ReadPorts<'documents' | 'catalogue' | 'identity' | 'calendar' | 'now'>,
  cmd: { actor: Principal; reportId: string; format: ReportFileFormat },
): Promise<{ fileName: string; contentType: string; body: string }> {
  const { report, lines, visible: seen } = await readableReport(ports, cmd);
  const fileName = `成果目录上报-${report.reportId}.${cmd.format}`;
  const contentType = fileTypes[cmd.format];
  if (cmd.format === 'json') {
    const visible = lines.map((l) => (isRedacted(l) ? { resultNumber: l.resultNumber, redacted: true, note: redactedNote } : { ...l, redacted: false }));
    return { fileName, contentType, body: JSON.stringify({ report: reportView(report, await ports.calendar(), ports.now(), seen), entries: visible }, null, 2) };
  }
  // The organisations a person reads in the table: the visible lines' custodians and providers, and the two ends of the report.
  const codes = new Set([report.custodianOrg, report.recipientOrg, ...lines.flatMap((l) => (isRedacted(l) ? [] : [l.custodian, l.provider]))]);
  const orgNames = new Map<string, string>();
  for (const code of codes) {
    const org = await ports.identity.getOrganisation(code);
    if (org) orgNames.set(code, org.name);
  }
  if (cmd.format === 'csv') return { fileName, contentType, body: reportCsv(lines, orgNames) };
  const names = { custodian: orgNames.get(report.custodianOrg) ?? report.custodianOrg, recipient: orgNames.get(report.recipientOrg) ?? report.recipientOrg };
  const reader = { userId: cmd.actor.userId, name: cmd.actor.name, clearance: cmd.actor.clearance, at: ports.now() };
  return { fileName, contentType, body: reportHtml(report, names, lines, reader, orgNames) };
}
