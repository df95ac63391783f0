import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { classificationSchema } from '#shared/identity/roles.ts';
import { isSameOriginPath } from '#shared/web/sign-in.ts';
import { orgLevels, orgTypes, organisationSchema, regionCodeSchema, userSchema } from '#shared/schemas/identity.ts';
import { roleSchema } from '#shared/identity/roles.ts';
import { onboardingReportSchema } from '#shared/identity/onboarding.ts';
import { notificationContracts } from './notification-contracts.ts';

const isoInstantOrDay = z.union([z.iso.date(), z.iso.datetime()]);

const securityRecordSchema = z.object({
  org: described(z.string(), '记录归属的组织（请求人所在单位，或被访问记录的组织、实施、保管单位）'),
  time: z.string(),
  requestId: z.string(),
  kind: described(z.enum(['read', 'refused']), 'read 读取内部及以上密级记录；refused 请求被拒绝'),
  actor: described(z.string(), '用户名；anonymous 表示未登录'),
  actorOrg: z.optional(z.string()),
  route: z.string(),
  status: z.number().check(z.int()),
  code: z.optional(z.string()),
  records: z.array(z.object({ target: z.string(), classification: classificationSchema, access: z.enum(['read', 'hidden', 'refused']) })),
});

const orgCode = described(organisationSchema.shape.code, '组织代码：行政区划代码-类别，如 440000-NR');
const userId = described(userSchema.shape.userId, '用户名，如 zhang.wei');

const labelsSchema = z.object({
  roles: described(z.array(z.string()), '角色中文名称'),
  clearance: described(z.string(), '密级权限中文名称'),
});

const nextPath = described(z
  .string().check(z.maxLength(2000)).check(z.refine(isSameOriginPath, '登录后只能返回本系统的页面（以 / 开头的站内路径，如 /human-tasks/…/page）')), '登录后返回的站内路径');

const reason = described(z.string().check(z.trim()).check(z.minLength(2, '请填写理由（至少 2 个字）')).check(z.maxLength(500)), '理由，记入审计记录');
const changedSchema = described(z.boolean(), 'false 表示与现状相同，未作修改、未产生审计记录');
const auditSeq = described(z.optional(z.number().check(z.int()).check(z.positive())), '本次修改的审计记录序号');
const orgResult = z.object({ organisation: organisationSchema, changed: changedSchema, auditSeq });
const personResult = z.object({
  user: userSchema,
  changed: changedSchema,
  auditSeq,
  invited: described(z.optional(z.boolean()), 'aws：本次已在 Cognito 创建账号并发送中文邀请邮件'),
});

