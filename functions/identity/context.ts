import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { classificationSchema } from '#shared/identity/roles.ts';
import { organisationSchema, userSchema } from '#shared/schemas/identity.ts';
import { isSameOriginPath } from '#shared/web/sign-in.ts';

const isoInstantOrDay = z.union([z.iso.date(), z.iso.datetime()]);

const securityRecordSchema = z.object({
  org: z.string().describe('记录归属的组织（请求人所在单位，或被访问记录的组织、实施、保管单位）'),
  time: z.string(),
  requestId: z.string(),
  kind: z.enum(['read', 'refused']).describe('read 读取内部及以上密级记录；refused 请求被拒绝'),
  actor: z.string().describe('用户名；anonymous 表示未登录'),
  actorOrg: z.string().optional(),
  route: z.string(),
  status: z.number().int(),
  code: z.string().optional(),
  records: z.array(z.object({ target: z.string(), classification: classificationSchema, access: z.enum(['read', 'hidden', 'refused']) })),
});

const orgCode = organisationSchema.shape.code.describe('组织代码：行政区划代码-类别，如 440000-NR');
const userId = userSchema.shape.userId.describe('用户名，如 zhang.wei');

const labelsSchema = z.object({
  roles: z.array(z.string()).describe('角色中文名称'),
  clearance: z.string().describe('密级权限中文名称'),
});

const nextPath = z
  .string()
  .max(2000)
  .refine(isSameOriginPath, '登录后只能返回本系统的页面（以 / 开头的站内路径，如 /human-tasks/…/page）')
  .describe('登录后返回的站内路径');

