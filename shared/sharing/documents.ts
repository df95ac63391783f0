import { escapeHtml as e } from '#shared/web/html.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { classificationLabels, type Classification } from '#shared/reference/classifications.ts';
import { offlineDocumentLabels, type GrantFile, type OfflineDocumentKind } from './model.ts';

/**
 * The printable documents of the offline chain (R16.2, R17.1): the approval
 * letter (审批函, to the requester, copied to the custodian), the task order
 * (任务单, to the organiser's own custody office) and the confidentiality
 * agreement (保密协议, for 内部 and above). Chinese A4 HTML with print styles:
 * a browser prints it cleanly to PDF. Every value goes through the one escaper
 * (shared/web/html.ts). The same input gives the same bytes (the date is the
 * decision's), so a retried approval finds the stored document unchanged.
 */
export interface DocumentInput {
  readonly kind: OfflineDocumentKind;
  readonly number: string;
  readonly applicationId: string;
  readonly requestedAt: string;
  readonly requester: string;
  readonly organiser: string;
  readonly custodians: readonly string[];
  readonly decidedBy: string;
  readonly decidedAt: string;
  readonly reasons: string;
  readonly results: ReadonlyArray<{ readonly resultNumber: string; readonly name: string; readonly classification: Classification; readonly content: string }>;
  readonly files: readonly GrantFile[];
  readonly classification: Classification;
  readonly purpose: string;
  readonly scope: string;
  readonly from: string;
  readonly to: string;
  readonly users: readonly string[];
  readonly contact: { readonly name: string; readonly phone: string };
  readonly conditions: readonly string[];
  /** The confidentiality agreement names the letter or task order it belongs to. */
  readonly letter?: { readonly kind: OfflineDocumentKind; readonly number: string };
}

const style = `@page { size: A4; margin: 25mm 20mm 22mm 22mm; }
* { box-sizing: border-box; }
body { font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", "SimSun", serif; color: #000; max-width: 170mm; margin: 0 auto; padding: 10mm 0; font-size: 12pt; line-height: 1.75; }
h1 { font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; text-align: center; font-size: 20pt; letter-spacing: 0.1em; margin: 4mm 0 2mm; }
.number { text-align: center; margin-bottom: 6mm; }
.red-line { border-top: 2px solid #c00; margin: 0 0 6mm; }
h2 { font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-size: 13pt; margin: 5mm 0 1mm; page-break-after: avoid; }
p { margin: 1.5mm 0; text-indent: 2em; }
p.flat { text-indent: 0; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; font-size: 10pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 1mm 2mm; text-align: left; vertical-align: top; word-break: break-all; }
th { background: #f2f2f2; }
.sha { font-family: "Courier New", monospace; font-size: 8pt; }
.sign { display: flex; gap: 10mm; margin-top: 12mm; page-break-inside: avoid; }
.sign > div { flex: 1; border-top: 1px solid #000; padding-top: 2mm; min-height: 30mm; }
.issuer { text-align: right; margin-top: 12mm; page-break-inside: avoid; }
.cc { border-top: 1px solid #000; border-bottom: 1px solid #000; margin-top: 10mm; padding: 1mm 0; font-size: 11pt; }
.meta { color: #444; font-size: 9pt; margin-top: 8mm; }
@media print { .noprint { display: none; } body { padding: 0; } }`;

const cnDate = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
};

