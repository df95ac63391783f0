/** An ISO instant as a person in China reads it: 2026-12-03 17:26（北京时间）. */
export function chinaTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const china = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${china.slice(0, 10)} ${china.slice(11, 16)}（北京时间）`;
}