/** Contracts of the identity routes (R3.1, R4.1, R5.1), keyed by manifest function name. */
export const identityContracts = {
  SignInPage: contract({
    query: z.object({
      next: z.optional(nextPath),
      signOut: described(z.optional(z.enum(['1'])), '1 = 退出登录（清除本浏览器保存的令牌）'),
    }),
    produces: 'text/html',
    description:
      '登录页（无需令牌）：生成 PKCE 校验码、state 与 nonce（保存在本浏览器窗口），转到登录服务的授权地址（Cognito 托管登录页、部门身份服务或本地签发方）；登录后经 /auth/callback 回到 next。next 只能是站内路径。',
  }),
  AuthCallbackPage: contract({
    query: z.object({
      code: z.optional(z.string().check(z.maxLength(4096))),
      state: z.optional(z.string().check(z.maxLength(512))),
      error: z.optional(z.string().check(z.maxLength(256))),
      error_description: z.optional(z.string().check(z.maxLength(2048))),
      signedIn: z.optional(z.string().check(z.maxLength(8))),
    }),
    produces: 'text/html',
    description:
      '登录回调页（无需令牌）：核对 state，用授权码与 PKCE 校验码向登录服务换取令牌，核对 nonce，保存身份令牌后回到原页面；state 不符、授权码过期、校验码不符时以中文说明，不保存任何令牌。',
  }),
  GetSignInSettings: contract({
    response: z.object({
      issuer: described(z.string(), 'OpenID Connect 签发方（其 /.well-known/openid-configuration 给出各端点）'),
      clientId: described(z.string(), '本系统的公共客户端（无密钥，授权码 + PKCE）'),
      scopes: z.array(z.string()),
      redirectUri: described(z.string(), '网页登录的回调地址（/auth/callback）'),
      cliRedirectUri: described(z.string(), '命令行登录的本机回环回调地址；端口为 0 或未写时可用任意端口'),
    }),
    description: '登录设置（无需令牌）：命令行工具（chengguo login）与网页客户端据此发现登录服务。',
  }),
  CreateOrganisation: contract({
    success: [201, 200],
    body: z.strictObject({
      code: described(organisationSchema.shape.code, '组织代码：行政区划代码-类别（2–8 个大写字母），如 330106-NR'),
      name: described(z.string().check(z.trim()).check(z.minLength(2)).check(z.maxLength(100)), '组织全称'),
      regionCode: described(regionCodeSchema, 'GB/T 2260 行政区划代码（全国为 100000）'),
      level: described(z.optional(z.enum(orgLevels)), '层级；不填按行政区划代码确定，填写时须与之一致'),
      type: described(z.enum(orgTypes), '类别：naturalResources 自然资源主管部门、forestryGrassland 林草主管部门、custodian 保管单位、implementer 实施单位、technicalUnit 技术单位、requester 需求部门'),
      parentCode: described(z.optional(orgCode), '上级组织代码；不填为顶级组织（仅国家级管理员）'),
    }),
    response: orgResult,
    description: '系统管理员在本单位或下级组织之下创建组织（R3.1）。201 已创建；相同组织再次提交返回 200、changed=false。',
  }),
  UpdateOrganisation: contract({
    path: z.object({ code: orgCode }),
    body: z.strictObject({
      name: described(z.optional(z.string().check(z.trim()).check(z.minLength(2)).check(z.maxLength(100))), '新名称'),
      parentCode: described(z.optional(orgCode), '移至该上级组织之下（须在管理范围内）'),
      active: described(z.optional(z.boolean()), 'false 停用（不删除，记录仍指向它）；true 恢复'),
      reason: z.optional(reason),
    }),
    response: orgResult,
    description: '更名、调整上级组织、停用或恢复组织；从不删除。停用前须先停用或移走其在用人员与下级组织。',
  }),
  SetDesignations: contract({
    path: z.object({ code: orgCode }),
    body: z.strictObject({
      custodians: described(z.record(z.string(), orgCode), '成果专题 → 常设保管单位组织代码（R4.1），如 {"landSurvey":"440000-CUS"}'),
      technicalUnits: described(z.array(orgCode).check(z.maxLength(50)), '承担技术核验的技术单位（R7.1）'),
    }),
    response: orgResult,
    description: '组织部门的常设保管单位（按成果专题，R4.1）与技术单位（R7.1）：新登记的调查监测任务默认采用；整体替换，相同内容返回 changed=false。',
  }),
  CreateUser: contract({
    success: [201, 200],
    body: z.strictObject({
      userId,
      name: userSchema.shape.name,
      email: userSchema.shape.email,
      orgCode,
      roles: described(z.array(roleSchema).check(z.minLength(1)), '角色：submitter、reviewer、custodian、requester、publisher、supervisor、administrator'),
      clearance: described(classificationSchema, '密级权限（不高于管理员本人）'),
      subject: userSchema.shape.subject,
    }),
    response: personResult,
    description:
      '系统管理员登记人员（R3.1）：一人只能在一个单位登记（邮箱唯一）。aws 部署同时创建 Cognito 账号并发送中文邀请邮件；aws-cn 部署由外部身份提供方登录，按用户标识或邮箱匹配。',
  }),
  UpdateUser: contract({
    path: z.object({ userId }),
    body: z.strictObject({
      name: z.optional(userSchema.shape.name),
      email: z.optional(userSchema.shape.email),
      orgCode: described(z.optional(orgCode), '调入的组织'),
      roles: z.optional(z.array(roleSchema).check(z.minLength(1))),
      subject: userSchema.shape.subject,
      active: described(z.optional(z.boolean()), 'false 停用（立即不能登录）；true 恢复'),
      reason: z.optional(reason),
    }),
    response: personResult,
    description: '修改人员的姓名、邮箱、所属单位、角色、外部身份标识，或停用、恢复；不能修改本人的角色、单位或停用本人。密级权限用 PUT /users/{userId}/clearance。',
  }),
  ImportOnboarding: contract({
    maxBodyBytes: 6 * 1024 * 1024,
    body: z.strictObject({
      format: described(z.enum(['xlsx', 'csv']), 'xlsx：一个工作簿（工作表“组织”“人员”）；csv：两个文件的文本'),
      workbook: described(z.optional(z.base64()), 'xlsx 文件内容（base64）'),
      organisationsCsv: described(z.optional(z.string().check(z.maxLength(2_000_000))), '“组织”表的 CSV 文本（UTF-8，首行为表头）'),
      peopleCsv: described(z.optional(z.string().check(z.maxLength(2_000_000))), '“人员”表的 CSV 文本（UTF-8，首行为表头）'),
      mode: described(z.enum(['dryRun', 'apply']), 'dryRun 只检查并列出每行结果，不写入；apply 检查无误后写入'),
    }),
    response: onboardingReportSchema,
    unprocessable: {
      description: 'apply 发现错误：一行都不写入（IMPORT_HAS_ERRORS）；error.report 为与试运行相同的逐行报告，error.details 逐项列出（field 为“工作表!行:列”）',
      report: onboardingReportSchema,
    },
    description:
      '批量开通组织与人员（模板见 docs/examples/onboarding/）：dryRun 列出每一行的结果与错误（工作表、行、列、说明），不写入，总是 200；apply 在没有任何错误时逐行写入（每行一条审计记录），有错误则一行都不写并返回 422 IMPORT_HAS_ERRORS（附同样的逐行报告）。重复执行不产生变化。',
  }),
  GetMe: contract({
    response: z.object({ user: userSchema, organisation: z.optional(organisationSchema), labels: labelsSchema }),
    description: '当前登录用户：所属单位、角色与密级权限（以登记信息为准，不取自令牌）。',
  }),
  ListOrganisations: contract({
    query: z.object({ parentCode: described(z.optional(orgCode), '上级组织代码；不填则列出国家级组织') }),
    response: z.object({ items: z.array(organisationSchema) }),
    description: '按上级组织列出下级组织（行政区划层级：国家—省—市—县）。',
  }),
  GetOrganisation: contract({
    path: z.object({ code: orgCode }),
    response: z.object({ organisation: organisationSchema, parent: z.optional(organisationSchema), children: z.array(organisationSchema) }),
    description: '组织详情，附上级组织与直接下级组织。',
  }),
  ListUsers: contract({
    path: z.object({ code: orgCode }),
    response: z.object({ items: z.array(userSchema) }),
    description: '某组织登记的用户（姓名、邮箱、角色、密级权限）：仅该组织、其上级部门和系统管理员可查看。',
  }),
  ListSecurityRecords: contract({
    query: z.object({
      org: described(z.union([orgCode, z.literal('anonymous')]), '组织代码；anonymous 为未登录请求的记录（仅系统管理员）'),
      from: described(z.optional(isoInstantOrDay), '起始时间（含），ISO 8601 日期或时间；默认 30 天前'),
      to: described(z.optional(isoInstantOrDay), '结束时间（含当日），ISO 8601 日期或时间'),
      subordinates: described(z._default(z.enum(['true', 'false']), 'true'), '是否包含下级单位的记录（默认包含）'),
      limit: z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(200)), 50),
      cursor: described(z.optional(z.string().check(z.iso.datetime())), '上一页返回的 cursor（该时间之前的记录）'),
    }),
    response: z.object({
      org: z.string(),
      orgs: described(z.array(z.string()), '本次查询涉及的组织'),
      items: z.array(securityRecordSchema),
      cursor: z.optional(z.string()),
    }),
    description:
      '安全记录（R20.1）：被拒绝的请求（401、403、因密级返回的 404、涉及受保护记录的 409）和对内部及以上密级记录的每次读取。监督人员可查看本单位及下级单位的记录，系统管理员可查看任一单位。按组织与时间的键查询，不做全表扫描。',
  }),
  UpdateUserClearance: contract({
    path: z.object({ userId }),
    body: z.object({
      clearance: described(classificationSchema, '新的密级权限：public 公开、internal 内部、secret 秘密、confidential 机密、topSecret 绝密'),
      reason: described(z.string().check(z.trim()).check(z.minLength(2, '请填写调整理由（至少 2 个字）')).check(z.maxLength(500)), '调整理由，记入审计记录'),
    }),
    response: z.object({
      user: userSchema,
      changed: described(z.boolean(), 'false 表示该用户已是此密级，未作修改、未产生审计记录'),
      auditSeq: described(z.optional(z.number().check(z.int()).check(z.positive())), '本次修改的审计记录序号'),
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
    ListMyNotifications: {
      entry: './list-my-notifications.ts',
      description: "我的通知 (issue 13): the caller's own notifications (the emails sent to their address, recorded by the mail port), newest first, with the unread count: one key query.",
      tables: readsRegistry,
    },
    MarkNotificationsRead: {
      entry: './mark-notifications-read.ts',
      description: "Marks the caller's own unread notifications read: conditional, audited, idempotent.",
      tables: auditedWrites,
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
    CreateOrganisation: { entry: './create-organisation.ts', description: 'An administrator creates an organisation (audited).', tables: auditedWrites },
    UpdateOrganisation: { entry: './update-organisation.ts', description: 'Rename, move, deactivate or reactivate an organisation (audited).', tables: auditedWrites },
    SetDesignations: { entry: './set-designations.ts', description: 'An organiser\'s standing custodians per theme and technical units (R4.1, R7.1; audited).', tables: auditedWrites },
    CreateUser: { entry: './create-user.ts', description: 'An administrator registers a person and opens the sign-in account (audited).', tables: auditedWrites, managesSignIn: true },
    UpdateUser: { entry: './update-user.ts', description: 'Change, move, deactivate or reactivate a person; disables the sign-in account (audited).', tables: auditedWrites, managesSignIn: true },
    ImportOnboarding: {
      entry: './import-onboarding.ts',
      description: 'Bulk onboarding of organisations and people from XLSX or CSV: dry run, then apply (idempotent).',
      tables: auditedWrites,
      managesSignIn: true,
      memoryMb: 1024,
      timeoutSeconds: 29,
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
    CreateOrganisation: { method: 'POST', path: '/orgs', auth: ['administrator'], summary: '创建组织', contract: identityContracts.CreateOrganisation },
    UpdateOrganisation: { method: 'PATCH', path: '/orgs/{code}', auth: ['administrator'], summary: '修改、停用组织', contract: identityContracts.UpdateOrganisation },
    SetDesignations: { method: 'PUT', path: '/orgs/{code}/designations', auth: ['administrator'], summary: '设定常设保管单位与技术单位', contract: identityContracts.SetDesignations },
    CreateUser: { method: 'POST', path: '/users', auth: ['administrator'], summary: '登记人员', contract: identityContracts.CreateUser },
    UpdateUser: { method: 'PATCH', path: '/users/{userId}', auth: ['administrator'], summary: '修改、调动、停用人员', contract: identityContracts.UpdateUser },
    ImportOnboarding: { method: 'POST', path: '/onboarding/imports', auth: ['administrator'], summary: '批量开通组织与人员（先试运行）', contract: identityContracts.ImportOnboarding },
    ListMyNotifications: { method: 'GET', path: '/notifications', auth: 'any', summary: '我的通知', contract: notificationContracts.ListMyNotifications },
    MarkNotificationsRead: { method: 'POST', path: '/notifications/read', auth: 'any', summary: '将通知标记为已读', contract: notificationContracts.MarkNotificationsRead },
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
