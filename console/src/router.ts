import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { currentUser, signIn } from './auth.ts';
import type { Role } from './contracts.ts';
import { rolePageRoutes } from './role-pages.ts';
import { hasRole, loadMe, me } from './session.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Breadcrumb and menu title. */
    title: string;
    /** Parent breadcrumb (a route name). */
    parent?: string;
    /** Roles that see the page (the route's `auth` in the API); absent = everyone signed in. */
    roles?: Role[];
    /** No sign-in needed (the callback, the signed-out page). */
    public?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'todo', component: () => import('./pages/TodoPage.vue'), meta: { title: '待办' } },
  { path: '/tasks/:id', name: 'task', component: () => import('./pages/TaskPage.vue'), meta: { title: '待办任务', parent: 'todo' }, props: true },
  { path: '/notifications', name: 'notifications', component: () => import('./pages/NotificationsPage.vue'), meta: { title: '我的通知' } },
  { path: '/catalogue', name: 'catalogue', component: () => import('./pages/CataloguePage.vue'), meta: { title: '成果目录检索' } },
  {
    path: '/catalogue/:resultNumber',
    name: 'entry',
    component: () => import('./pages/EntryPage.vue'),
    meta: { title: '成果详情', parent: 'catalogue' },
    props: true,
  },
  { path: '/survey-tasks', name: 'surveyTasks', component: () => import('./pages/SurveyTasksPage.vue'), meta: { title: '调查监测任务' } },
  {
    path: '/survey-tasks/new',
    name: 'registerTask',
    component: () => import('./pages/RegisterTaskPage.vue'),
    meta: { title: '登记调查监测任务', parent: 'surveyTasks', roles: ['reviewer', 'administrator'] },
  },
  ...rolePageRoutes,
  {
    path: '/survey-tasks/:taskId/upload',
    name: 'upload',
    component: () => import('./pages/UploadPage.vue'),
    meta: { title: '上传成果包', parent: 'surveyTasks', roles: ['submitter'] },
    // ?correction=<submissionId>: the link in the order to correct (R19.3) — the folder becomes that submission's next version.
    props: (route) => ({ taskId: String(route.params['taskId']), ...(typeof route.query['correction'] === 'string' ? { correction: route.query['correction'] } : {}) }),
  },
  { path: '/callback', name: 'callback', component: () => import('./pages/CallbackPage.vue'), meta: { title: '登录', public: true } },
  { path: '/signed-out', name: 'signedOut', component: () => import('./pages/SignedOutPage.vue'), meta: { title: '已退出', public: true } },
  { path: '/forbidden', name: 'forbidden', component: () => import('./pages/ForbiddenPage.vue'), meta: { title: '无权访问' } },
  { path: '/:rest(.*)*', name: 'notFound', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在' } },
];

export const router = createRouter({ history: createWebHistory('/console/'), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  const user = await currentUser();
  if (!user) {
    await signIn(to.fullPath);
    return false;
  }
  if (!me.value) await loadMe();
  if (to.meta.roles && !hasRole(...to.meta.roles)) return { name: 'forbidden', query: { page: to.meta.title, roles: to.meta.roles.join(',') } };
  return true;
});
