/**
 * What the startup banner says about the demo (Chinese first). Kept apart
 * from demo.ts so that printing it loads no domain module; the catalogue
 * counts per reader come with the demo's 就绪 line (demo.ts `catalogueCount`),
 * counted from the catalogue once every part is written.
 */
export function demoBannerLines(urls: { api: string; inbox: string }): string[] {
  return [
    ' 演示数据 demo data（首次启动时在后台写入 written in the background on a fresh start; CHENGGUO_DEMO=0 关闭 off）',
    `  公开目录 public catalogue   ${urls.api}/public/  (STAC: ${urls.api}/public/catalog.json)`,
    `  目录检索 catalogue search   GET ${urls.api}/catalogue?region=440000 — 张伟 zhang.wei（秘密）、李娜 li.na（内部）、罗欣 luo.xin（公开）` +
      '按密级各见不同条目（演示数据就绪时列出各人条数）',
    `  收件箱 inbox                ${urls.inbox} → 陈静 chen.jing 的“成果技术审核”待办、李娜 li.na 的退回通知（R7.2 重新汇交期限）`,
    `  汇交期限 deadlines          李娜 li.na：GET ${urls.api}/survey-tasks（R6.1 汇交期限，含一项尚未汇交的任务）`,
  ];
}
