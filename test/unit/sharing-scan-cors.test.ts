import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3SharingDocuments } from '#adapters/s3-sharing-documents.ts';
import { scanUploadCors, uploadsCors, type ConsoleCorsRule } from '#infra/constructs/uploads-cors.ts';
import { cors } from '#infra/local/s3.ts';

const consoleOrigin = 'http://127.0.0.1:7400';
/** The buckets' rules as the local cloud passes them (infra/local/cloud.ts). */
const rules: Readonly<Record<string, ConsoleCorsRule>> = { 'chengguo-local-uploads': uploadsCors, 'chengguo-local-documents': scanUploadCors };
const ruleOf = (bucket: string): ConsoleCorsRule | undefined => rules[bucket];

/** A preflight to the local S3 front as the console's browser sends it before a PUT to `path`. */
function preflight(path: string, headers: string): number {
  const req = new IncomingMessage(new Socket());
  req.method = 'OPTIONS';
  req.url = path;
  req.headers = { origin: consoleOrigin, 'access-control-request-method': 'PUT', 'access-control-request-headers': headers };
  const res = new ServerResponse(req);
  expect(cors(req, res, [consoleOrigin], ruleOf)).toBe(true);
  return res.statusCode;
}

describe('R17.1 issue 13: the signed confidentiality scan is PUT from the browser to the documents bucket (local S3 front CORS)', () => {
  it('the presigned PUT signs exactly the headers the scan rule allows; the documents bucket answers its preflight, the uploads bucket still refuses Content-Type', async () => {
    // prepare: the real presigner on the documents bucket
    const client = new S3Client({ region: 'ap-southeast-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
    const documents = new S3SharingDocuments(client, 'chengguo-local-documents');
    const sha = 'ab'.repeat(32);

    // act
    const signed = await documents.presignPut('sharing/scans/x.pdf', { sha256: sha, size: 10, contentType: 'application/pdf', expiresInSeconds: 600 });
    const signedHeaders = new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')!.split(';');
    const browserSets = signedHeaders.filter((h) => h !== 'host' && h !== 'content-length').sort().join(',');
    const scan = preflight('/chengguo-local-documents/sharing/scans/x.pdf?X-Amz-Signature=1', browserSets);
    const uploads = preflight('/chengguo-local-uploads/sub/v1/a.tif', browserSets);
    const wrongMethod = (() => {
      const req = new IncomingMessage(new Socket());
      req.method = 'OPTIONS';
      req.url = '/chengguo-local-documents/x';
      req.headers = { origin: consoleOrigin, 'access-control-request-method': 'DELETE' };
      const res = new ServerResponse(req);
      cors(req, res, [consoleOrigin], ruleOf);
      return res.statusCode;
    })();

    // assess
    expect(browserSets).toBe([...scanUploadCors.allowedHeaders].sort().join(','));
    expect(scan).toBe(200);
    expect(uploads).toBe(403);
    expect(wrongMethod).toBe(403);
  });
});
