import { classificationLabels } from '#shared/reference/classifications.ts';
import { invalidLinkPage, shellPage, signInUrlFromEnv, type ShellPage } from '#shared/web/page-shell.ts';

export { idTokenStorageKey } from '#shared/web/page-shell.ts';

/**
 * The page an emailed task link opens (GET /human-tasks/{id}/page, public):
 * a shell (#shared/web/page-shell.ts) whose script GETs the task — which only
 * an assignee may — and shows the package summary and the report; the
 * decision is a POST the user makes by pressing a button and confirming.
 */
export type TaskPage = ShellPage;

export function humanTaskPage(opts: { taskId: string; signInUrl?: string }): TaskPage {
  return shellPage({
    pagePath: `/human-tasks/${encodeURIComponent(opts.taskId)}/page`,
    signInUrl: opts.signInUrl ?? signInUrlFromEnv(),
    title: '待办任务',
    heading: '待办任务',
    loading: '正在读取任务……',
    signInPrompt: '请先登录：此任务只有指派的审核人员可以查看和处理。',
    signInText: '登录（使用收到邮件的账号）',
    note: '本页面仅在您登录后显示任务内容；打开链接本身不会改变任务状态，只有点击决定按钮（如“通过”“退回”“确认接收”）并确认才会提交决定，且每个任务只能决定一次。',
    config: { taskId: opts.taskId },
    script: taskScript,
  });
}

/** The page for a link whose id cannot be a task id: nothing to load. */
export function invalidTaskLinkPage(): string {
  return invalidLinkPage('任务');
}

