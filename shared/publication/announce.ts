import * as z from 'zod/mini';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { itemKey } from '#shared/catalogue/public/build.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import type { CatalogueEntry, ReleaseInfo } from '#shared/schemas/catalogue.ts';
import { publicationSystem } from './publish.ts';

/**
 * R14.2: a released result is announced to the external public platforms (政务数据开放平台 and the like) the
 * deployment names in PUBLIC_PLATFORMS (`[{"name","email"}]`): each platform is emailed, in Chinese, the
 * release's public page and the catalogue's data.json (DCAT, which the platform harvests), and the
 * announcement — platform, when, the mail's message id — is recorded on the release in an audited,
 * conditional write (`publication.release.announce`).
 *
 * Idempotent: a platform already on the release's `announcements` is skipped, so a retried PublishRelease
 * step sends nothing twice. The one window — the mail handed over, the record not yet written — is closed by
 * SendMail's content de-duplication (shared/platform/mail-relay.ts, one hour): the message is built from the
 * release alone (no clock in it), so a retry hands over the identical message and SendMail drops it.
 */

export const publicPlatformSchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  email: z.email(),
});
export type PublicPlatform = z.infer<typeof publicPlatformSchema>;

/** PUBLIC_PLATFORMS parsed: absent or empty → none; malformed → an error naming the variable (fails the cold start). */
export function parsePublicPlatforms(raw: string | undefined): PublicPlatform[] {
  if (raw === undefined || raw.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('环境变量 PUBLIC_PLATFORMS 不是 JSON (PUBLIC_PLATFORMS is not JSON: [{"name","email"}])');
  }
  const parsed = z.array(publicPlatformSchema).safeParse(json);
  if (!parsed.success) throw new Error(`环境变量 PUBLIC_PLATFORMS 格式不对，应为 [{"name","email"}] (PUBLIC_PLATFORMS: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')})`);
  const names = new Set<string>();
  for (const p of parsed.data) {
    if (names.has(p.name)) throw new Error(`环境变量 PUBLIC_PLATFORMS 中平台 ${p.name} 重复 (duplicate platform name)`);
    names.add(p.name);
  }
  return parsed.data;
}

/** The public links of a release: its page in the public catalogue (the STAC item data.json names as landingPage) and data.json. */
export function releaseLinks(entry: Pick<CatalogueEntry, 'theme' | 'resultNumber'>, appBaseUrl: string): { page: string; feed: string; catalogue: string } {
  const base = `${appBaseUrl.replace(/\/+$/, '')}/public/`;
  return { page: `${base}${itemKey(entry.theme, entry.resultNumber)}`, feed: `${base}data.json`, catalogue: base };
}

/** The announcement to one platform: Chinese, plain text, built from the release alone (so a retry builds the same message). */
export function announcementMessage(entry: CatalogueEntry & { release: ReleaseInfo }, platform: PublicPlatform, appBaseUrl: string): MailMessage {
  const links = releaseLinks(entry, appBaseUrl);
  const files = entry.release.files ?? [];
  const bytes = files.reduce((s, f) => s + f.size, 0);
  const text = [
    `${platform.name}：`,
    '',
    `自然资源调查监测成果“${entry.name}”（发布版本 ${entry.resultNumber}）已于 ${chinaDateTime(entry.release.releasedAt ?? entry.updatedAt)} 经审批公开发布，现按《自然资源调查监测成果管理办法》通过公共平台共享，请予以收录。`,
    '',
    `成果内容：${entry.content}`,
    `文件：${files.length} 个，共 ${bytes} 字节，每个文件附 SHA-256 校验值。`,
    '',
    `公开页面：${links.page}`,
    `数据目录（DCAT data.json，可定期采集）：${links.feed}`,
    `公开目录：${links.catalogue}`,
    '',
    '本邮件由系统自动发送，请勿直接回复。',
    '自然资源调查监测成果管理系统',
  ].join('\n');
  return { to: [platform.email], subject: `【成果发布公告】${entry.name}（${entry.resultNumber}）`, text };
}

export interface AnnouncePorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry'>;
  readonly mailer: Mailer;
  readonly platforms: readonly PublicPlatform[];
  readonly appBaseUrl: string;
  readonly now: () => Date;
}

export interface AnnounceResult {
  /** Platforms emailed by this call. */
  readonly announced: number;
  /** All platforms the release is recorded as announced to. */
  readonly total: number;
}

/**
 * Announces a released release to every configured platform not yet on its `announcements`: the mail, then the
 * record (conditional on the entry's version; a concurrent write → re-read and go on). Not released → 409.
 */
export async function announceRelease(ports: AnnouncePorts, cmd: { releaseNumber: string; requestId: string }): Promise<AnnounceResult> {
  let announced = 0;
  for (const platform of ports.platforms) {
    for (let attempt = 0; ; attempt++) {
      const entry = await ports.catalogue.getEntry(cmd.releaseNumber);
      if (!entry?.release || entry.release.state !== 'released') {
        throw new ConflictError('RELEASE_NOT_RELEASED', `发布版本 ${cmd.releaseNumber} 尚未发布，不能向公共平台公告（R14.2）`);
      }
      const released = entry as CatalogueEntry & { release: ReleaseInfo };
      if ((released.release.announcements ?? []).some((a) => a.platform === platform.name)) break;
      const { messageId } = await ports.mailer.send(announcementMessage(released, platform, ports.appBaseUrl));
      const at = ports.now().toISOString();
      const next: CatalogueEntry = {
        ...released,
        release: { ...released.release, announcements: [...(released.release.announcements ?? []), { platform: platform.name, email: platform.email, at, messageId }] },
        version: released.version + 1,
        updatedAt: at,
        updatedBy: publicationSystem,
      };
      const audit: AuditEntry = {
        actor: publicationSystem,
        orgCode: released.organiserOrg,
        action: 'publication.release.announce',
        target: `CAT#${released.resultNumber}`,
        outcome: 'success',
        requestId: cmd.requestId,
        detail: { releaseNumber: released.resultNumber, platform: platform.name, email: platform.email, messageId },
      };
      try {
        await ports.catalogue.updateEntry(next, released, audit);
        announced++;
        break;
      } catch (error) {
        // Another write came first (a concurrent run, a download counter…): read again; the identical mail is
        // de-duplicated by SendMail if it is handed over again.
        if (attempt >= 3) throw error;
      }
    }
  }
  const final = await ports.catalogue.getEntry(cmd.releaseNumber);
  return { announced, total: final?.release?.announcements?.length ?? 0 };
}
