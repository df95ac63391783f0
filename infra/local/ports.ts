/**
 * Loopback ports of the local cloud. `npm start` uses base 4100; the
 * integration tests use their own base (CHENGGUO_PORT_BASE) and data folder,
 * so they run while a demo cloud is up.
 */
export interface LocalPorts {
  readonly api: number;
  readonly s3: number;
  readonly dynamodb: number;
  readonly sfn: number;
  readonly smtp: number;
  readonly inbox: number;
  /** The Lambda Invoke API (infra/local/lambda-endpoint.ts): mail handed to SendMail (issue 10). */
  readonly lambda: number;
}

/**
 * Ports that browsers and Node's fetch refuse to connect to (the WHATWG Fetch
 * standard's "bad port" list). A local cloud on one of them would start, and
 * then every page and every mail check would fail with "fetch failed".
 */
export const fetchBadPorts: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export function localPorts(base = Number(process.env['CHENGGUO_PORT_BASE'] ?? 4100)): LocalPorts {
  if (!Number.isInteger(base) || base < 1024 || base > 65530) {
    throw new Error(`CHENGGUO_PORT_BASE 无效：${String(base)}（应为 1024–65530 的整数） / invalid port base`);
  }
  const ports: LocalPorts = { api: base, s3: base + 1, dynamodb: base + 2, sfn: base + 3, smtp: base + 4, inbox: base + 5, lambda: base + 6 };
  const bad = Object.entries(ports).filter(([, port]) => fetchBadPorts.has(port));
  if (bad.length > 0) {
    throw new Error(
      `CHENGGUO_PORT_BASE=${base} 会用到浏览器与 fetch 禁止访问的端口：${bad.map(([name, port]) => `${name}=${port}`).join('，')}；请换一个端口基数 / port base hits a fetch "bad port"`,
    );
  }
  return ports;
}

export const localRegion = 'cn-north-1';
export const localAccount = '000000000000';
/** Audience of the local issuer's tokens (the Cognito app client id on AWS). */
export const localAudience = 'chengguo-local';

/** Table and bucket names in the local cloud (CDK generates its own on AWS). */
export const localTableName = (t: string) => `chengguo-${t}`;
export const localBucketName = (b: string) => `chengguo-${b}`;
