import { randomBytes } from 'node:crypto';
import { documentHead } from '#shared/web/page-shell.ts';
import { maxVerificationAttempts, verificationCodeMinutes } from './public-model.ts';

/**
 * GET /public/applications/form (public, R14.2, R16.3): the form the public
 * catalogue links to. Static: it reads and stores nothing when served. Its
 * script posts the form as JSON to POST /public/applications (same origin),
 * then shows the code field and posts the code to …/verification; every
 * message from the API is shown with textContent, and a 400's field is named.
 */
export function publicApplicationFormPage(opts: { resultNumber?: string | undefined } = {}): { html: string; headers: Record<string, string> } {
  const nonce = randomBytes(16).toString('base64');
  const html = `${documentHead('公众申请')}
<body>
<main>
<h1>申请利用已发布成果 · 政府信息公开申请</h1>
<p>公民、法人或其他组织无需注册账号即可申请。提交后我们向您的邮箱发送 6 位验证码（${verificationCodeMinutes} 分钟内有效，最多输入 ${maxVerificationAttempts} 次）；验证后申请即为收到，答复机关自收到之日起 20 个工作日内答复（可依法延长一次，最长 20 个工作日），答复以邮件告知。</p>
<form id="apply" novalidate>
<fieldset><legend>申请类型</legend>
<label><input type="radio" name="kind" value="reuse" checked> 进一步利用已发布成果</label>
<label><input type="radio" name="kind" value="disclosure"> 政府信息公开申请</label>
</fieldset>
<p><label>姓名或名称 <input name="name" required maxlength="100"></label></p>
<p><label>工作单位（可不填） <input name="organisation" maxlength="200"></label></p>
<p><label>联系电话 <input name="phone" required maxlength="30"></label></p>
<p><label>通信地址（可不填） <input name="address" maxlength="300"></label></p>
<p><label>电子邮箱 <input name="email" type="email" required maxlength="254"></label></p>
<p><label>成果统一编号（利用已发布成果时必填） <input name="resultNumber" maxlength="40" value=""></label></p>
<p><label>申请公开信息的机关代码（不涉及具体成果时填写，如 440000-NR） <input name="answeringOrg" maxlength="20"></label></p>
<p><label>申请的成果或信息 <textarea name="subject" required maxlength="2000" rows="3"></textarea></label></p>
<p><label>用途 <textarea name="purpose" required maxlength="2000" rows="3"></textarea></label></p>
<p><button type="submit">提交申请并发送验证码</button></p>
</form>
<form id="verify" hidden novalidate>
<p><label>邮件中的验证码 <input name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required></label></p>
<p><button type="submit">验证</button></p>
</form>
<p id="message" role="status" aria-live="polite"></p>
</main>
<script nonce="${nonce}">
(function () {
  var config = ${JSON.stringify({ resultNumber: opts.resultNumber ?? '' })};
  var apply = document.getElementById('apply');
  var verify = document.getElementById('verify');
  var message = document.getElementById('message');
  var applicationId = '';
  if (config.resultNumber) apply.elements.resultNumber.value = config.resultNumber;
  function say(text) { message.textContent = text; }
  function failure(body) {
    var e = body && body.error;
    if (!e) return '提交失败，请稍后重试';
    var fields = (e.details || []).map(function (d) { return d.field + '：' + d.message; });
    return e.message + (fields.length ? '（' + fields.join('；') + '）' : '');
  }
  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { return { ok: res.ok, body: json }; }); });
  }
  apply.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = apply.elements;
    var body = { kind: f.kind.value, name: f.name.value, phone: f.phone.value, email: f.email.value, subject: f.subject.value, purpose: f.purpose.value };
    ['organisation', 'address', 'resultNumber', 'answeringOrg'].forEach(function (k) { if (f[k].value.trim()) body[k] = f[k].value.trim(); });
    post('/public/applications', body).then(function (r) {
      if (!r.ok) return say(failure(r.body));
      applicationId = r.body.application.applicationId;
      apply.hidden = true; verify.hidden = false;
      say(r.body.application.message);
    }).catch(function () { say('网络错误，请稍后重试'); });
  });
  verify.addEventListener('submit', function (ev) {
    ev.preventDefault();
    post('/public/applications/' + encodeURIComponent(applicationId) + '/verification', { code: verify.elements.code.value.trim() }).then(function (r) {
      if (!r.ok) return say(failure(r.body));
      verify.hidden = true;
      say(r.body.application.message + ' 申请编号：' + r.body.application.applicationId);
    }).catch(function () { say('网络错误，请稍后重试'); });
  });
})();
</script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      'x-frame-options': 'DENY',
    },
  };
}
