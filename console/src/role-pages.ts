/**
 * The custodian's (保管单位) and the administrator's pages: their routes and left-menu items, kept apart from
 * router.ts and App.vue so that each role's pages are added in one place. Each page is its own lazy chunk.
 */
import type { RouteRecordRaw } from 'vue-router';
import type { Role } from './contracts.ts';
import { workPageRoutes } from './work-pages.ts';

const custodian: Role[] = ['custodian'];
const administrator: Role[] = ['administrator'];
/** The organiser's reviewers start a verified result's hand-over to custody (functions/transfer StartTransfer). */
const organiserReviewers: Role[] = ['reviewer'];
/** Who watches an organisation's clocks, bulletins and incidents (functions/supervision routes' `auth`). */
const supervising: Role[] = ['supervisor', 'reviewer', 'administrator'];

export const rolePageRoutes: RouteRecordRaw[] = [
  { path: '/custody/receipts', name: 'receipts', component: () => import('./pages/custody/ReceiptsPage.vue'), meta: { title: '成果接收', roles: custodian } },
  { path: '/custody/entries', name: 'custodyEntries', component: () => import('./pages/custody/EntriesPage.vue'), meta: { title: '成果目录管理', roles: custodian } },
  {
    path: '/custody/entries/new',
    name: 'registerEntry',
    component: () => import('./pages/custody/RegisterEntryPage.vue'),
    meta: { title: '登记成果目录', parent: 'custodyEntries', roles: custodian },
  },
  {
    path: '/custody/entries/:resultNumber/edit',
    name: 'editEntry',
    component: () => import('./pages/custody/EditEntryPage.vue'),
    meta: { title: '修改成果目录', parent: 'custodyEntries', roles: custodian },
    props: true,
  },
  {
    path: '/custody/entries/:resultNumber/destruction',
    name: 'destruction',
    component: () => import('./pages/custody/DestructionPage.vue'),
    meta: { title: '销毁申请', parent: 'custodyEntries', roles: custodian },
    props: true,
  },
  {
    path: '/custody/integrity-audits',
    name: 'integrityAudits',
    component: () => import('./pages/custody/IntegrityAuditsPage.vue'),
    meta: { title: '完整性检查', roles: custodian },
  },
  { path: '/custody/transfers', name: 'transfers', component: () => import('./pages/custody/TransfersPage.vue'), meta: { title: '待移交成果', roles: organiserReviewers } },
  { path: '/custody/reports', name: 'catalogueReports', component: () => import('./pages/custody/ReportsPage.vue'), meta: { title: '成果目录上报', roles: custodian } },
  // The supervisor's (周红) and the organiser's pages (issue 13): bulletins, clocks, incidents; a custodian sees its own clocks.
  { path: '/supervision/clocks', name: 'clocks', component: () => import('./pages/supervision/ClocksPage.vue'), meta: { title: '期限监督', roles: [...supervising, 'custodian'] } },
  { path: '/supervision/bulletins', name: 'bulletins', component: () => import('./pages/supervision/BulletinsPage.vue'), meta: { title: '监督通报', roles: supervising } },
  { path: '/supervision/incidents', name: 'incidents', component: () => import('./pages/supervision/IncidentsPage.vue'), meta: { title: '安全事件', roles: supervising } },
  {
    path: '/supervision/incidents/:incidentId',
    name: 'incident',
    component: () => import('./pages/supervision/IncidentPage.vue'),
    meta: { title: '安全事件详情', parent: 'incidents' },
    props: true,
  },
  // Anyone signed in reports an incident (R20.1): a menu item for every role.
  { path: '/report-incident', name: 'reportIncident', component: () => import('./pages/supervision/ReportIncidentPage.vue'), meta: { title: '报告安全事件' } },
  // Sharing, publication, feedback and self-inspections (issue 13): console/src/work-pages.ts.
  ...workPageRoutes,
  { path: '/admin/orgs', name: 'orgs', component: () => import('./pages/admin/OrgsPage.vue'), meta: { title: '组织机构', roles: administrator } },
  { path: '/admin/people', name: 'people', component: () => import('./pages/admin/PeoplePage.vue'), meta: { title: '人员', roles: administrator } },
  { path: '/admin/import', name: 'onboardingImport', component: () => import('./pages/admin/ImportPage.vue'), meta: { title: '批量开通', roles: administrator } },
  { path: '/admin/calendar', name: 'calendar', component: () => import('./pages/admin/CalendarPage.vue'), meta: { title: '节假日安排', roles: administrator } },
];

/** Menu items: only the roles that may use a page see it (the API enforces the same). */
export const rolePageMenu: { path: string; title: string; roles?: Role[] }[] = rolePageRoutes
  .filter((r) => !r.meta?.parent)
  .map((r) => ({ path: r.path, title: r.meta!.title, ...(r.meta!.roles ? { roles: r.meta!.roles } : {}) }));
