/**
 * Release versions on the local cloud (issue 15 steps 6–8): the approval is prepared through the domain's
 * audited approveRelease (what the approval machine calls), and PublishRelease runs as its handler with the
 * real adapters against the cloud's DynamoDB and S3 — the machine's last step, invoked directly.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { DynamoAuditChainStore } from '#adapters/dynamo-audit.ts';
import { DynamoCatalogueStore, DynamoCatalogueTableAccess } from '#adapters/dynamo-catalogue.ts';
import { DynamoDerivedProducts } from '#adapters/dynamo-derived.ts';
import { DynamoIdentityRepository } from '#adapters/dynamo-identity.ts';
import { DynamoRegistryAccess, DynamoSubmissionStore } from '#adapters/dynamo-submission.ts';
import { HandoverMailer } from '#adapters/mail-handover.ts';
import { S3ReleaseFiles } from '#adapters/s3-release-files.ts';
import { handler as publishReleaseHandler } from '#functions/publication/publish-release.ts';
import { localPublicPlatforms } from '#infra/local/cloud.ts';
import { localCredentials } from '#infra/local/dynamodb.ts';
import { localBucketName } from '#infra/local/ports.ts';
import { approveRelease } from '#shared/publication/publish.ts';
import { tokenOf } from './fixture-submission.ts';
import { api, cloud, ddb } from './helpers.ts';

export const record = {
  changes: [{ action: 'shifted', target: 'coordinates', description: '全部要素坐标按规定偏移' }],
  method: '坐标偏移插件 2.1',
  rule: '公开地图内容表示规定',
  basisDocument: '粤自然资发〔2026〕12 号',
  performedBy: '广东省国土资源测绘院',
  performedOn: '2026-09-20',
};

export const s3 = new S3Client({ endpoint: cloud.urls.s3, region: cloud.region, forcePathStyle: true, credentials: localCredentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

export function releasePorts() {
  const audit = new DynamoAuditChainStore(cloud.tables.logs, () => ddb);
  return {
    catalogue: new DynamoCatalogueStore(new DynamoCatalogueTableAccess(cloud.tables.registry, ddb, audit)),
    submissions: new DynamoSubmissionStore(new DynamoRegistryAccess(cloud.tables.registry, ddb, audit)),
    releaseFiles: new S3ReleaseFiles(s3, localBucketName('published'), { uploads: localBucketName('uploads'), trustStoredChecksums: false }),
    now: () => new Date(),
    // R14.2: the announcement goes the way every mail goes: handed to the cloud's SendMail, which sends it to MailDev.
    mailer: new HandoverMailer('SendMail', new LambdaClient({ endpoint: cloud.urls.lambda, region: cloud.region, credentials: localCredentials })),
    appBaseUrl: cloud.urls.api,
    platforms: localPublicPlatforms,
    // R18.2: a release version of a derived product records the product's publication.
    derived: new DynamoDerivedProducts(cloud.tables.registry, audit),
    identity: new DynamoIdentityRepository(cloud.tables.registry, audit),
  };
}

/** 刘洋 registers a 公开 release of source `n` with package `pkg` (201); its number. */
export async function registeredRelease(n: string, pkg: string): Promise<string> {
  const created = await api('POST', `/catalogue/${n}/releases`, { token: await tokenOf('liu.yang'), body: { submissionId: pkg, classification: 'public', desensitisation: record } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.release.releaseNumber as string;
}

/** Approved (as the approval machine records it: 刘洋 of 广东省自然资源厅, the resolved approver) and published through PublishRelease. */
export async function approvedAndPublished(releaseNumber: string) {
  const ports = releasePorts();
  await approveRelease(ports, { releaseNumber, approvers: [{ userId: 'liu.yang', orgCode: '440000-NR' }], requestId: `approve-${releaseNumber}` });
  return publishReleaseHandler.with(ports)({ releaseNumber, execution: 'integration' }, { awsRequestId: `publish-${releaseNumber}` } as never);
}

/** GET /public/downloads/… without following the redirect. */
export function download(releaseNumber: string, path: string): Promise<Response> {
  return fetch(`${cloud.urls.api}/public/downloads/${encodeURIComponent(releaseNumber)}/${path}`, { redirect: 'manual', headers: { 'user-agent': 'chengguo-integration/1.0' } });
}