const taskScript = `  var api = '/human-tasks/' + encodeURIComponent(config.taskId);
  // What the two buttons say, and what is being decided, for each kind of task.
  var words = {
    technicalReview: { approve: '通过', ret: '退回', after: '流程已继续，汇交单位将收到邮件通知。', hint: '理由（退回时必填，至少 5 个字，将反馈给汇交单位；会签单位不同意而仍通过时也须填写）' },
    technicalCountersign: { approve: '同意', ret: '不同意', after: '已记录会签意见，组织单位作出技术审核决定时可见。', hint: '意见（不同意时必填，至少 5 个字，将显示给作出技术审核决定的单位）' },
    custodyReceipt: { approve: '确认接收', ret: '退回', after: '已记录接收，组织单位将收到邮件通知。', hint: '说明（退回时必填，至少 5 个字，例如缺少的文件）' },
    forestryCopyAck: { approve: '确认收到', ret: '退回', after: '已记录确认结果。', hint: '说明（退回时必填，至少 5 个字）' },
    catalogueReportAck: { approve: '确认接收', ret: '退回', after: '已记录，报送单位在上报记录中可看到确认结果。', hint: '意见（退回时必填，至少 5 个字，将反馈给报送单位）' },
    evaluationAck: { approve: '已阅', ret: '有异议', after: '已记录在评价记录上。', hint: '说明（有异议时必填，至少 5 个字：对哪项数据有异议、理由）' },
    destructionApproval: { approve: '批准销毁', ret: '驳回', after: '已记录审批决定；批准后系统将销毁保管文件，并将目录条目标记为已销毁。', hint: '意见（驳回时必填，至少 5 个字）' },
    sharingReview: { approve: '同意共享', ret: '不予共享', after: '已记录审核决定；同意后申请人签署共享使用协议即可下载，不予共享的理由将邮件告知申请人。', hint: '理由（不予共享时必填，至少 5 个字，将邮件告知申请人）' },
    derivedProductReview: { approve: '同意发布', ret: '不予发布', after: '已记录保密审查结论；全部来源成果同意后该衍生产品方可发布，不予发布的理由将邮件告知登记单位。', hint: '理由（不予发布时必填，至少 5 个字，将邮件告知登记单位）' },
    publicationReview: { approve: '审查通过', ret: '退回修改', after: '已记录保密审查结论；通过后送审批单位审批，退回时申请人将收到邮件。', hint: '审查意见（退回修改时必填，至少 5 个字，将反馈给申请人）' },
    publicationApproval: { approve: '同意发布', ret: '不予发布', after: '已记录审批决定；不予发布时申请人将收到邮件。', hint: '审批意见（不予发布时必填，至少 5 个字，将通知申请人）' },
    publicationWithdrawal: { approve: '同意撤回', ret: '不予撤回', after: '已记录撤回审批决定；同意后文件不再提供下载，不予撤回时申请人将收到邮件。', hint: '审批意见（不予撤回时必填，至少 5 个字，将通知申请人）' },
    problemVerification: { approve: '属实', ret: '不属实', after: '已记录核实结论；属实时系统将以邮件责令实施单位改正，不属实时不予责令改正。', hint: '核实意见（不属实时必填，至少 5 个字）' },
  };
  /** The button's words for a decision, for this kind of task. */
  function decisionWords(w, decision) { return decision === 'approve' ? w.approve : w.ret; }
  var levels = ${JSON.stringify(classificationLabels)};
  // The report's map (issue 13): SVG text the server drew with every label escaped, parsed as SVG (never as HTML).
  function svgNode(svg) {
    var root = new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
    return root && root.nodeName === 'svg' ? document.importNode(root, true) : el('span', {}, []);
  }
  function row(k, v) { return el('tr', {}, [el('th', { scope: 'row' }, [k]), el('td', {}, [text(v)])]); }
  function save(name, type, data) {
    var blob = new Blob([typeof data === 'string' ? data : JSON.stringify(data, null, 2)], { type: type });
    var a = el('a', { href: URL.createObjectURL(blob), download: name }, []);
    document.body.appendChild(a); a.click(); a.remove();
  }
  function reportEntries(box, reportId) {
    var path = '/catalogue-reports/' + encodeURIComponent(reportId);
    call('GET', path).then(function (res) {
      if (res.status !== 200) { show(box, [el('p', { class: 'msg bad' }, ['无法读取上报条目：' + errorText(res)])]); return; }
      var rows = res.data.entries.map(function (e, i) {
        if (e.redacted) return el('tr', { class: 'redacted' }, [el('td', {}, [String(i + 1)]), el('td', {}, [el('code', {}, [e.resultNumber])]), el('td', { colspan: '4' }, [text(e.note)])]);
        return el('tr', {}, [el('td', {}, [String(i + 1)]), el('td', {}, [el('code', {}, [e.resultNumber])]), el('td', {}, [text(e.name)]), el('td', {}, [text(e.spatialScope && e.spatialScope.regionCode)]), el('td', {}, [text(e.timePoint && (e.timePoint.from === e.timePoint.to ? e.timePoint.from : e.timePoint.from + ' 至 ' + e.timePoint.to))]), el('td', {}, [text(levels[e.classification] || e.classification)])]);
      });
      var buttons = ['csv', 'html'].map(function (f) {
        var b = el('button', { type: 'button', class: 'secondary' }, [f === 'csv' ? '下载表格（CSV）' : '下载网页（HTML）']);
        b.addEventListener('click', function () {
          call('GET', path + '/files/' + f).then(function (r) {
            if (r.status !== 200) { show(box, [el('p', { class: 'msg bad' }, [errorText(r)])]); return; }
            // fetch's text() drops the UTF-8 BOM; put it back so Excel and WPS read the CSV as UTF-8.
            var body = f === 'csv' && String(r.data).charAt(0) !== '\\uFEFF' ? '\\uFEFF' + r.data : r.data;
            save('成果目录上报-' + reportId + '.' + f, f === 'csv' ? 'text/csv;charset=utf-8' : 'text/html;charset=utf-8', body);
          });
        });
        return b;
      });
      show(box, [
        el('table', {}, [el('thead', {}, [el('tr', {}, ['序号', '统一编号', '成果名称', '行政区', '时点', '密级'].map(function (h) { return el('th', {}, [h]); }))]), el('tbody', {}, rows)]),
        el('p', {}, ['超出您密级的条目只显示统一编号。']),
        el('p', {}, buttons),
      ]);
    }, function () { show(box, [el('p', { class: 'msg bad' }, ['网络错误，无法读取上报条目'])]); });
  }
  function render(t) {
    var s = t.summary || {};
    var w = words[t.kind] || words.technicalReview;
    var nodes = [];
    nodes.push(el('div', { class: 'card' }, [
      el('h2', {}, [text(t.title)]),
      el('p', {}, ['任务类型：' + text(t.kindLabel) + '　状态：', el('span', { class: 'status' }, [text(t.statusLabel)]), '　办理期限：' + text(t.due) + (t.overdue ? '（已逾期 ' + Math.abs(t.workingDaysLeft) + ' 个工作日）' : '（剩余 ' + t.workingDaysLeft + ' 个工作日）')]),
    ].concat(t.details && t.details.length ? [el('ul', {}, t.details.map(function (d) { return el('li', {}, [text(d)]); }))] : [])));
    if (t.kind === 'custodyReceipt' || t.kind === 'forestryCopyAck') {
      var sub = s.submission || {};
      // Chinese first, the code after it: 广东省自然资源技术中心（440000-CUS）.
      var org = function (name, code) { return name && name !== code ? name + '（' + text(code) + '）' : text(code); };
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['成果概况']), el('table', {}, [
        row('成果名称', sub.name), row('汇交编号', sub.submissionId), row('专题', sub.themeLabel || sub.theme), row('密级', sub.classificationLabel),
        row('组织单位', org(sub.organiserName, sub.organiserOrg)), row('实施单位', org(sub.implementerName, sub.implementerOrg)), row('保管单位', org(sub.custodianName, sub.custodianOrg)), row('版本', '第 ' + sub.currentVersion + ' 版'),
        row('统一编号', s.entry ? s.entry.resultNumber : '（尚未编号）'),
      ])]));
    } else if (t.kind === 'destructionApproval') {
      var en = s.entry || {}, de = s.destruction || {};
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['拟销毁的成果']), el('table', {}, [
        row('统一编号', en.resultNumber), row('成果名称', en.name), row('专题', en.themeLabel || en.theme), row('行政区', en.regionName ? en.regionName + '（' + text(en.regionCode) + '）' : en.regionCode), row('密级', en.classificationLabel), row('保管单位', text(en.custodianName) + '（' + text(en.custodian) + '）'),
      ]), el('h3', {}, ['销毁申请']), el('table', {}, [
        row('申请编号', de.destructionId), row('状态', de.statusLabel), row('申请人', de.requestedBy), row('申请时间', de.requestedAtLabel), row('理由', de.reasons),
      ])]));
    } else if (t.kind === 'sharingReview') {
      var ap = s.application || {}, hi = s.history || {};
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['共享申请']), el('table', {}, [
        row('申请编号', ap.applicationId), row('申请单位', text(ap.requesterName) + '（' + text(ap.requesterOrg) + '）'), row('申请人', ap.requestedBy), row('申请时间', ap.requestedAtLabel), row('联系人', ap.contact),
        row('用途', ap.purpose), row('使用范围', ap.scope), row('使用期限', text(ap.from) + ' 至 ' + text(ap.to)), row('共享方式', ap.channelLabel),
        row('此前共享', '获准 ' + (hi.approved || 0) + ' 次，未获同意 ' + (hi.rejected || 0) + ' 次'),
      ]), el('h3', {}, ['申请的成果']), el('table', {}, (ap.items || []).map(function (i) { return row(i.resultNumber, text(i.name) + '（' + text(i.classificationLabel) + '）：' + text(i.content)); }))].concat((s.otherGrants || []).length ? [
        el('h3', {}, ['其他单位已获准共享（授权不得转让，R18.1）']),
        el('table', {}, s.otherGrants.map(function (o) { return row(o.resultNumber, o.holders.map(function (x) { return text(x.name) + '（' + text(x.org) + '，授权 ' + text(x.grantId) + '）'; }).join('、')); })),
      ] : [])));
    } else if (t.kind === 'derivedProductReview') {
      var pr = s.product || {};
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['衍生产品']), el('table', {}, [
        row('产品编号', pr.productId), row('名称', pr.name), row('登记单位', text(pr.requesterName) + '（' + text(pr.requesterOrg) + '）'), row('登记时间', pr.registeredAtLabel), row('说明', pr.description), row('加工处理', pr.processing), row('共享授权', pr.grantId),
      ]), el('h3', {}, ['来源成果（本单位组织）']), el('table', {}, (s.sources || []).map(function (x) { return row(x.resultNumber, x.classificationLabel); }))]));
    } else if (t.kind === 'evaluationAck') {
      var ev = s.evaluation || {};
      var docBox = el('div', {}, []);
      var docButton = el('button', { type: 'button', class: 'secondary', 'data-testid': 'evaluation-file' }, ['下载评价文件（存档网页）']);
      docButton.addEventListener('click', function () {
        call('GET', ev.filePath).then(function (r) {
          if (r.status !== 200) { show(docBox, [el('p', { class: 'msg bad' }, ['无法读取评价文件：' + errorText(r)])]); return; }
          save(r.data.fileName, 'text/html;charset=utf-8', r.data.text);
        }, function () { show(docBox, [el('p', { class: 'msg bad' }, ['网络错误，无法读取评价文件'])]); });
      });
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['成果利用与质量评价']), el('table', {}, [
        row('保管单位', text(ev.custodianName) + '（' + text(ev.custodianOrg) + '）'), row('评价期间', ev.quarterLabel), row('存档文件', ev.key), row('SHA-256', ev.sha256),
      ]), el('h3', {}, ['各项数据（件次）']), el('table', {}, (ev.figures || []).map(function (f) { return row(f.label, String(f.value)); })),
        el('p', {}, [docButton]), docBox,
      ]));
    } else if (t.kind === 'problemVerification') {
      var qp = s.problem || {};
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['质量问题']), el('table', {}, [
        row('问题编号', qp.problemId), row('成果', qp.resultNumber), row('文件或图层', qp.file), row('问题说明', qp.description), row('严重程度', qp.severity), row('当前状态', qp.stateLabel),
      ])].concat((qp.attachments || []).length ? [el('h3', {}, ['附件']), el('ul', {}, qp.attachments.map(function (a) { return el('li', {}, [text(a.name) + '（' + a.size + ' 字节，SHA-256 ' + text(a.sha256).slice(0, 16) + '…；在控制台“质量问题处理”中查看）']); }))] : [])));
    } else if (t.kind === 'publicationReview' || t.kind === 'publicationApproval') {
      var rl = s.release || {}, ru = s.rule || {};
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['发布版本']), el('table', {}, [
        row('发布申请', s.requestId), row('状态', s.statusLabel), row('发布版本', rl.releaseNumber), row('源成果', rl.sourceNumber), row('成果名称', rl.name), row('专题', rl.themeLabel), row('发布密级', rl.classificationLabel), row('组织单位', rl.organiser),
        row('适用规则', text(ru.ruleId) + '（权限表第 ' + text(ru.tableVersion) + ' 版）：' + text(ru.basis)), row('轮次', '第 ' + text(s.round) + ' 轮'),
      ].concat(s.embargoUntil ? [row('解禁日期', s.embargoUntil)] : []).concat(s.programme ? [row('调查项目', s.programme)] : []))]));
      var ds = s.desensitisation;
      nodes.push(el('div', { class: 'card' }, ds ? [el('h3', {}, ['脱密脱敏记录']), el('table', {}, [
        el('thead', {}, [el('tr', {}, ['处理方式', '处理对象', '具体内容'].map(function (h) { return el('th', {}, [h]); }))]),
        el('tbody', {}, ds.changes.map(function (c) { return el('tr', {}, [el('td', {}, [{ removed: '删除', generalised: '概化', shifted: '偏移' }[c.action] || c.action]), el('td', {}, [{ attributes: '属性', precision: '精度', features: '要素', coordinates: '坐标' }[c.target] || c.target]), el('td', {}, [text(c.description)])]); })),
      ]), el('table', {}, [row('处理方法', ds.method), row('适用规则', ds.rule), row('依据文号', ds.basisDocument), row('处理人', ds.performedBy), row('处理日期', ds.performedOn)])] : [el('h3', {}, ['脱密脱敏记录']), el('p', {}, ['源成果为公开成果，无脱密脱敏记录。'])]));
      if (s.rounds && s.rounds.length > 1) {
        nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['历次审查']), el('ul', {}, s.rounds.map(function (x) { return el('li', {}, ['第 ' + x.round + ' 轮 ' + text(x.releaseNumber) + '：' + (x.review ? (x.review.decision === 'approve' ? '审查通过' : '退回修改') + (x.review.reasons ? '（' + text(x.review.reasons) + '）' : '') : '待审查')]); }))]));
      }
      if (s.files) {
        nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['发布版本文件清单']), el('p', {}, ['共 ' + s.files.count + ' 个文件，' + text(s.files.totalSize) + (s.files.count > s.files.listed.length ? '；下表列出前 ' + s.files.listed.length + ' 个' : '')]),
          el('table', {}, [el('thead', {}, [el('tr', {}, [el('th', {}, ['文件']), el('th', {}, ['大小'])])]), el('tbody', {}, s.files.listed.map(function (f) { return el('tr', {}, [el('td', {}, [el('code', {}, [f.path])]), el('td', {}, [text(f.sizeLabel)])]); }))])]));
      }
      if (s.package && s.package.report) {
        var pr = s.package.report;
        nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['自动核验报告']), el('p', {}, ['结论：', el('span', { class: pr.passed ? 'pass' : 'fail' }, [pr.passed ? '通过' : '不通过']), '　核验时间：' + text(pr.checkedAtLabel) + '；错误 ' + pr.summary.errors + ' 项，警告 ' + pr.summary.warnings + ' 项']), el('p', {}, [el('a', { href: pr.pagePath, target: '_blank', rel: 'noopener' }, ['查看完整核验报告'])])]));
      } else if (t.kind === 'publicationReview') {
        nodes.push(el('div', { class: 'card' }, ['发布版本成果包的核验报告尚未生成。']));
      }
      if (s.closed) {
        // R12.2: the other department refused; this approval was closed undecided.
        nodes.push(el('div', { class: 'card error', 'data-testid': 'approval-closed' }, [el('h3', {}, ['此审批已关闭']), el('p', {}, [text(s.closed.reason)])]));
      }
      if (s.otherDecisions && s.otherDecisions.length) {
        // R12.2: one department's decision is shown to the other.
        nodes.push(el('div', { class: 'card', 'data-testid': 'other-decision' }, [el('h3', {}, ['另一审批单位的决定']), el('table', {}, s.otherDecisions.map(function (o) {
          return row(text(o.orgName) + '（' + text(o.orgCode) + '）', o.decisionLabel + (o.reasons ? '；理由：' + o.reasons : '') + (o.decidedBy ? '（' + o.decidedBy + '）' : ''));
        }))]));
      }
    } else if (t.kind === 'publicationWithdrawal') {
      var wr = s.withdrawal || {}, rv = s.release || {};
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['撤回申请']), el('table', {}, [
        row('撤回申请', wr.id), row('状态', wr.statusLabel), row('撤回原因', wr.reason), row('申请人', text(wr.requestedBy) + '（' + text(wr.requestedByOrg) + '）'), row('申请时间', wr.requestedAt), row('适用规则', wr.rule),
      ]), el('h3', {}, ['发布版本']), el('table', {}, [
        row('发布版本', rv.releaseNumber), row('源成果', rv.sourceNumber), row('成果名称', rv.name), row('专题', rv.themeLabel), row('密级', rv.classificationLabel), row('发布时间', rv.releasedAt), row('文件数', rv.files),
      ])]));
      if (s.closed) nodes.push(el('div', { class: 'card error', 'data-testid': 'approval-closed' }, [el('h3', {}, ['此审批已关闭']), el('p', {}, [text(s.closed.reason)])]));
      if (s.otherDecisions && s.otherDecisions.length) {
        nodes.push(el('div', { class: 'card', 'data-testid': 'other-decision' }, [el('h3', {}, ['另一审批单位的决定']), el('table', {}, s.otherDecisions.map(function (o) {
          return row(text(o.orgName) + '（' + text(o.orgCode) + '）', o.decisionLabel + (o.reasons ? '；理由：' + o.reasons : '') + (o.decidedBy ? '（' + o.decidedBy + '）' : ''));
        }))]));
      }
    } else if (t.kind === 'catalogueReportAck') {
      var rp = s.report || {};
      var box = el('div', {}, ['正在读取上报条目……']);
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['成果目录上报']), el('table', {}, [
        row('上报编号', rp.reportId), row('报送单位', text(rp.custodianName) + '（' + text(rp.custodianOrg) + '）'), row('状态', rp.statusLabel), row('报送人', rp.sentBy), row('上报期限', rp.dueDate), row('条目数', (rp.resultNumbers || []).length),
      ]), el('h3', {}, ['上报条目']), box]));
      if (rp.reportId) reportEntries(box, rp.reportId);
    }
    var reviewLike = t.kind === 'technicalReview' || t.kind === 'technicalCountersign';
    if (t.kind === 'technicalCountersign' && s.unit) {
      nodes.push(el('div', { class: 'card' }, [el('p', {}, ['您代表' + text(s.unit.orgName) + '（' + text(s.unit.capacity) + '）会签：请阅读成果包概况与自动核验报告后给出意见。'])]));
    }
    if (t.kind === 'technicalReview' && s.countersign && s.countersign.length) {
      // R7.1: the countersigning units' opinions, before the decision.
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['会签意见']), el('table', {}, [
        el('thead', {}, [el('tr', {}, ['会签单位', '身份', '状态', '意见', '理由', '会签人', '时间'].map(function (h) { return el('th', {}, [h]); }))]),
        el('tbody', {}, s.countersign.map(function (o) {
          return el('tr', { class: o.opinion === 'return' ? 'error' : '' }, [el('td', {}, [text(o.orgName)]), el('td', {}, [text(o.capacity)]), el('td', {}, [text(o.statusLabel)]), el('td', {}, [text(o.opinionLabel || '—')]), el('td', {}, [text(o.reasons || '')]), el('td', {}, [text(o.decidedBy || '')]), el('td', {}, [text(o.decidedAtLabel || '')])]);
        })),
      ])]));
    }
    if (reviewLike && s.submission) {
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['成果包概况']), el('table', {}, [
        row('成果名称', s.submission.name), row('调查监测任务', s.submission.taskName), row('汇交编号', s.submission.submissionId), row('汇交单位', s.submission.implementerName),
        row('成果专题', s.submission.themeLabel), row('空间范围', s.submission.regionName ? s.submission.regionName + '（' + text(s.submission.regionCode) + '）' : s.submission.regionCode), row('密级', s.submission.classificationLabel),
        row('版本', '第 ' + s.version.n + ' 版（' + s.version.statusLabel + '）'), row('文件', s.version.fileCount + ' 个，共 ' + s.version.totalSize),
      ].concat(s.version.sealedAtLabel ? [row('封存时间', s.version.sealedAtLabel)] : []))]));
    }
    if (reviewLike && s.report) {
      var r = s.report;
      var defects = el('tbody', {}, r.defects.map(function (d, i) {
        return el('tr', { class: d.severity }, [el('td', {}, [String(i + 1)]), el('td', {}, [el('code', {}, [d.file || '（整个成果包）'])]), el('td', {}, [el('code', {}, [d.rule])]), el('td', {}, [d.message]), el('td', { class: 'sev' }, [d.severity === 'error' ? '错误' : '警告'])]);
      }));
      var open = el('a', { href: r.pagePath, target: '_blank', rel: 'noopener' }, ['查看完整核验报告']);
      nodes.push(el('div', { class: 'card' }, [
        el('h3', {}, ['自动核验报告']),
        el('p', {}, ['结论：', el('span', { class: r.passed ? 'pass' : 'fail' }, [r.passed ? '通过' : '不通过']), '　核验时间：' + text(r.checkedAtLabel) + '；错误 ' + r.summary.errors + ' 项，警告 ' + r.summary.warnings + ' 项；文件 ' + r.summary.files + ' 个（' + text(r.profileLabel) + '，范围按' + text(r.regionName) + '核对）']),
        r.mapSvg ? el('figure', { class: 'map', 'data-testid': 'task-map' }, [svgNode(r.mapSvg)]) : el('span', {}, []),
        r.defects.length ? el('table', {}, [el('thead', {}, [el('tr', {}, [el('th', {}, ['序号']), el('th', {}, ['文件']), el('th', {}, ['规则']), el('th', {}, ['说明']), el('th', {}, ['严重程度'])])]), defects]) : el('p', {}, ['未发现问题。']),
        el('p', {}, [open]),
      ]));
    } else if (reviewLike) {
      nodes.push(el('div', { class: 'card' }, ['自动核验报告尚未生成。']));
    }
    if (t.decision) {
      nodes.push(el('div', { class: 'card' }, [el('p', { class: 'msg ok' }, ['已决定：' + decisionWords(w, t.decision.decision) + '（' + t.decision.decidedBy + '，' + t.decision.decidedAtLabel + '）' + (t.decision.reasons ? '；理由：' + t.decision.reasons : '')])]));
    }
    if (t.canDecide) {
      var reasons = el('textarea', { rows: '4', maxlength: '4000', placeholder: w.hint }, []);
      // A sharing review may approve with conditions (R15.1): an earlier end of the period, a narrower scope.
      var condTo = el('input', { type: 'date', 'aria-label': '同意时的使用期限截止日（可缩短）' }, []);
      var condScope = el('input', { type: 'text', maxlength: '1000', 'aria-label': '同意时限定的使用范围', placeholder: '限定使用范围（可不填）' }, []);
      var condReport = el('input', { type: 'date', 'aria-label': '利用情况报告应交日期（默认为期限届满日）' }, []);
      // R13.1: processing asked for is consented or refused explicitly with an approval (refused: the plain data).
      var asksProcessing = t.kind === 'sharingReview' && t.summary && t.summary.application && t.summary.application.processing;
      var condProcessing = el('select', { 'aria-label': '是否同意加工（R13.1）' }, [el('option', { value: '' }, ['请选择是否同意加工']), el('option', { value: 'consent' }, ['同意加工']), el('option', { value: 'refuse' }, ['不同意加工，只提供原始数据'])]);
      var sharingConditions = t.kind === 'sharingReview' ? el('div', {}, [
        asksProcessing ? el('p', {}, ['申请加工：' + text(t.summary.application.processing.kindLabels) + '；要求：' + text(t.summary.application.processing.spec) + '　', condProcessing]) : el('span', {}, []),
        el('p', {}, ['附加条件（可不填）：期限截止 ', condTo, '　', condScope, '　利用情况报告应交日期 ', condReport]),
      ]) : el('span', {}, []);
      // R19.3: 属实 records the responsibility finding (who, what, conclusion).
      var findWho = el('input', { type: 'text', maxlength: '200', 'aria-label': '责任方', placeholder: '责任方（单位或人员）' }, []);
      var findWhat = el('input', { type: 'text', maxlength: '4000', 'aria-label': '责任事项', placeholder: '问题（责任事项）' }, []);
      var findConclusion = el('input', { type: 'text', maxlength: '4000', 'aria-label': '认定结论', placeholder: '认定结论' }, []);
      if (t.kind === 'problemVerification') sharingConditions = el('p', {}, ['责任认定（属实时必填）：', findWho, '　', findWhat, '　', findConclusion]);
      var approve = el('button', { type: 'button' }, [w.approve]);
      var ret = el('button', { type: 'button', class: 'return' }, [w.ret]);
      var out = el('div', {}, []);
      function decide(decision) {
        // A decision is final (one per task): ask once more before the POST.
        // A return needs its reasons (the server says so too): ask for them before the final question, not after.
        if (t.kind === 'problemVerification' && decision === 'approve' && (findWho.value.trim().length < 2 || findWhat.value.trim().length < 2 || findConclusion.value.trim().length < 2)) {
          show(out, [el('p', { class: 'msg bad' }, ['核实属实时请填写责任认定：责任方、问题、结论（各至少 2 个字）。'])]);
          findWho.focus();
          return;
        }
        if (decision === 'return' && reasons.value.trim().length < 5) {
          show(out, [el('p', { class: 'msg bad' }, [w.ret + '时请填写理由（至少 5 个字）。'])]);
          reasons.focus();
          return;
        }
        if (!window.confirm('将提交决定：“' + decisionWords(w, decision) + '”（' + text(t.title) + '）。\\n每个任务只能决定一次，提交后不可更改。确定提交吗？')) return;
        approve.disabled = true; ret.disabled = true;
        var payload = { decision: decision, reasons: reasons.value };
        if (t.kind === 'sharingReview' && decision === 'approve' && (condTo.value || condScope.value.trim() || condReport.value || condProcessing.value)) {
          payload.conditions = {};
          if (condProcessing.value) payload.conditions.processing = condProcessing.value;
          if (condReport.value) payload.conditions.useReportDue = condReport.value;
          if (condTo.value) payload.conditions.to = condTo.value;
          if (condScope.value.trim()) payload.conditions.scope = condScope.value.trim();
        }
        if (t.kind === 'problemVerification' && decision === 'approve') payload.conditions = { finding: { who: findWho.value.trim(), what: findWhat.value.trim(), conclusion: findConclusion.value.trim() } };
        call('POST', api + '/decision', payload).then(function (res) {
          if (res.status === 200) {
            render(res.data);
            message('ok', '已提交：' + decisionWords(w, decision) + '。' + w.after);
            // The workflow moves on after the decision (status of the report, the version …): read the task again shortly.
            setTimeout(function () { call('GET', api).then(function (again) { if (again.status === 200) render(again.data); }, function () {}); }, 2500);
            return;
          }
          show(out, [el('p', { class: 'msg bad' }, [errorText(res)])]);
          if (res.status === 400) { approve.disabled = false; ret.disabled = false; }
        }, function () { show(out, [el('p', { class: 'msg bad' }, ['网络错误，请稍后重试'])]); approve.disabled = false; ret.disabled = false; });
      }
      approve.addEventListener('click', function () { decide('approve'); });
      ret.addEventListener('click', function () { decide('return'); });
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['处理决定']), reasons, sharingConditions, el('p', {}, [approve, ret]), out]));
    }
    show(contentBox, nodes);
  }
  call('GET', api).then(function (res) {
    if (res.status === 200) { show(statusBox, [el('span', {}, ['已登录，任务如下。'])]); render(res.data); return; }
    if (res.status === 401) { message('bad', errorText(res), signInLink()); return; }
    message('bad', errorText(res), res.status === 403 ? signInLink() : null);
  }, function () { message('bad', '网络错误，无法读取任务，请稍后刷新重试。'); });
`;
