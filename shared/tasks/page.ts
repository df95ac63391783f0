import { randomBytes } from 'node:crypto';
import { escapeHtml } from './mail.ts';

/**
 * The page an emailed task link opens (GET /human-tasks/{id}/page, public).
 *
 * It is a shell: rendering it reads nothing and changes nothing, so a mail
 * security scanner that fetches every link in a message learns nothing and
 * decides nothing. In the browser its script takes the signed-in user's ID
 * token from localStorage (`chengguo.idToken`: the local sign-in page puts it
 * there; on AWS the Cognito hosted UI's callback does), GETs the task — which
 * only an assignee may — and shows the package summary and the report; the
 * decision is a POST the user makes by pressing a button.
 *
 * Every value from the API is inserted with textContent (never as HTML), and
 * the Content-Security-Policy allows only this page's own script (by nonce)
 * and requests to its own origin.
 */
export const idTokenStorageKey = 'chengguo.idToken';

export interface TaskPage {
  readonly html: string;
  readonly headers: Record<string, string>;
}

export function humanTaskPage(opts: { taskId: string; signInUrl: string }): TaskPage {
  const nonce = randomBytes(16).toString('base64');
  const pagePath = `/human-tasks/${encodeURIComponent(opts.taskId)}/page`;
  const signIn = `${opts.signInUrl}${opts.signInUrl.includes('?') ? '&' : '?'}next=${encodeURIComponent(pagePath)}`;
  // JSON inside a script element: `<` escaped so no value can close the element.
  const config = JSON.stringify({ taskId: opts.taskId, signIn, storageKey: idTokenStorageKey }).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>待办任务 · 自然资源调查监测成果管理系统</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;margin:0;background:#f5f7fa;color:#1f2328;line-height:1.6}
header{background:#1f4e79;color:#fff;padding:12px 24px}header h1{font-size:18px;margin:0}
main{max-width:64rem;margin:0 auto;padding:16px 24px 48px}
.card{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f6f8fa;white-space:nowrap}
.error td.sev{color:#a40e26;font-weight:bold}.warning td.sev{color:#9a6700}
.status{display:inline-block;padding:2px 8px;border-radius:4px;background:#e8eef5}
.pass{color:#116329;font-weight:bold}.fail{color:#a40e26;font-weight:bold}
.msg{padding:8px 12px;border-radius:4px;background:#fff8c5;border:1px solid #d4a72c}
.msg.ok{background:#dafbe1;border-color:#4ac26b}.msg.bad{background:#ffebe9;border-color:#ff8182}
textarea{width:100%;box-sizing:border-box;font:inherit}
button{background:#1f4e79;color:#fff;border:0;border-radius:4px;padding:8px 16px;margin-right:8px;cursor:pointer;font:inherit}
button.return{background:#a40e26}button[disabled]{opacity:.5;cursor:default}
.muted{color:#57606a;font-size:.9rem}code{word-break:break-all}
</style>
</head>
<body>
<header><h1>自然资源调查监测成果管理系统 · 待办任务</h1></header>
<main>
<div id="status" class="card">正在读取任务……</div>
<div id="task"></div>
<noscript><p class="msg">此页面需要启用浏览器脚本，以便使用您的登录身份读取任务。</p></noscript>
<p class="muted">本页面仅在您登录后显示任务内容；打开链接本身不会改变任务状态，只有点击“通过”或“退回”才会提交决定，且每个任务只能决定一次。</p>
</main>
<script nonce="${escapeHtml(nonce)}">
(function () {
  var config = ${config};
  var statusBox = document.getElementById('status');
  var taskBox = document.getElementById('task');
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'class') node.className = attrs[k]; else node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function text(v) { return v === undefined || v === null ? '' : String(v); }
  function show(box, nodes) { box.textContent = ''; nodes.forEach(function (n) { box.appendChild(n); }); }
  function message(cls, words, link) {
    var nodes = [el('p', { class: 'msg ' + cls }, [words])];
    if (link) nodes.push(el('p', {}, [el('a', { href: link.href }, [link.text])]));
    show(statusBox, nodes);
  }
  function signInLink() { return { href: config.signIn, text: '登录（使用收到邮件的账号）' }; }
  var token = null;
  try { token = localStorage.getItem(config.storageKey); } catch (e) { token = null; }
  if (!token) { message('', '请先登录：此任务只有指派的审核人员可以查看和处理。', signInLink()); return; }
  var api = '/human-tasks/' + encodeURIComponent(config.taskId);
  function call(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token }, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (t) { var data = null; try { data = JSON.parse(t); } catch (e) { data = t; } return { status: res.status, data: data }; });
    });
  }
  function errorText(r) { return (r.data && r.data.error && r.data.error.message) || ('请求失败（' + r.status + '）'); }
  function row(k, v) { return el('tr', {}, [el('th', { scope: 'row' }, [k]), el('td', {}, [text(v)])]); }
  function render(t) {
    var s = t.summary || {};
    var nodes = [];
    nodes.push(el('div', { class: 'card' }, [
      el('h2', {}, [text(t.title)]),
      el('p', {}, ['状态：', el('span', { class: 'status' }, [text(t.statusLabel)]), '　办理期限：' + text(t.due) + (t.overdue ? '（已逾期 ' + Math.abs(t.workingDaysLeft) + ' 个工作日）' : '（剩余 ' + t.workingDaysLeft + ' 个工作日）')]),
    ]));
    if (s.submission) {
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['成果包概况']), el('table', {}, [
        row('成果名称', s.submission.name), row('调查监测任务', s.submission.taskName), row('汇交编号', s.submission.submissionId), row('汇交单位', s.submission.implementerName),
        row('成果专题', s.submission.themeLabel), row('空间范围', s.submission.regionCode), row('密级', s.submission.classificationLabel),
        row('版本', '第 ' + s.version.n + ' 版（' + s.version.statusLabel + '）'), row('文件', s.version.fileCount + ' 个，共 ' + s.version.totalSize),
      ])]));
    }
    if (s.report) {
      var r = s.report;
      var defects = el('tbody', {}, r.defects.map(function (d, i) {
        return el('tr', { class: d.severity }, [el('td', {}, [String(i + 1)]), el('td', {}, [el('code', {}, [d.file || '（整个成果包）'])]), el('td', {}, [el('code', {}, [d.rule])]), el('td', {}, [d.message]), el('td', { class: 'sev' }, [d.severity === 'error' ? '错误' : '警告'])]);
      }));
      var open = el('button', { type: 'button' }, ['查看完整核验报告']);
      open.addEventListener('click', function () {
        fetch(r.htmlPath, { headers: { authorization: 'Bearer ' + token }, credentials: 'omit' }).then(function (res) { return res.blob(); }).then(function (b) { window.open(URL.createObjectURL(b), '_blank', 'noopener'); });
      });
      nodes.push(el('div', { class: 'card' }, [
        el('h3', {}, ['自动核验报告']),
        el('p', {}, ['结论：', el('span', { class: r.passed ? 'pass' : 'fail' }, [r.passed ? '通过' : '不通过']), '　错误 ' + r.summary.errors + ' 项，警告 ' + r.summary.warnings + ' 项；文件 ' + r.summary.files + ' 个（' + text(r.profileLabel) + '，范围按' + text(r.regionName) + '核对）']),
        r.defects.length ? el('table', {}, [el('thead', {}, [el('tr', {}, [el('th', {}, ['序号']), el('th', {}, ['文件']), el('th', {}, ['规则']), el('th', {}, ['说明']), el('th', {}, ['严重程度'])])]), defects]) : el('p', {}, ['未发现问题。']),
        el('p', {}, [open]),
      ]));
    } else {
      nodes.push(el('div', { class: 'card' }, ['自动核验报告尚未生成。']));
    }
    if (t.decision) {
      nodes.push(el('div', { class: 'card' }, [el('p', { class: 'msg ok' }, ['已决定：' + t.decision.decisionLabel + '（' + t.decision.decidedBy + '，' + t.decision.decidedAt + '）' + (t.decision.reasons ? '；理由：' + t.decision.reasons : '')])]));
    }
    if (t.canDecide) {
      var reasons = el('textarea', { rows: '4', maxlength: '4000', placeholder: '理由（退回时必填，至少 5 个字，将反馈给汇交单位）' }, []);
      var approve = el('button', { type: 'button' }, ['通过']);
      var ret = el('button', { type: 'button', class: 'return' }, ['退回']);
      var out = el('div', {}, []);
      function decide(decision) {
        approve.disabled = true; ret.disabled = true;
        call('POST', api + '/decision', { decision: decision, reasons: reasons.value }).then(function (res) {
          if (res.status === 200) { render(res.data); message('ok', '已提交：' + (decision === 'approve' ? '通过' : '退回') + '。流程已继续，汇交单位将收到邮件通知。'); return; }
          show(out, [el('p', { class: 'msg bad' }, [errorText(res)])]);
          if (res.status === 400) { approve.disabled = false; ret.disabled = false; }
        }, function () { show(out, [el('p', { class: 'msg bad' }, ['网络错误，请稍后重试'])]); approve.disabled = false; ret.disabled = false; });
      }
      approve.addEventListener('click', function () { decide('approve'); });
      ret.addEventListener('click', function () { decide('return'); });
      nodes.push(el('div', { class: 'card' }, [el('h3', {}, ['审核决定']), reasons, el('p', {}, [approve, ret]), out]));
    }
    show(taskBox, nodes);
  }
  call('GET', api).then(function (res) {
    if (res.status === 200) { show(statusBox, [el('span', {}, ['已登录，任务如下。'])]); render(res.data); return; }
    if (res.status === 401) { message('bad', errorText(res), signInLink()); return; }
    message('bad', errorText(res), res.status === 403 ? signInLink() : null);
  }, function () { message('bad', '网络错误，无法读取任务，请稍后刷新重试。'); });
})();
</script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  };
}

/** The page for a link whose id cannot be a task id: nothing to load. */
export function invalidTaskLinkPage(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>链接无效</title></head><body><p>任务链接无效：请核对邮件中的链接是否完整。</p></body></html>`;
}
