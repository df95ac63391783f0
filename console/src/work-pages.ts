/**
 * Issue 13's pages of the sharing, publication, feedback and self-inspection contexts: routes and (through
 * role-pages.ts) left-menu items by role. Each page is its own lazy chunk; the roles are the routes' `auth` in the API.
 */
import type { RouteRecordRaw } from 'vue-router';
import type { Role } from './contracts.ts';

const requester: Role[] = ['requester'];
const publishing: Role[] = ['reviewer', 'publisher', 'custodian'];
/** Who reports a quality problem (POST /feedback/problems). */
const reporting: Role[] = ['requester', 'custodian'];
/** Who decides (custodian) or verifies (organiser's reviewer) a quality problem. */
const handlingProblems: Role[] = ['custodian', 'reviewer'];
/** Who files a self-inspection (custodians, requesting departments) and who watches the filings. */
const filing: Role[] = ['custodian', 'requester'];
const watching: Role[] = ['supervisor', 'reviewer', 'administrator'];

export const workPageRoutes: RouteRecordRaw[] = [
  // 共享 (罗欣): apply, my applications and grants; the organiser sees the applications addressed to it.
  { path: '/sharing/apply', name: 'sharingApply', component: () => import('./pages/sharing/ApplyPage.vue'), meta: { title: '申请共享', roles: requester } },
  { path: '/sharing/applications', name: 'sharingApplications', component: () => import('./pages/sharing/ApplicationsPage.vue'), meta: { title: '我的申请', roles: requester } },
  {
    path: '/sharing/addressed',
    name: 'sharingAddressed',
    component: () => import('./pages/sharing/ApplicationsPage.vue'),
    meta: { title: '送审的共享申请', roles: ['reviewer'] },
    props: { side: 'addressed' },
  },
  {
    path: '/sharing/applications/:applicationId',
    name: 'sharingApplication',
    component: () => import('./pages/sharing/ApplicationPage.vue'),
    meta: { title: '共享申请详情', parent: 'sharingApplications' },
    props: true,
  },
  { path: '/sharing/grants', name: 'sharingGrants', component: () => import('./pages/sharing/GrantsPage.vue'), meta: { title: '我的授权', roles: requester } },
  {
    path: '/sharing/grants/:grantId',
    name: 'sharingGrant',
    component: () => import('./pages/sharing/GrantPage.vue'),
    meta: { title: '共享授权与使用协议', parent: 'sharingGrants' },
    props: true,
  },
  // 发布 (刘洋 and the other publishers).
  { path: '/publication/requests', name: 'publicationRequests', component: () => import('./pages/publication/RequestsPage.vue'), meta: { title: '发布申请', roles: publishing } },
  {
    path: '/publication/requests/:requestId',
    name: 'publicationRequest',
    component: () => import('./pages/publication/RequestPage.vue'),
    meta: { title: '发布申请详情', parent: 'publicationRequests' },
    props: true,
  },
  { path: '/publication/released', name: 'released', component: () => import('./pages/publication/ReleasedPage.vue'), meta: { title: '已发布', roles: publishing } },
  {
    path: '/publication/released/:releaseNumber/withdrawal',
    name: 'withdrawal',
    component: () => import('./pages/publication/WithdrawPage.vue'),
    meta: { title: '申请撤回', parent: 'released' },
    props: true,
  },
  // 质量问题: reported from a result's page; decided by its custodian, verified by its organiser.
  {
    path: '/feedback/report/:resultNumber',
    name: 'reportProblem',
    component: () => import('./pages/feedback/ReportProblemPage.vue'),
    meta: { title: '报告质量问题', parent: 'catalogue', roles: reporting },
    props: true,
  },
  { path: '/feedback/problems', name: 'problems', component: () => import('./pages/feedback/ProblemsPage.vue'), meta: { title: '质量问题处理', roles: handlingProblems } },
  // 保密自查 (R20.1): a custodian or requesting department files; supervisors and organisers watch and close items.
  { path: '/self-inspections/file', name: 'fileSelfInspection', component: () => import('./pages/supervision/FileSelfInspectionPage.vue'), meta: { title: '保密自查填报', roles: filing } },
  { path: '/self-inspections', name: 'selfInspections', component: () => import('./pages/supervision/SelfInspectionsPage.vue'), meta: { title: '保密自查情况', roles: watching } },
  ...sharingChainRoutes(),
  // The unit's own filings and their rectifications with clocks (GET /supervision/self-inspections/own).
  { path: '/self-inspections/own', name: 'ownSelfInspections', component: () => import('./pages/supervision/OwnSelfInspectionsPage.vue'), meta: { title: '本单位自查记录', roles: filing } },
];

/** 离线共享、利用情况报告、衍生产品与公众申请（R16.2、R16.3、R17.1、R18.2、R19.1）: the requester's and the organiser's pages. */
function sharingChainRoutes(): RouteRecordRaw[] {
  const organiser: Role[] = ['reviewer'];
  return [
    { path: '/sharing/use-reports', name: 'sharingUseReports', component: () => import('./pages/sharing/UseReportsPage.vue'), meta: { title: '利用情况报告', roles: requester } },
    {
      path: '/sharing/grants/:grantId/use-report',
      name: 'fileUseReport',
      component: () => import('./pages/sharing/FileUseReportPage.vue'),
      meta: { title: '报送利用情况报告', parent: 'sharingUseReports', roles: requester },
      props: true,
    },
    {
      path: '/sharing/use-reports/addressed',
      name: 'sharingUseReportsAddressed',
      component: () => import('./pages/sharing/UseReportsPage.vue'),
      meta: { title: '收到的利用情况报告', roles: organiser },
      props: { side: 'addressed' },
    },
    { path: '/sharing/derived-products', name: 'derivedProducts', component: () => import('./pages/sharing/DerivedProductsPage.vue'), meta: { title: '衍生产品', roles: requester } },
    {
      path: '/sharing/grants/:grantId/derived-products/new',
      name: 'registerDerived',
      component: () => import('./pages/sharing/RegisterDerivedPage.vue'),
      meta: { title: '登记衍生产品', parent: 'derivedProducts', roles: requester },
      props: true,
    },
    {
      path: '/sharing/derived-products/addressed',
      name: 'derivedProductsAddressed',
      component: () => import('./pages/sharing/DerivedProductsPage.vue'),
      meta: { title: '衍生产品保密审查', roles: organiser },
      props: { side: 'addressed' },
    },
    { path: '/sharing/public-applications', name: 'publicApplications', component: () => import('./pages/sharing/PublicApplicationsPage.vue'), meta: { title: '公众申请', roles: organiser } },
    {
      path: '/sharing/public-applications/:applicationId',
      name: 'publicApplication',
      component: () => import('./pages/sharing/PublicApplicationPage.vue'),
      meta: { title: '公众申请详情', parent: 'publicApplications' },
      props: true,
    },
  ];
}
