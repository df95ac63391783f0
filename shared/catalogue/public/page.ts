import { createHash } from 'node:crypto';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { regionName } from '#shared/reference/regions.ts';
import { escapeHtml as e } from '#shared/web/html.ts';
import type { SearchIndexRow } from './build.ts';

/**
 * The citizen's page of the public catalogue (R9.3): one static file, no
 * external assets (it is served from the published bucket and must work
 * offline and without a CDN). Every entry is rendered on the server side
 * (escaped) so the page can be browsed without scripts; the inline script
 * loads search-index.json and filters it by keyword, theme and province,
 * writing only through textContent. The Content-Security-Policy allows
 * that one script by its hash and nothing else.
 */

const script = `(() => {
  const q = document.getElementById('q');
  const theme = document.getElementById('theme');
  const region = document.getElementById('region');
  const body = document.getElementById('rows');
  const count = document.getElementById('count');
  let rows = [];
  const size = (n) => n >= 1073741824 ? (n / 1073741824).toFixed(2) + ' GiB' : n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B';
  const cell = (tr, text) => { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; };
  const render = () => {
    const words = q.value.trim().split(/\\s+/).filter(Boolean);
    const t = theme.value;
    const r = region.value;
    const hits = rows.filter((x) => (!t || x.theme === t) && (!r || x.region.startsWith(r))
      && words.every((w) => [x.name, x.content, x.n, x.custodianName, x.regionName, x.format].join(' ').includes(w)));
    body.replaceChildren();
    for (const x of hits) {
      const tr = document.createElement('tr');
      const a = document.createElement('a');
      a.href = x.href;
      a.textContent = x.name;
      const nameCell = cell(tr, '');
      nameCell.appendChild(a);
      if (x.quality) { const q = document.createElement('span'); q.className = 'quality'; q.textContent = '（' + x.quality + '）'; nameCell.appendChild(q); }
      cell(tr, x.n); cell(tr, x.themeLabel); cell(tr, x.regionName); cell(tr, x.from === x.to ? x.from : x.from + ' 至 ' + x.to);
      cell(tr, x.custodianName); cell(tr, x.sharing); cell(tr, x.content);
      const get = cell(tr, '');
      if (x.withdrawn) get.textContent = '已撤回（' + x.withdrawn + '）';
      else if (x.ordering) get.textContent = x.ordering;
      else if (x.downloads && x.downloads.length) for (const d of x.downloads) {
        const link = document.createElement('a'); link.href = d.href; link.textContent = '下载 ' + d.path; link.setAttribute('download', '');
        const line = document.createElement('div'); line.appendChild(link); line.appendChild(document.createTextNode('（' + size(d.size) + '）')); get.appendChild(line);
      }
      else get.textContent = '—';
      body.appendChild(tr);
    }
    count.textContent = '共 ' + hits.length + ' 项';
  };
  document.getElementById('search').addEventListener('submit', (ev) => ev.preventDefault());
  fetch('search-index.json').then((res) => res.json()).then((idx) => { rows = idx.entries; render(); });
  for (const el of [q, theme, region]) el.addEventListener('input', render);
})();`;

const scriptHash = createHash('sha256').update(script, 'utf8').digest('base64');

const when = (r: SearchIndexRow) => (r.from === r.to ? r.from : `${r.from} 至 ${r.to}`);

/** Bytes as people read them (the same rule as the script's `size`). */
export function sizeLabel(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** The 获取 cell: download links of a released version, ordering information, 已撤回 and its date, or —. */
function obtainCell(r: SearchIndexRow): string {
  if (r.withdrawn) return `已撤回（${e(r.withdrawn)}）`;
  if (r.ordering) return e(r.ordering);
  if (r.downloads && r.downloads.length > 0) return r.downloads.map((d) => `<div><a href="${e(d.href)}" download>下载 ${e(d.path)}</a>（${e(sizeLabel(d.size))}）</div>`).join('');
  return '—';
}

function options(pairs: Array<[string, string]>): string {
  return pairs.map(([value, label]) => `<option value="${e(value)}">${e(label)}</option>`).join('');
}

export function publicCataloguePage(rows: readonly SearchIndexRow[], generatedAt: string, links: { formHref: string } = { formHref: 'applications/form' }): string {
  const themes = [...new Map(rows.map((r) => [r.theme, r.themeLabel])).entries()].sort();
  // Browse by province and by city (a code prefix finds everything under it: 44 → 广东省, 4401 → 广州市
  // and its districts), plus the national level; cities are indented under their province.
  const regions = [
    ...new Map(
      rows.flatMap((r): Array<[string, string]> => {
        if (r.region === '100000') return [['100000', '全国']];
        const province: [string, string] = [r.region.slice(0, 2), regionName(`${r.region.slice(0, 2)}0000`)];
        if (r.region.endsWith('0000')) return [province];
        return [province, [r.region.slice(0, 4), `　${regionName(`${r.region.slice(0, 4)}00`)}`]];
      }),
    ).entries(),
  ].sort(([a], [b]) => a.localeCompare(b));
  const tableRows = rows
    .map(
      (r) =>
        `<tr><td><a href="${e(r.href)}">${e(r.name)}</a>${r.quality ? `<span class="quality">（${e(r.quality)}）</span>` : ''}</td><td>${e(r.n)}</td><td>${e(r.themeLabel)}</td><td>${e(r.regionName)}</td>` +
        `<td>${e(when(r))}</td><td>${e(r.custodianName)}</td><td>${e(r.sharing)}</td><td>${e(r.content)}</td><td>${obtainCell(r)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'">
<title>自然资源调查监测成果公开目录</title>
<link rel="alternate" type="application/json" href="catalog.json" title="STAC 目录">
<link rel="alternate" type="application/json" href="data.json" title="已发布成果（DCAT data.json）">
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}form{display:flex;gap:.5rem;flex-wrap:wrap;margin:1rem 0}input{min-width:16rem}
</style>
</head>
<body>
<h1>自然资源调查监测成果公开目录</h1>
<p>国家级和省级成果目录中可公开的条目（依据 R9.3 定期更新）。更新时间：<time datetime="${e(generatedAt)}">${e(chinaDateTime(generatedAt))}</time>。共 ${rows.length} 项。
地理信息系统软件可读取 <a href="catalog.json">STAC 目录（catalog.json）</a>。目录信息公开；已发布的成果可在“获取”一栏下载（公开出版物请向出版单位订购），其他成果数据请按共享方式向保管单位申请。公众可<a href="${e(links.formHref)}">在线申请利用已发布成果或提出政府信息公开申请</a>（无需注册，邮箱验证）。</p>
<form id="search" role="search">
<label>关键词 <input id="q" type="search" placeholder="成果名称、内容、编号、保管单位"></label>
<label>成果专题 <select id="theme"><option value="">全部</option>${options(themes)}</select></label>
<label>行政区 <select id="region"><option value="">全部</option>${options(regions)}</select></label>
<span id="count" aria-live="polite">共 ${rows.length} 项</span>
</form>
<table>
<thead><tr><th>成果名称</th><th>统一编号</th><th>成果专题</th><th>空间范围</th><th>成果时点</th><th>保管单位</th><th>共享方式</th><th>成果内容</th><th>获取</th></tr></thead>
<tbody id="rows">
${tableRows}
</tbody>
</table>
<script>${script}</script>
</body>
</html>
`;
}
