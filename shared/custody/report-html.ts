import type { IntegrityReport, Problem } from './integrity.ts';
import { escapeHtml } from '#shared/web/html.ts';

const esc = escapeHtml;

/** One label per finding, in the report page and in the alert email. */
export const statusLabels: Record<Problem['status'], string> = {
  missing: '缺失',
  mismatch: '校验值不符（疑似篡改或损坏）',
  manifestMissing: '保管清单缺失',
  manifestMismatch: '保管清单与登记的 SHA-256 不符（疑似被改写）',
  unverifiable: '保管清单和登记的文件列表均与登记的根哈希不符，成果文件无法核对',
};

/** The integrity report as a self-contained Chinese page (no scripts, no external assets). */
export function integrityReportHtml(r: IntegrityReport): string {
  const rows = r.problems
    .map(
      (p) =>
        `<tr><td><code>${esc(p.key)}</code></td><td>${esc(p.resultNumber)}</td><td>${p.n}</td><td>${statusLabels[p.status]}</td><td><code>${esc(p.expectedSha256 ?? '')}</code></td><td><code>${esc(p.actualSha256 ?? '')}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>保管成果完整性检查报告 ${esc(r.date)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head>
<body>
<h1>保管成果完整性检查报告</h1>
<p>检查日期：${esc(r.date)}　执行：${esc(r.executionName)}　完成时间：${esc(r.checkedAt)}</p>
<p><strong>结论：${r.passed ? '通过（全部保管对象与保管清单一致）' : `未通过（${r.problems.length} 个对象异常）`}</strong></p>
<ul>
<li>保管清单：${r.manifests} 份；对象：${r.objects} 个；一致：${r.ok}；缺失：${r.missing}；不符：${r.mismatched}</li>
<li>校验方式：存储端已验证的 SHA-256 ${r.byStoredChecksum} 个；逐字节读取并计算 ${r.streamed} 个（共 ${r.bytesStreamed} 字节；存储端无可信校验值时采用）</li>
</ul>
${r.problems.length ? `<h2>异常对象</h2><table><thead><tr><th>对象</th><th>统一编号</th><th>版本</th><th>问题</th><th>清单 SHA-256</th><th>实际 SHA-256</th></tr></thead><tbody>\n${rows}\n</tbody></table>
<p>恢复方法见《保管成果完整性与恢复》（docs/custody.md）。</p>` : ''}
</body></html>
`;
}
