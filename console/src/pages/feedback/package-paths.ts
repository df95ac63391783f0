/**
 * 报告质量问题: the verified package's file paths the reporter may pick from (R19.2 names a file or layer of it).
 * The custodian's side reads them from the verified version's verification report; a requester (whose organisation
 * holds a grant naming the result, which reporting needs) from that grant's file list. None readable: free text.
 */
import { api } from '../../api.ts';
import type { CatalogueEntryView, SubmissionDetail, VerificationReport } from '../../contracts.ts';
import type { SharingApplicationList, SharingGrantView } from '../../work-contracts.ts';

export async function packagePaths(resultNumber: string, requester: boolean): Promise<{ paths: string[]; from: string } | undefined> {
  try {
    const { entry } = await api<CatalogueEntryView>('GET', `/catalogue/${encodeURIComponent(resultNumber)}`);
    const { submission } = await api<SubmissionDetail>('GET', `/submissions/${entry.submissionId}`);
    const verified = [...submission.versions].reverse().find((v) => v.status === 'verified');
    if (verified) {
      const report = await api<VerificationReport>('GET', `/submissions/${entry.submissionId}/versions/${verified.n}/report`);
      const paths = report.files.map((f) => f.path);
      if (paths.length > 0) return { paths, from: `第 ${verified.n} 版核验报告` };
    }
  } catch {
    // Not readable (another organisation's submission): the grant's list, below.
  }
  if (!requester) return undefined;
  try {
    const { items } = await api<SharingApplicationList>('GET', '/sharing/applications', { query: { side: 'mine', limit: 100 } });
    const grantId = items.flatMap((a) => a.reviews).find((r) => r.grantId && r.resultNumbers.includes(resultNumber))?.grantId;
    if (!grantId) return undefined;
    const { grant } = await api<SharingGrantView>('GET', `/sharing/grants/${encodeURIComponent(grantId)}`);
    const paths = grant.files.filter((f) => f.resultNumber === resultNumber && !f.processed).map((f) => f.path);
    return paths.length > 0 ? { paths, from: `共享授权 ${grantId.slice(0, 8)}… 的文件列表` } : undefined;
  } catch {
    return undefined;
  }
}
