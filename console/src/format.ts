/** An ISO instant as a person in China reads it: 2026-12-03 17:26（北京时间）. */
export function chinaTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const china = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${china.slice(0, 10)} ${china.slice(11, 16)}（北京时间）`;
}

/** Bytes as a person reads them: 1.5 GiB, 300 MiB, 12 KiB. */
export function formatBytes(n: number): string {
  const units = ['字节', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} 字节` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
