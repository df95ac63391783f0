import { shellPage, type ShellPage } from '#shared/web/page-shell.ts';

/**
 * The page the report links in emails and CLI output open
 * (GET /submissions/{submissionId}/versions/{n}/report/page, public).
 *
 * The report itself (…/report.html) needs a bearer token, which a browser
 * following a link does not send; this shell (#shared/web/page-shell.ts)
 * fetches it with the signed-in user's token and shows it in a sandboxed
 * frame (no scripts, no same-origin access: the report is data, not code).
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
      // sandbox="" : the report is shown, never run, and cannot reach this page or its token.
      var frame = el('iframe', { class: 'report', sandbox: '', title: '技术核验报告' }, []);
      frame.srcdoc = res.data;
      show(contentBox, [frame]);
      return;
    }
    if (res.status === 401) { message('bad', errorText(res), signInLink()); return; }
    if (res.status === 404) { message('bad', errorText(res) + '（自动核验完成后才有报告，请稍后刷新。）'); return; }
    message('bad', errorText(res), res.status === 403 ? signInLink() : null);
  }, function () { message('bad', '网络错误，无法读取核验报告，请稍后刷新重试。'); });
`;
