import 'element-plus/dist/index.css';
import {
  ElAlert,
  ElAside,
  ElBreadcrumb,
  ElBreadcrumbItem,
  ElButton,
  ElCascader,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElEmpty,
  ElForm,
  ElFormItem,
  ElHeader,
  ElInput,
  ElLink,
  ElLoading,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElOption,
  ElPagination,
  ElRadio,
  ElResult,
  ElSelect,
  ElTable,
  ElTableColumn,
  ElTag,
  ElTimeline,
  ElTimelineItem,
} from 'element-plus';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.ts';

const app = createApp(App);
// Child components (ElTableColumn, ElOption, ElRadioButton, ElMenuItem …) are installed by their parent's plugin.
for (const c of [
  ElAlert, ElAside, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCascader, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions,
  ElDescriptionsItem, ElEmpty, ElForm, ElFormItem, ElHeader, ElInput, ElLink, ElLoading, ElMain, ElMenu, ElMenuItem, ElOption,
  ElPagination, ElRadio, ElResult, ElSelect, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem,
]) {
  app.use(c);
}
app.use(router);
app.mount('#app');