function page(title: string, number: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${e(title)}（${e(number)}）</title><style>${style}</style></head>
<body>
<p class="noprint flat">打印：浏览器“打印”→“另存为 PDF”，纸张 A4，边距默认。</p>
<h1>${e(title)}</h1>
<div class="number">${e(number)}</div>
<div class="red-line"></div>
${body}
</body></html>
`;
}

function resultsTable(d: DocumentInput): string {
  const rows = d.results.map((r, i) => `<tr><td>${i + 1}</td><td>${e(r.resultNumber)}</td><td>${e(r.name)}</td><td>${e(classificationLabels[r.classification])}</td><td>${e(r.content)}</td></tr>`).join('');
  return `<table><thead><tr><th>序号</th><th>统一编号</th><th>成果名称</th><th>密级</th><th>共享内容</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function filesTable(d: DocumentInput): string {
  if (d.files.length === 0) return '<p class="flat">（保管副本中尚无该成果的文件，交接前请与组织单位核实。）</p>';
  const rows = d.files.map((f, i) => `<tr><td>${i + 1}</td><td>${e(f.resultNumber)}</td><td>${e(f.path)}</td><td>${e(f.size)}</td><td class="sha">${e(f.sha256)}</td></tr>`).join('');
  return `<table><thead><tr><th>序号</th><th>统一编号</th><th>文件</th><th>字节数</th><th>SHA-256（写入介质后逐一核对）</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const terms = (d: DocumentInput) =>
  `<table><tbody>
<tr><th>申请编号</th><td>${e(d.applicationId)}（${e(cnDate(chinaDate(new Date(d.requestedAt))))}提交）</td></tr>
<tr><th>用途</th><td>${e(d.purpose)}</td></tr>
<tr><th>使用范围</th><td>${e(d.scope)}</td></tr>
<tr><th>使用期限</th><td>${e(d.from)} 至 ${e(d.to)}</td></tr>
<tr><th>密级</th><td>${e(classificationLabels[d.classification])}</td></tr>
<tr><th>授权使用人</th><td>${e(d.users.join('、'))}</td></tr>
<tr><th>联系人</th><td>${e(d.contact.name)}（${e(d.contact.phone)}）</td></tr>
${d.conditions.length > 0 ? `<tr><th>附加条件</th><td>${e(d.conditions.join('；'))}</td></tr>` : ''}
</tbody></table>`;

const handoverDuty = (d: DocumentInput, confidential: boolean) =>
  `<p>交接时，保管单位应核验领取人身份证件（系统只登记脱敏后的证件号码），登记存储介质类型和编号，并将写入介质的每个文件的 SHA-256 与上表逐一核对后在系统中登记交接记录（R17.1）。${
    confidential ? '本次共享成果为' + e(classificationLabels[d.classification]) + '级，双方须先签署《保密协议》并将签署扫描件上传系统，未上传的不得交接。' : ''
  }</p>`;

function approvalLetter(d: DocumentInput, confidential: boolean): string {
  const body = `<p class="flat">${e(d.requester)}：</p>
<p>你单位于${e(cnDate(chinaDate(new Date(d.requestedAt))))}提交的成果共享申请（申请编号 ${e(d.applicationId)}）收悉。经审核，同意以离线方式向你单位共享下列自然资源调查监测成果${d.reasons ? `（审核意见：${e(d.reasons)}）` : ''}：</p>
${resultsTable(d)}
<h2>一、共享条件</h2>
${terms(d)}
<h2>二、交接</h2>
<p>请持本函到保管单位 ${e(d.custodians.join('、'))} 办理成果交接，交接文件如下：</p>
${filesTable(d)}
${handoverDuty(d, confidential)}
<h2>三、使用要求</h2>
<p>你单位应仅在上述用途和使用范围内使用成果，不得向第三方提供或转让；使用期限届满后停止使用并删除、归还副本；按要求报送成果使用情况。</p>
<p>本次共享为政府部门间共享，不收取任何费用。</p>
<div class="issuer">${e(d.organiser)}<br>${e(cnDate(chinaDate(new Date(d.decidedAt))))}<br>（审核人：${e(d.decidedBy)}）</div>
<div class="cc">抄送：${e(d.custodians.join('、'))}（保管单位）</div>
<p class="meta flat">本函由自然资源调查监测成果管理系统生成，文号 ${e(d.number)}，原件存档于系统文档库（只写一次，不可改写）。</p>`;
  return page('成果离线共享审批函', d.number, body);
}

function taskOrder(d: DocumentInput, confidential: boolean): string {
  const body = `<p class="flat">${e(d.custodians.join('、'))}（成果保管）：</p>
<p>${e(d.requester)}申请共享下列成果（申请编号 ${e(d.applicationId)}），经本单位审核同意以离线方式提供${d.reasons ? `（审核意见：${e(d.reasons)}）` : ''}。请按本任务单向该单位交接：</p>
${resultsTable(d)}
<h2>一、共享条件</h2>
${terms(d)}
<h2>二、交接文件</h2>
${filesTable(d)}
${handoverDuty(d, confidential)}
<p>本次共享为政府部门间共享，不收取任何费用。</p>
<div class="issuer">${e(d.organiser)}<br>${e(cnDate(chinaDate(new Date(d.decidedAt))))}<br>（审核人：${e(d.decidedBy)}）</div>
<p class="meta flat">本任务单由自然资源调查监测成果管理系统生成，编号 ${e(d.number)}，原件存档于系统文档库（只写一次，不可改写）。</p>`;
  return page('成果离线共享任务单', d.number, body);
}

/** Safekeeping requirements of the confidentiality agreement, by the results' classification. */
export const safekeeping = [
  '成果数据只能存放在符合相应密级要求的计算机和专用存储介质上，不得接入互联网或其他公共信息网络；',
  '存储介质实行登记管理，专人保管，存放于具备安全防护条件的场所，不得私自复制、拷贝、外借；',
  '不得以任何形式向协议约定以外的单位和个人提供、转让或公开成果及其衍生数据；',
  '使用中形成的涉密中间成果和最终成果，按同等密级管理；',
  '使用期限届满或任务完成后，按规定销毁或归还存储介质及数据副本，并书面告知提供方；',
  '发生泄露、丢失、损毁等情况的，立即采取补救措施并报告提供方和保密工作部门。',
];

function confidentialityAgreement(d: DocumentInput): string {
  const body = `<p class="flat">甲方（提供方）：${e(d.organiser)}（组织单位）；${e(d.custodians.join('、'))}（保管单位）</p>
<p class="flat">乙方（使用方）：${e(d.requester)}</p>
<p>为保守国家秘密和工作秘密，保障自然资源调查监测成果安全，依据《中华人民共和国保守国家秘密法》和有关规定，甲乙双方就离线共享下列成果（申请编号 ${e(d.applicationId)}）签订本协议。</p>
<h2>一、共享成果与密级</h2>
${resultsTable(d)}
<p>本次共享成果的最高密级为${e(classificationLabels[d.classification])}，交接文件 ${e(d.files.length)} 个（清单及 SHA-256 见${d.letter ? `${e(offlineDocumentLabels[d.letter.kind])} ${e(d.letter.number)}` : '审批函或任务单'}）。</p>
<h2>二、用途和使用范围</h2>
${terms(d)}
<h2>三、保管要求</h2>
${safekeeping.map((s, i) => `<p>${i + 1}. ${e(s)}</p>`).join('')}
<h2>四、双方责任</h2>
<p>1. 甲方按审批函（任务单）确定的范围提供成果，交接时核验乙方领取人身份并登记存储介质和文件校验值，对交接过程中的成果安全负责。</p>
<p>2. 乙方指定专人负责成果的接收、保管和使用，对授权使用人进行保密教育，承担使用期间的保密责任；违反本协议造成泄密的，依法依规追究有关单位和人员的责任。</p>
<p>3. 乙方接受甲方和保密工作部门的监督检查，按要求报告成果使用和保管情况。</p>
<h2>五、期限</h2>
<p>本协议自双方签字盖章之日起生效，至使用期限届满（${e(d.to)}）且成果副本按规定销毁或归还后终止；保密义务不因协议终止而解除。</p>
<p>本协议一式两份，甲乙双方各执一份。签署后由任一方将签署扫描件上传系统，保管单位凭扫描件办理交接。</p>
<div class="sign"><div>甲方（盖章）：<br>${e(d.organiser)}<br><br>代表签字：<br>日期：</div><div>乙方（盖章）：<br>${e(d.requester)}<br><br>代表签字：<br>日期：</div></div>
<p class="meta flat">本协议由自然资源调查监测成果管理系统生成，编号 ${e(d.number)}，生成日期 ${e(cnDate(chinaDate(new Date(d.decidedAt))))}；原件存档于系统文档库（只写一次，不可改写）。</p>`;
  return page('自然资源调查监测成果保密协议', d.number, body);
}

/** The document's HTML (A4, print styles); `confidential`: the results need a confidentiality agreement. */
export function offlineDocumentHtml(d: DocumentInput, confidential: boolean): string {
  switch (d.kind) {
    case 'approvalLetter':
      return approvalLetter(d, confidential);
    case 'taskOrder':
      return taskOrder(d, confidential);
    case 'confidentialityAgreement':
      return confidentialityAgreement(d);
  }
}

/** 文号: `<organiser>〔<year>〕共享<kind>第 <application's first 8 hex> 号` — unique per application × organiser × kind, the same on a retry. */
export function documentNumber(kind: OfflineDocumentKind, organiserOrg: string, applicationId: string, decidedAt: string): string {
  const year = chinaDate(new Date(decidedAt)).slice(0, 4);
  return `${organiserOrg}〔${year}〕共享${offlineDocumentLabels[kind]}第 ${applicationId.slice(0, 8).toUpperCase()} 号`;
}
