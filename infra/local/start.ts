/**
 * `npm start` — the local cloud, with a banner saying where everything is
 * and how to act as each demo user. `npm start -- --reset` starts clean.
 * Ctrl-C or SIGTERM stops every child process and frees every port.
 */
import { roleLabels } from '#shared/identity/roles.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import { startLocalCloud, type LocalCloud } from './cloud.ts';
import { demoBannerLines } from './demo-banner.ts';
import { signalJudge } from './signals.ts';

const args = new Set(process.argv.slice(2));
// The domain metrics (EMF, issue 11) are JSON lines CloudWatch reads on AWS; on the laptop they would only
// interleave with the log a person reads. POWERTOOLS_METRICS_DISABLED=false shows them.
process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
if (args.has('--help') || args.has('-h')) {
  console.log(`用法 usage: npm start [-- --reset] [-- --port-base 4100] [-- --data-dir .data]
  --reset        清空 .data 后重新开始 (start from an empty data folder)
  --port-base N  七个连续端口的起点 (first of seven ports; default 4100 or CHENGGUO_PORT_BASE)
  --data-dir D   数据目录 (data folder; default .data)
环境变量 environment:
  CHENGGUO_PORT_BASE=N  同 --port-base
  CHENGGUO_DEMO=0       首次启动不写演示数据 (no demo data on a fresh start)
  LOG_LEVEL=INFO        显示各函数的结构化日志 (the handlers' JSON logs; default WARN: warnings and errors only)`);
  process.exit(0);
}

function option(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

const stamp = () => new Date().toTimeString().slice(0, 8);
const log = (line: string) => console.log(`${stamp()} ${line}`);

/** Which demo user to sign in to the console as, per role (the first demo user holding it). */
function consoleRoles(cloud: LocalCloud): string[] {
  const pick = (role: string, what: string) => {
    const u = cloud.demoUsers.find((d) => (d.roles as readonly string[]).includes(role));
    return u ? `      ${what}：以 ${u.name}（${u.userId}）登录` : undefined;
  };
  return [
    pick('reviewer', '组织部门审核人 organiser — 待办（技术审核）、登记调查监测任务、R6.1 期限'),
    pick('submitter', '实施单位填报人 survey unit — 调查监测任务与汇交期限、在浏览器上传成果包'),
    pick('custodian', '成果保管人 custodian — 成果接收、成果目录管理、目录上报、销毁申请、质量问题确认、保密自查'),
    pick('administrator', '系统管理员 administrator — 组织机构、人员、批量开通、节假日安排'),
    pick('requester', '需求部门 requester — 成果检索、申请共享、我的授权（签署协议、下载）、报告质量问题'),
    pick('publisher', '发布审批人 publisher — 发布申请、保密审查与发布审批（待办）、已发布与撤回'),
    pick('supervisor', '监督人员 supervisor — 监督通报、期限监督、安全事件、保密自查情况'),
  ].filter((l): l is string => l !== undefined);
}

function banner(cloud: LocalCloud): string {
  const u = cloud.urls;
  const token = (userId: string) =>
    `TOKEN=$(curl -s -X POST ${u.api}/local-auth/token -H 'content-type: application/json' -d '{"userId":"${userId}"}' | sed -E 's/.*"idToken":"([^"]+)".*/\\1/')`;
  const lines = [
    '',
    '══════════════════════════════════════════════════════════════════════',
    ` 成果管理系统 · 本地云已就绪 (chengguo local cloud ready) — ${(cloud.timings['total'] ?? 0) / 1000} s`,
    '══════════════════════════════════════════════════════════════════════',
    `  工作台 web console     ${u.console}   ← 从这里开始 (start here)`,
    ...consoleRoles(cloud),
    `  接口 API               ${u.api}`,
    `  接口文档 API docs      ${u.docs}`,
    `  登录页 sign-in         ${u.signIn}`,
    `  邮件收件箱 inbox       ${u.inbox}`,
    `  S3 (s3rver)            ${u.s3}`,
    `  DynamoDB Local         ${u.dynamodb}`,
    `  Step Functions         ${u.sfn}`,
    `  SMTP                   ${u.smtp}`,
    `  数据目录 data          ${cloud.dataDir}`,
    '',
    ' 演示用户 demo users（以某人身份操作 act as one: 取得令牌再带上 Authorization 头）',
  ];
  for (const user of cloud.demoUsers) {
    lines.push(
      `  • ${user.name} ${user.userId} — ${user.orgName}，${user.roles.map((r) => roleLabels[r]).join('、')}，密级 ${classificationLabels[user.clearance]}`,
      `      ${user.description}`,
    );
  }
  const first = cloud.demoUsers[0]?.userId ?? 'zhang.wei';
  const admin = cloud.demoUsers.find((d) => d.roles.includes('administrator'))?.userId ?? 'wang.qiang';
  lines.push(
    '',
    ' 示例 example:',
    `  ${token(first)}`,
    `  curl -s ${u.api}/me -H "Authorization: Bearer $TOKEN"`,
    `  ${token(admin)}   # 连通性流程仅限系统管理员 (pings: administrators only)`,
    `  curl -s -X POST ${u.api}/pings -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"message":"你好"}'`,
    '  （或在登录页点选用户 — or pick a user on the sign-in page）',
  );
  if (demoOn) lines.push('', ...demoBannerLines(u));
  if (cloud.functionErrors.length > 0) {
    lines.push('', ` ⚠ 以下函数加载失败，其接口将返回 500 (these functions failed to load): ${cloud.functionErrors.join(', ')}`);
  }
  lines.push('', ' Ctrl-C 停止 (stop)；npm start -- --reset 从空数据开始 (start clean)', '');
  return lines.join('\n');
}

// CHENGGUO_DEMO=0: no demo data on a fresh data folder (organisations and users are always seeded).
const demoOn = process.env['CHENGGUO_DEMO'] !== '0';
let cloud: LocalCloud | undefined;
let stopping = false;
const judge = signalJudge();

async function shutdown(signal: string): Promise<void> {
  const verdict = judge(signal);
  if (verdict === 'same') return; // Ctrl-C reaches npm and node together: one request, already being handled.
  if (verdict === 'force') {
    log(`再次收到 ${signal}，强制退出 (second ${signal}: exiting now; the watchdog kills the children)`);
    process.exit(1);
  }
  stopping = true;
  log(`收到 ${signal}，正在停止…再按一次 Ctrl-C（1 秒后）强制退出 (stopping; Ctrl-C again after 1 s to force)`);
  try {
    await cloud?.stop();
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));

try {
  const portBase = option('--port-base');
  cloud = await startLocalCloud({
    reset: args.has('--reset'),
    ...(portBase ? { portBase: Number(portBase) } : process.env['CHENGGUO_PORT_BASE'] ? { portBase: Number(process.env['CHENGGUO_PORT_BASE']) } : {}),
    dataDir: option('--data-dir') ?? '.data',
    log,
    demo: demoOn,
    // The one-line Chinese events above are what a person follows; the handlers' JSON logs only when asked.
    handlerLogLevel: process.env['LOG_LEVEL'] ?? 'WARN',
  });
  if (stopping) await cloud.stop();
  else console.log(banner(cloud));
} catch (error) {
  console.error(`本地云启动失败 (local cloud failed to start): ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
