import { z } from 'zod';
import { contract } from '#shared/http/contract.ts';
import { classificationSchema } from '#shared/identity/roles.ts';
import { organisationSchema, userSchema } from './identity.ts';

const orgCode = organisationSchema.shape.code.describe('组织代码：行政区划代码-类别，如 440000-NR');
const userId = userSchema.shape.userId.describe('用户名，如 zhang.wei');

const labelsSchema = z.object({
  roles: z.array(z.string()).describe('角色中文名称'),
  clearance: z.string().describe('密级权限中文名称'),
});

/** Contracts of the identity routes (R3.1, R4.1, R5.1), keyed by manifest function name. */
export const identityContracts = {
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
    description: '某组织登记的用户。',
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
