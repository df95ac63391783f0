import { ConflictError } from '#shared/errors.ts';
import type { CatalogueReport, CatalogueReportStore } from '#shared/catalogue-report/report.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CountingCatalogueTable } from './catalogue-fakes.ts';

/**
 * Reports in memory; "entries since" reads the CATBYCUST# items that the real
 * DynamoCatalogueStore.indexEntry wrote into the fake catalogue table, so the
 * index item itself is under test.
 */
export class FakeCatalogueReportStore implements CatalogueReportStore {
  readonly reports = new Map<string, CatalogueReport>();
  readonly last = new Map<string, string>();
  readonly audits: AuditEntry[] = [];

  constructor(private readonly table: CountingCatalogueTable) {}

  async entriesSince(custodianOrg: string, afterKey: string | undefined) {
    const { items } = await this.table.query({ pk: `CATBYCUST#${custodianOrg}`, forward: true, limit: 10_000 });
    return items.filter((i) => afterKey === undefined || String(i['sk']) > afterKey).map((i) => ({ key: String(i['sk']), resultNumber: String(i['n']) }));
  }

  async lastKey(custodianOrg: string) {
    return this.last.get(custodianOrg);
  }

  async create(report: CatalogueReport, previousLastKey: string | undefined, audit: AuditEntry) {
    if (this.last.get(report.custodianOrg) !== previousLastKey) throw new ConflictError('REPORT_RACE', '另一份成果目录上报刚刚提交，请刷新后重试');
    this.last.set(report.custodianOrg, report.lastKey);
    this.reports.set(report.reportId, report);
    this.audits.push(audit);
  }

  async get(reportId: string) {
    return this.reports.get(reportId);
  }

  async list(custodianOrg: string) {
    return [...this.reports.values()].filter((r) => r.custodianOrg === custodianOrg).reverse();
  }

  async listReceived(recipientOrg: string) {
    return [...this.reports.values()].filter((r) => r.recipientOrg === recipientOrg).reverse();
  }

  async close(report: CatalogueReport, audit: AuditEntry) {
    if (this.reports.get(report.reportId)?.status !== 'sent') throw new ConflictError('REPORT_CLOSED', `目录上报 ${report.reportId} 已确认或退回`);
    this.reports.set(report.reportId, report);
    this.audits.push(audit);
  }
}