/** Contracts of the identity routes (R3.1, R4.1, R5.1), keyed by manifest function name. */
export const identityContracts = {
  SignInPage: contract({
    query: z.object({
      next: nextPath.optional(),
      signOut: z.enum(['1']).optional().describe('1 = 退出登录（清除本浏览器保存的令牌）'),
    }),
    produces: 'text/html',
    description:
      '登录页（无需令牌）：生成 PKCE 校验码、state 与 nonce（保存在本浏览器窗口），转到登录服务的授权地址（Cognito 托管登录页、部门身份服务或本地签发方）；登录后经 /auth/callback 回到 next。next 只能是站内路径。',
  }),
  AuthCallbackPage: contract({
    query: z.object({
      code: z.string().max(4096).optional(),
      state: z.string().max(512).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(2048).optional(),
      signedIn: z.string().max(8).optional(),
    }),
    produces: 'text/html',
    description:
      '登录回调页（无需令牌）：核对 state，用授权码与 PKCE 校验码向登录服务换取令牌，核对 nonce，保存身份令牌后回到原页面；state 不符、授权码过期、校验码不符时以中文说明，不保存任何令牌。',
  }),
  GetSignInSettings: contract({
    response: z.object({
      issuer: z.string().describe('OpenID Connect 签发方（其 /.well-known/openid-configuration 给出各端点）'),
      clientId: z.string().describe('本系统的公共客户端（无密钥，授权码 + PKCE）'),
      scopes: z.array(z.string()),
      redirectUri: z.string().describe('网页登录的回调地址（/auth/callback）'),
      cliRedirectUri: z.string().describe('命令行登录的本机回环回调地址；端口为 0 或未写时可用任意端口'),
    }),
    description: '登录设置（无需令牌）：命令行工具（chengguo login）与网页客户端据此发现登录服务。',
  }),
  GetMe: contract({
    response: z.object({ user: userSchema, organisation: organisationSchema.optional(), labels: labelsSchema }),
    description: '当前登录用户：所属单位、角色与密级权限（以登记信息为准，不取自令牌）。',
  }),
  ListOrganisations: contract({
    query: z.object({ parentCode: orgCode.optional().describe('上级组织代码；不填则列出国家级组织') }),
    response: z.object({ items: z.array(organisationSchema) }),
    description: '按上级组织列出下级组织（行政区划层级：国家—省—市—县）。',
  }),
  GetOrganisation: contract({
    path: z.object({ code: orgCode }),
    response: z.object({ organisation: organisationSchema, parent: organisationSchema.optional(), children: z.array(organisationSchema) }),
    description: '组织详情，附上级组织与直接下级组织。',
  }),
  ListUsers: contract({
    path: z.object({ code: orgCode }),
    response: z.object({ items: z.array(userSchema) }),
    description: '某组织登记的用户（姓名、邮箱、角色、密级权限）：仅该组织、其上级部门和系统管理员可查看。',
  }),
  ListSecurityRecords: contract({
    query: z.object({
      org: z.union([orgCode, z.literal('anonymous')]).describe('组织代码；anonymous 为未登录请求的记录（仅系统管理员）'),
      from: isoInstantOrDay.optional().describe('起始时间（含），ISO 8601 日期或时间；默认 30 天前'),
      to: isoInstantOrDay.optional().describe('结束时间（含当日），ISO 8601 日期或时间'),
      subordinates: z.enum(['true', 'false']).default('true').describe('是否包含下级单位的记录（默认包含）'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().datetime().optional().describe('上一页返回的 cursor（该时间之前的记录）'),
    }),
    response: z.object({
      org: z.string(),
      orgs: z.array(z.string()).describe('本次查询涉及的组织'),
      items: z.array(securityRecordSchema),
      cursor: z.string().optional(),
    }),
    description:
      '安全记录（R20.1）：被拒绝的请求（401、403、因密级返回的 404、涉及受保护记录的 409）和对内部及以上密级记录的每次读取。监督人员可查看本单位及下级单位的记录，系统管理员可查看任一单位。按组织与时间的键查询，不做全表扫描。',
  }),
  UpdateUserClearance: contract({
    path: z.object({ userId }),
    body: z.object({
      clearance: classificationSchema.describe('新的密级权限：public 公开、internal 内部、secret 秘密、confidential 机密、topSecret 绝密'),
      reason: z.string().trim().min(2, '请填写调整理由（至少 2 个字）').max(500).describe('调整理由，记入审计记录'),
    }),
    response: z.object({
      user: userSchema,
      changed: z.boolean().describe('false 表示该用户已是此密级，未作修改、未产生审计记录'),
      auditSeq: z.number().int().positive().optional().describe('本次修改的审计记录序号'),
    }),
    description:
      '系统管理员调整用户密级权限（需管辖区域内、不高于本人密级、不能调整本人）。修改与审计记录在同一事务中写入；重复提交相同密级返回 changed=false。',
  }),
};

/** The identity context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const identity = defineContext({
  name: 'identity',
  functions: {
    SignInPage: {
      entry: './sign-in-page.ts',
      description: 'The sign-in page: starts the OIDC authorization-code + PKCE flow with the issuer; reads nothing.',
    },
    AuthCallbackPage: {
      entry: './auth-callback-page.ts',
      description: 'The OIDC callback page: the browser exchanges the code (with its PKCE verifier) and keeps the ID token; reads nothing.',
    },
    GetSignInSettings: {
      entry: './get-sign-in-settings.ts',
      description: 'The issuer and public client the CLI and browser clients sign in with.',
    },
    GetMe: {
      entry: './get-me.ts',
      description: 'The signed-in user, with organisation, roles and clearance.',
      tables: readsRegistry,
    },
    ListOrganisations: {
      entry: './list-organisations.ts',
      description: 'Organisations, optionally under a parent.',
      tables: readsRegistry,
    },
    GetOrganisation: {
      entry: './get-organisation.ts',
      description: 'One organisation and its users.',
      tables: readsRegistry,
    },
    ListUsers: {
      entry: './list-users.ts',
      description: 'Users of an organisation.',
      tables: readsRegistry,
    },
    ListSecurityRecords: {
      entry: './list-security-records.ts',
      description: 'Security records (R20.1) of an organisation and those below it, for its supervisor: one key query per organisation.',
      tables: { registry: 'read', logs: 'read' },
    },
    UpdateUserClearance: {
      entry: './update-user-clearance.ts',
      description: 'An administrator changes a user clearance (audited).',
      tables: auditedWrites,
    },
  },
  routes: {
    SignInPage: {
      method: 'GET',
      path: '/auth/sign-in',
      auth: 'public',
      summary: '登录（转到登录服务）',
      contract: identityContracts.SignInPage,
    },
    AuthCallbackPage: {
      method: 'GET',
      path: '/auth/callback',
      auth: 'public',
      summary: '登录回调',
      contract: identityContracts.AuthCallbackPage,
    },
    GetSignInSettings: {
      method: 'GET',
      path: '/auth/config',
      auth: 'public',
      summary: '登录设置',
      contract: identityContracts.GetSignInSettings,
    },
    GetMe: {
      method: 'GET',
      path: '/me',
      auth: 'any',
      summary: '当前用户',
      contract: identityContracts.GetMe,
    },
    ListOrganisations: {
      method: 'GET',
      path: '/orgs',
      auth: 'any',
      summary: '组织列表',
      contract: identityContracts.ListOrganisations,
    },
    GetOrganisation: {
      method: 'GET',
      path: '/orgs/{code}',
      auth: 'any',
      summary: '组织详情',
      contract: identityContracts.GetOrganisation,
    },
    ListUsers: {
      method: 'GET',
      path: '/orgs/{code}/users',
      auth: 'any',
      summary: '组织用户',
      contract: identityContracts.ListUsers,
    },
    ListSecurityRecords: {
      method: 'GET',
      path: '/security-records',
      auth: ['supervisor', 'administrator'],
      summary: '安全记录（拒绝的请求与涉密读取）',
      contract: identityContracts.ListSecurityRecords,
    },
    UpdateUserClearance: {
      method: 'PUT',
      path: '/users/{userId}/clearance',
      auth: ['administrator'],
      summary: '调整用户密级权限',
      contract: identityContracts.UpdateUserClearance,
    },
  },
});
