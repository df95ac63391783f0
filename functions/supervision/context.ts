import { z } from 'zod';
import { contract } from '#runtime/contract.ts';
import { auditedWrites, defineContext, readsRegistry } from '#runtime/define.ts';
import { clockViewSchema, regionCodeSchema, supervisionOrgCode } from '#shared/schemas/supervision.ts';
import { clockListStates } from '#shared/supervision/clock-list.ts';

/** The supervision context (issue 14; R6.1–R9.1 clocks, R20.1, R21.1): the deadline watch, clock lists, bulletins. */
export const supervision = defineContext({
  name: 'supervision',
  functions: {
    DeadlineWatch: {
      entry: './deadline-watch.ts',
      description:
        'Daily: reads the running clocks due soon or overdue (one key query on the due-date index), emails their owners (N working days before, on the day, weekly while overdue) and the owner\'s supervisor when one becomes overdue; one notice per clock × day (audited).',
      timeoutSeconds: 300,
      tables: auditedWrites,
      sendsEmail: true,
    },
    ListClocks: {
      entry: './list-clocks.ts',
      description: 'Running, overdue or met statutory clocks of an organisation and those below it: one key query per organisation.',
      tables: readsRegistry,
    },
  },
  routes: {
    ListClocks: {
      method: 'GET',
      path: '/supervision/clocks',
      auth: ['supervisor', 'reviewer', 'administrator'],
      summary: '法定期限列表（运行中、逾期、已办结）',
      contract: contract({
        query: z.object({
          org: supervisionOrgCode.optional().describe('组织代码；默认本单位'),
          type: z.string().trim().min(1).max(20).optional().describe('期限类型（需求条目编号），如 R6.1、R7.2、R8.1、R9.1'),
          region: regionCodeSchema.optional().describe('行政区划代码：只列出该区域（含下级区域）的期限'),
          state: z.enum(clockListStates).default('open').describe('open 未办结（运行中与逾期）、running 未到期、overdue 已逾期、met 已办结'),
          subordinates: z.enum(['true', 'false']).default('true').describe('是否包含下级单位（默认包含）'),
        }),
        response: z.object({
          org: z.string(),
          orgs: z.array(z.string()).describe('本次查询涉及的组织'),
          today: z.string().describe('今天（北京时间）'),
          items: z.array(clockViewSchema),
        }),
        description:
          '法定期限（R6.1 汇交、R7.2 重新汇交、R8.1 移交、R9.1 目录上报；其他业务声明新的期限类型后自动纳入）。监督人员可查看本单位及下级单位，组织单位审核人可查看本单位所辖单位，系统管理员可查看任一单位。按组织的键查询，不做全表扫描。',
      }),
    },
  },
  schedules: {
    DailyDeadlineWatch: {
      expression: 'cron(0 8 * * ? *)',
      timezone: 'Asia/Shanghai',
      target: { function: 'DeadlineWatch' },
      description: '每日 08:00 检查法定期限：提前提醒、到期提醒、逾期每周提醒并告知上级监督人员',
    },
  },
});
