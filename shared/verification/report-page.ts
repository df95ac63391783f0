import { shellPage, type ShellPage } from '#shared/web/page-shell.ts';

/**
 * The page the report links in emails and CLI output open
 * (GET /submissions/{submissionId}/versions/{n}/report/page, public).
 *
 * The report itself (…/report.html) needs a bearer token, which a browser
 * following a link does not send; this shell (#shared/web/page-shell.ts)
 * fetches it with the signed-in user's token and shows it in a sandboxed
 * frame: no scripts (sandbox without allow-scripts, and the page's nonce-only
 * CSP, which a srcdoc frame inherits), so the report is data, not code. The
 * frame keeps the page's origin (allow-same-origin) only so that this script
 * can measure the report and grow the frame to its full height: a long report
 * reads with the page's own scroll bar, not cut in a fixed box. Without
 * scripts in the frame, the same origin gives the report nothing it could use.
 * Served, the shell holds nothing of the report; who may read it is decided
 * by the report route (organiser, implementer, custodian and their superiors).
 */
export function reportPagePath(submissionId: string, n: number): string {
  return `/submissions/${encodeURIComponent(submissionId)}/versions/${n}/report/page`;
}

/** The link a person is given (email, CLI): the page, never the token-only report route. */
export function reportPageUrl(baseUrl: string, submissionId: string, n: number): string {
  return `${baseUrl.replace(/\/+$/, '')}${reportPagePath(submissionId, n)}`;
}

export function reportPage(opts: { submissionId: string; n: number; signInUrl: string }): ShellPage {
  return shellPage({
    pagePath: reportPagePath(opts.submissionId, opts.n),
    signInUrl: opts.signInUrl,
    title: '技术核验报告',
    heading: '技术核验报告',
    loading: '正在读取核验报告……',
    signInPrompt: '请先登录：核验报告仅组织、实施、保管单位及其上级单位的人员可以查看。',
    signInText: '登录后查看核验报告',
    note: '本页面仅在您登录后显示核验报告；每一轮核验的报告均留存，可按版本查看。',
    config: { submissionId: opts.submissionId, n: opts.n },
    script: reportScript,
  });
}

const reportScript = `  var base = '/submissions/' + encodeURIComponent(config.submissionId) + '/versions/' + encodeURIComponent(String(config.n));
  call('GET', base + '/report.html').then(function (res) {
    if (res.status === 200 && typeof res.data === 'string') {
      show(statusBox, [el('span', {}, ['已登录。汇交编号 ', el('code', {}, [text(config.submissionId)]), '，第 ' + config.n + ' 版的技术核验报告如下。'])]);
      // No allow-scripts: the report is shown, never run, and cannot reach this page or its token.
      var frame = el('iframe', { class: 'report', sandbox: 'allow-same-origin', title: '技术核验报告' }, []);
      // The frame as tall as the report: measured at 0 height, so the report's own height, not the frame's, is read.
      function fit() {
        var doc = frame.contentDocument;
        if (!doc || !doc.documentElement) return;
        frame.style.height = '0px';
        var height = Math.max(doc.documentElement.scrollHeight, doc.body ? doc.body.scrollHeight : 0);
        frame.style.height = (height + 4) + 'px';
      }
      frame.addEventListener('load', fit);
      window.addEventListener('resize', fit);
      frame.srcdoc = res.data;
      show(contentBox, [frame]);
      return;
    }
    if (res.status === 401) { message('bad', errorText(res), signInLink()); return; }
    if (res.status === 404) { message('bad', errorText(res) + '（自动核验完成后才有报告，请稍后刷新。）'); return; }
    message('bad', errorText(res), res.status === 403 ? signInLink() : null);
  }, function () { message('bad', '网络错误，无法读取核验报告，请稍后刷新重试。'); });
`;
