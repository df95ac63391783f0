import { chinaDateTime } from '#shared/calendar/dates.ts';
import { fileRoleLabels } from '#shared/reference/themes.ts';
import { crsLabel } from './crs.ts';
import { severityLabels } from './defects.ts';
import { formatLabels } from './formats.ts';
import type { VerificationReport } from './verify-package.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { regionMap, reportExtents } from '#shared/web/region-map.ts';
import { regionBoxFor, regionBoxNamed } from '#shared/reference/regions.ts';
import type { RegionExtents } from '#shared/reference/region-extents.ts';

/**
 * The verification report as a self-contained Chinese HTML page (R7.2: the
 * reasons fed back to the submitter). No scripts, no external resources;
 * every value from the package is escaped.
 */
export interface ReportMeta {
  /** Result name, e.g. 从化区国土变更调查成果. */
  resultName?: string;
  submissionId?: string;
  packageVersion?: number;
  /** Verification round (R7.2: every round is kept). */
  round?: number;
  submitter?: string;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} 字节`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** The report's map (issue 13): the declared region's box and each layer's extent, as SVG text. */
export function reportMapSvg(report: Pick<VerificationReport, 'files' | 'regionCode' | 'region'>): string {
  // The report names its own region; another level's box (a city's or province's boundary) is named by its code here.
  const region = regionBoxNamed(report.regionCode, (code) => (code === report.region.code ? report.region.name : code));
  return regionMap({ title: '数据范围示意图：申报行政区外包框与各图层范围', ...(region ? { region } : {}), extents: reportExtents(report) }).svg;
}

/** Which box the extent check used for the report's region (issue 12), for the report's closing note. */
export function extentBasis(regionCode: string, extents?: RegionExtents): string {
  const box = regionBoxFor(regionCode, extents);
  if (!box) return '申报行政区无外包框数据，未判断数据范围';
  if (box.level === 'national') return '数据范围按全国外包框判断';
  const level = { provincial: '省级', municipal: '市级', county: '区县级' }[box.level];
  return box.boundaries ? `数据范围按${level}外包框判断（边界数据：${box.boundaries}）` : '数据范围按省级外包框近似判断';
}

export function renderReportHtml(report: VerificationReport, meta: ReportMeta = {}): string {
  const e = escapeHtml;
  const verdict = report.passed ? '通过' : '不通过';
  const rows: Array<[string, string]> = [
    ['成果名称', meta.resultName ?? ''],
    ['汇交编号', meta.submissionId ?? ''],
    ['成果包版本', meta.packageVersion === undefined ? '' : `v${meta.packageVersion}`],
    ['核验轮次', meta.round === undefined ? '' : `第 ${meta.round} 轮`],
    ['汇交单位', meta.submitter ?? ''],
    ['成果专题', `${report.profile.label}${report.profile.followsOwnRules ? '（按专门规定管理）' : ''}`],
    ['申报行政区', `${report.regionCode}（范围按${report.region.name}核对）`],
    ['核验时间', chinaDateTime(report.checkedAt)],
    ['文件数', String(report.summary.files)],
    ['问题', `错误 ${report.summary.errors} 项，警告 ${report.summary.warnings} 项`],
    [
      '校验和来源',
      `存储服务记录 ${report.summary.checksumsFromStore} 个，逐字节计算 ${report.summary.checksumsStreamed} 个`,
    ],
    [
      '读取数据量',
      `文件头 ${formatBytes(report.headerBytesRead)}，校验和流式读取 ${formatBytes(report.streamedBytes)}；成果包共 ${formatBytes(report.packageBytes)}`,
    ],
  ];
  const metaRows = rows
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`)
    .join('\n');

  const defectRows = report.defects
    .map(
      (d, i) =>
        `<tr class="${d.severity}"><td>${i + 1}</td><td><code>${e(d.file || '（整个成果包）')}</code></td><td><code>${e(d.rule)}</code></td><td>${e(d.message)}</td><td>${e(severityLabels[d.severity])}</td></tr>`,
    )
    .join('\n');

  const fileRows = report.files
    .map((f) => {
      const extent = f.extent ? f.extent.map((v) => v.toFixed(4)).join(', ') : '';
      const checksum = f.checksumSource === 'store' ? '存储服务记录' : f.checksumSource === 'streamed' ? '逐字节计算' : '未校验';
      return `<tr><td><code>${e(f.path)}</code></td><td>${e(f.role ? fileRoleLabels[f.role] : '（清单未列出）')}</td><td>${e(formatLabels[f.format])}</td><td class="num">${e(formatBytes(f.size))}</td><td>${e(f.crs ? crsLabel(f.crs) : '')}</td><td>${e(extent)}</td><td>${e(checksum)}</td><td class="num">${e(formatBytes(f.reads.headerBytes))}</td></tr>`;
    })
    .join('\n');

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>成果技术核验报告${meta.resultName ? ` — ${e(meta.resultName)}` : ''}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328;line-height:1.6}
h1{font-size:1.6rem;margin-bottom:.5rem}h2{font-size:1.2rem;margin-top:2rem}
.verdict{font-size:1.2rem;font-weight:bold;padding:.5rem 1rem;border-radius:4px;display:inline-block}
.verdict.pass{background:#dafbe1;color:#116329}.verdict.fail{background:#ffebe9;color:#a40e26}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;white-space:nowrap}td.num{text-align:right;white-space:nowrap}code{font-size:.9em;word-break:break-all}
tr.error td:last-child{color:#a40e26;font-weight:bold}tr.warning td:last-child{color:#9a6700}
.note{color:#57606a;font-size:.9rem}
figure.map{margin:.5rem 0}figure.map svg{max-width:100%;height:auto}
</style>
</head>
<body>
<h1>成果技术核验报告</h1>
<p class="verdict ${report.passed ? 'pass' : 'fail'}">核验结论：${verdict}</p>
<table class="meta">
${metaRows}
</table>
<h2>数据范围示意图</h2>
<figure class="map">${reportMapSvg(report)}</figure>
<h2>问题清单（${report.defects.length} 项）</h2>
${
  report.defects.length === 0
    ? '<p>未发现问题。</p>'
    : `<table class="defects">
<thead><tr><th>序号</th><th>文件</th><th>规则</th><th>说明</th><th>严重程度</th></tr></thead>
<tbody>
${defectRows}
</tbody>
</table>`
}
<h2>文件明细</h2>
<table class="files">
<thead><tr><th>路径</th><th>类别</th><th>格式（按内容识别）</th><th>大小</th><th>坐标系</th><th>范围（经纬度）</th><th>SHA-256</th><th>读取文件头</th></tr></thead>
<tbody>
${fileRows}
</tbody>
</table>
<p class="note">依据《自然资源调查监测成果管理办法（试行）》第（七）项，对汇交成果的完整性、规范性进行技术核验。${
    report.passed ? '' : '核验未通过的，汇交单位应在收到反馈之日起 15 个工作日内修改完善后重新汇交，重新汇交的成果将再次核验。'
  }${e(extentBasis(report.regionCode))}；“错误”须改正，“警告”请核实。</p>
</body>
</html>
`;
}
