import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as z from 'zod/mini';
import zhCN from 'zod/v4/locales/zh-CN.js';
import { HttpSubmissionApi } from './api.ts';
import { credentialsPath, defaultApiUrl, readCredentials, removeCredentials, resolveAuth, saveCredentials, trimApiUrl } from './credentials.ts';
import { login, refresh, revoke } from './login.ts';
import { CliError, formatError } from './errors.ts';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { exitCodes, statusLines } from './follow.ts';
import { buildManifest, loadRoleRules, manifestFileName, writeManifest } from './manifest.ts';
import { formatBytes } from './progress.ts';
import { stateFileName } from './state.ts';
import { httpTransport } from './transfer.ts';
import { runUpload } from './upload.ts';
import { runDownload } from './download.ts';
import { checkPackageDir } from './walk.ts';

// Chinese first: zod's own messages (for the shared schemas the CLI checks with) in zh-CN.
z.config(zhCN());

export interface Io {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** The API client's fetch (tests pass a fake); the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

export const usage = `chengguo — 自然资源调查监测成果汇交命令行工具 (upload CLI)

用法 usage:
  chengguo login [--api URL] [--no-browser]
      在浏览器中登录（OpenID Connect 授权码 + PKCE，回调到本机 127.0.0.1 的随机端口）：打开浏览器
      （--no-browser 时只打印地址），登录后令牌与刷新令牌保存在 ~/.config/chengguo/credentials.json
      （权限 0600；或 $CHENGGUO_CONFIG_DIR、$XDG_CONFIG_HOME/chengguo），令牌到期前自动续期。
  chengguo login <用户名> [--api URL]
      仅限本地云（测试、CI）：不开浏览器，以该演示用户走同一登录流程。
  chengguo logout
      退出登录：吊销刷新令牌（登录服务支持时），删除保存的登录信息。
  chengguo manifest <目录> [--roles 规则文件] [--out manifest.json]
      流式计算每个文件的 SHA-256，按约定（或 chengguo.roles.json）确定文件角色，写出 manifest.json。
  chengguo upload <目录> --task <任务编号> [--catalogue catalogue.json] [--submission <汇交编号>]
                  [--correction] [--parallel 4] [--roles 规则文件] [--no-follow] [--wait 秒] [--verbose]
      新建汇交（或继续未完成的上传、或在退回后提交新版本），并发上传，中断后重新运行同一命令即可续传；
      --submission <汇交编号> --correction：组织单位责令改正重大质量问题后，提交已核验汇交的更正版本（R19.3）。
      上传完成后封存版本、启动核验并跟踪核验结果。进度保存在 <目录>/${stateFileName}。
      目录中已有 manifest.json 时沿用其中的文件角色（可手工修改）；目录根部的 catalogue.json 为默认目录信息。
  chengguo status <汇交编号>      汇交状态、各版本、核验问题与期限
  chengguo download <共享授权编号> [--out 目录]
      下载共享授权的全部文件（签署使用协议后）到 <目录>/data/<统一编号>/…（BagIt 布局，含 manifest-sha256.txt）；
      每个文件先写 .part，中断后重新运行同一命令从断点续传（Range），下载后按授权清单核对 SHA-256。
  chengguo abort <汇交编号> [--version n]
      取消该版本所有未完成的分片上传（已完整上传的文件保留）。

通用选项 common options:
  --api URL        接口地址（默认：登录时的地址，或 CHENGGUO_API_URL，或 ${defaultApiUrl}）
  --token JWT      ID 令牌（或 CHENGGUO_TOKEN）
  -h, --help       显示本帮助

退出码 exit codes: 0 核验通过或已进入技术审核 · 2 核验退回（列出问题）· 1 错误（含参数有误、目录不存在）`;

const common = {
  api: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const commandOptions = {
  login: { ...common, 'no-browser': { type: 'boolean' } },
  logout: { ...common },
  manifest: { ...common, roles: { type: 'string' }, out: { type: 'string' } },
  upload: {
    ...common,
    task: { type: 'string' },
    catalogue: { type: 'string' },
    submission: { type: 'string' },
    correction: { type: 'boolean' },
    parallel: { type: 'string' },
    roles: { type: 'string' },
    'no-follow': { type: 'boolean' },
    wait: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
  status: { ...common },
  abort: { ...common, version: { type: 'string' } },
  download: { ...common, out: { type: 'string' } },
} as const satisfies Record<string, ParseArgsConfig['options']>;

type Command = keyof typeof commandOptions;

function parse<C extends Command>(command: C, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: commandOptions[command], allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError('BAD_ARGUMENTS', `参数有误：${(error as Error).message}\n运行 chengguo --help 查看用法`);
  }
}

function positiveInt(value: string | undefined, name: string, fallback: number, max = 64): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError('BAD_ARGUMENTS', `${name} 应为 1–${max} 的整数，收到 “${value}”`);
  return n;
}

function positional(positionals: string[], what: string, example: string): string {
  const [first, ...rest] = positionals;
  if (!first) throw new CliError('BAD_ARGUMENTS', `缺少${what}，例如：${example}`);
  if (rest.length > 0) throw new CliError('BAD_ARGUMENTS', `多余的参数：${rest.join(' ')}`);
  return first;
}

/** Test hooks: exit hard (SIGKILL, no cleanup) after N files or parts, as a crash or `kill -9` would. */
function killHook(env: NodeJS.ProcessEnv, name: string): ((count: number) => void) | undefined {
  const limit = Number(env[name] ?? 0);
  if (!(limit > 0)) return undefined;
  return (count) => {
    if (count >= limit) process.kill(process.pid, 'SIGKILL');
  };
}

export async function main(argv: string[], io: Io): Promise<number> {
  const out = { isTTY: Boolean(io.stdout.isTTY), write: (t: string) => io.stdout.write(t) };
  const [command, ...rest] = argv;
  const apiClient = (auth: { apiUrl: string; token: string }) =>
    io.fetch ? new HttpSubmissionApi(auth.apiUrl, auth.token, undefined, io.fetch) : new HttpSubmissionApi(auth.apiUrl, auth.token);
  const renew = (stored: Parameters<typeof refresh>[0]) => refresh(stored, io.fetch ? { fetch: io.fetch } : {});
  /** Set once the upload has a version to fill: only then is there anything to resume. */
  let uploadStarted = false;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(`${usage}\n`);
      return command ? exitCodes.ok : exitCodes.error;
    }
    if (!(command in commandOptions)) throw new CliError('UNKNOWN_COMMAND', `未知命令 “${command}”；可用命令：login、logout、manifest、upload、status、abort、download（chengguo --help）`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${usage}\n`);
      return exitCodes.ok;
    }

    switch (command as Command) {
      case 'login': {
        const { values, positionals } = parse('login', rest);
        if (positionals.length > 1) throw new CliError('BAD_ARGUMENTS', `多余的参数：${positionals.slice(1).join(' ')}`);
        const stored = await readCredentials(io.env);
        const apiUrl = trimApiUrl(values.api ?? io.env['CHENGGUO_API_URL'] ?? stored?.apiUrl ?? defaultApiUrl);
        const creds = await login({
          apiUrl,
          ...(positionals[0] !== undefined ? { userId: positionals[0] } : {}),
          openBrowser: !values['no-browser'],
          out: io.stdout,
          ...(io.fetch ? { fetch: io.fetch } : {}),
        });
        const path = await saveCredentials(creds, io.env);
        const exp = creds.expiresAt ? new Date(creds.expiresAt) : undefined;
        io.stdout.write(
          `已登录 ${apiUrl}，用户 ${creds.userId}；令牌保存在 ${path}${exp ? `，有效期至 ${chinaDateTime(exp)}` : ''}${creds.refreshToken ? '（到期前自动续期）' : ''}\n`,
        );
        return exitCodes.ok;
      }

      case 'logout': {
        const { positionals } = parse('logout', rest);
        if (positionals.length > 0) throw new CliError('BAD_ARGUMENTS', `多余的参数：${positionals.join(' ')}`);
        const stored = await readCredentials(io.env);
        const revoked = stored ? await revoke(stored, io.fetch) : false;
        const removed = await removeCredentials(io.env);
        io.stdout.write(removed ? `已退出登录：已删除 ${credentialsPath(io.env)}${revoked ? '，刷新令牌已吊销' : ''}\n` : '没有保存的登录信息。\n');
        return exitCodes.ok;
      }

      case 'manifest': {
        const { values, positionals } = parse('manifest', rest);
        const dir = await checkPackageDir(positional(positionals, '成果包目录', 'chengguo manifest ./成果包'));
        const target = resolve(values.out ?? join(dir, manifestFileName));
        const built = await buildManifest({ dir, rules: await loadRoleRules(dir, values.roles), extraExcludes: [target], out });
        await writeManifest(target, built.files);
        for (const s of built.skipped) io.stdout.write(`提示：未纳入 ${s.path}（${s.reason}）\n`);
        const byRole = new Map<string, number>();
        for (const f of built.files) byRole.set(f.role, (byRole.get(f.role) ?? 0) + 1);
        io.stdout.write(
          `已写出 ${target}：${built.files.length} 个文件，${formatBytes(built.files.reduce((s, f) => s + f.size, 0))}；` +
            `角色 ${[...byRole].map(([r, c]) => `${r} ${c}`).join('，')}\n`,
        );
        if (built.guessed.length > 0) {
          io.stdout.write(`提示：以下文件无法按目录或扩展名确定角色，暂按 data 处理，请核对：\n${built.guessed.map((p) => `  ${p}`).join('\n')}\n`);
        }
        return exitCodes.ok;
      }

      case 'upload': {
        const { values, positionals } = parse('upload', rest);
        const dir = await checkPackageDir(positional(positionals, '成果包目录', 'chengguo upload ./成果包 --task <任务编号>'));
        const auth = await resolveAuth(values, io.env, new Date(), renew);
        const api = apiClient(auth);
        const wait = values.wait === undefined ? undefined : positiveInt(values.wait, '--wait', 0, 7 * 24 * 3600);
        // Ctrl-C: every finished file and part is already in the state file (written atomically).
        const onInterrupt = () => {
          io.stderr.write(uploadStarted ? '\n已中断。已完成的文件和分片已记录，重新运行同一命令即可从中断处续传。\n' : '\n已中断，尚未开始上传。\n');
          process.exit(130);
        };
        process.once('SIGINT', onInterrupt);
        const afterFileDone = killHook(io.env, 'CHENGGUO_TEST_STOP_AFTER_FILES');
        const afterPartDone = killHook(io.env, 'CHENGGUO_TEST_STOP_AFTER_PARTS');
        try {
          return await runUpload(
            {
              dir,
              ...(values.task ? { taskId: values.task } : {}),
              ...(values.submission ? { submissionId: values.submission } : {}),
              ...(values.correction ? { correction: true } : {}),
              ...(values.catalogue ? { cataloguePath: values.catalogue } : {}),
              ...(values.roles ? { rulesPath: values.roles } : {}),
              parallel: positiveInt(values.parallel, '--parallel', 4),
              follow: !values['no-follow'],
              followOptions: wait === undefined ? {} : { waitSeconds: wait },
              verbose: Boolean(values.verbose),
            },
            {
              api,
              transport: httpTransport,
              out,
              onStarted: () => {
                uploadStarted = true;
              },
              ...(afterFileDone ? { afterFileDone } : {}),
              ...(afterPartDone ? { afterPartDone } : {}),
            },
          );
        } finally {
          process.removeListener('SIGINT', onInterrupt);
        }
      }

      case 'status': {
        const { values, positionals } = parse('status', rest);
        const submissionId = positional(positionals, '汇交编号', 'chengguo status <汇交编号>');
        const auth = await resolveAuth(values, io.env, new Date(), renew);
        const api = apiClient(auth);
        const [response, timeline] = await Promise.all([api.getSubmission(submissionId), api.getTimeline(submissionId)]);
        io.stdout.write(`${statusLines(api, response, timeline).join('\n')}\n`);
        return exitCodes.ok;
      }

      case 'download': {
        const { values, positionals } = parse('download', rest);
        const grantId = positional(positionals, '共享授权编号', 'chengguo download <共享授权编号> --out ./received');
        const auth = await resolveAuth(values, io.env, new Date(), renew);
        const out = resolve(values.out ?? join('.', grantId));
        await runDownload({ apiUrl: auth.apiUrl, token: auth.token, fetch: io.fetch ?? fetch, write: (t) => io.stdout.write(t) }, grantId, out);
        return exitCodes.ok;
      }

      case 'abort': {
        const { values, positionals } = parse('abort', rest);
        const submissionId = positional(positionals, '汇交编号', 'chengguo abort <汇交编号>');
        const auth = await resolveAuth(values, io.env, new Date(), renew);
        const api = apiClient(auth);
        const n = values.version ? positiveInt(values.version, '--version', 1, 9999) : (await api.getSubmission(submissionId)).submission.currentVersion;
        const res = await api.abortUploads(submissionId, n);
        io.stdout.write(
          res.aborted > 0
            ? `已取消第 ${n} 版 ${res.aborted} 个未完成的分片上传：${res.paths.join('、')}\n已完整上传的文件保留；重新运行 chengguo upload 可继续。\n`
            : `第 ${n} 版没有未完成的分片上传。\n`,
        );
        return exitCodes.ok;
      }
    }
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : exitCodes.error;
    for (const line of formatError(error)) io.stderr.write(`${line}\n`);
    if (command === 'upload' && uploadStarted && !(error instanceof CliError)) {
      io.stderr.write('已上传的部分已记录；排除问题后重新运行同一命令即可从中断处续传。\n');
    }
    return exitCode;
  }
  return exitCodes.error;
}
