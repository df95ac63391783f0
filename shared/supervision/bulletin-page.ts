import { shellPage, type ShellPage } from '#shared/web/page-shell.ts';
import { bulletinPagePath } from './bulletin.ts';

/**
 * The page the emailed bulletin link opens (GET /supervision/bulletins/{id}/page,
 * public): a shell that holds nothing of the bulletin. With the signed-in
 * user's token it reads the bulletin's HTML (shown in a sandboxed frame, no
 * scripts: the charts are inline SVG) and offers the XLSX download; who may
 * read it is decided by the bulletin routes (404 outside the reader's scope).
 */
export function bulletinPage(opts: { bulletinId: string; signInUrl: string }): ShellPage {
  return shellPage({
    pagePath: bulletinPagePath(opts.bulletinId),
    signInUrl: opts.signInUrl,
    title: '监督通报',
    heading: '监督通报',
    loading: '正在读取通报……',
    signInPrompt: '请先登录：通报仅通报单位及其上级单位的监督人员、组织单位审核人可以查看。',
    signInText: '登录后查看通报',
    note: '通报生成后不再修改；表格（XLSX）与网页内容一致，每个统计部分一张工作表。',
    config: { bulletinId: opts.bulletinId },
    script: bulletinScript,
  });
}

const bulletinScript = `  var base = '/supervision/bulletins/' + encodeURIComponent(config.bulletinId);
  call('GET', base + '/files/html').then(function (res) {
    if (res.status !== 200 || typeof res.data !== 'object' || !res.data || typeof res.data.text !== 'string') { message('bad', errorText(res)); return; }
    var b = res.data.bulletin;
    var download = el('button', { type: 'button', id: 'download-xlsx' }, ['下载 Excel 表格（XLSX）']);
    download.addEventListener('click', function () {
      call('GET', base + '/files/xlsx').then(function (r) {
        if (r.status !== 200 || !r.data || typeof r.data.base64 !== 'string') { message('bad', errorText(r)); return; }
        var bin = atob(r.data.base64);
        var bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
        var blob = new Blob([bytes], { type: r.data.contentType });
        var a = el('a', { href: URL.createObjectURL(blob), download: r.data.fileName }, []);
        document.body.appendChild(a); a.click(); a.remove();
      });
    });
    show(statusBox, [el('span', {}, ['已登录。' + b.orgName + ' ' + b.periodLabel + ' 通报如下（编号 ', el('code', {}, [text(b.bulletinId)]), '）。 ']), download]);
    var frame = el('iframe', { class: 'report', sandbox: 'allow-same-origin', title: '监督通报' }, []);
    function fit() {
      var doc = frame.contentDocument;
      if (!doc || !doc.documentElement) return;
      frame.style.height = '0px';
      frame.style.height = (Math.max(doc.documentElement.scrollHeight, doc.body ? doc.body.scrollHeight : 0) + 4) + 'px';
    }
    frame.addEventListener('load', fit);
    window.addEventListener('resize', fit);
    frame.srcdoc = res.data.text;
    show(contentBox, [frame]);
  });`;
