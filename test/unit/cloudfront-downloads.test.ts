import { createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloudFrontSignedDownloads, downloadSignerFromEnv, secretPrivateKey } from '#adapters/cloudfront-downloads.ts';
import { S3ReleaseFiles } from '#adapters/s3-release-files.ts';
import { downloadUrlSeconds } from '#shared/publication/publish.ts';

/** CloudFront's URL-safe base64 (+ → -, = → _, / → ~) back to bytes. */
const fromCloudFront = (s: string) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

function keys() {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

describe('R17.2 CloudFront signed download URLs on AWS (adapters/cloudfront-downloads.ts)', () => {
  it('signs a canned-policy URL on the distribution: Expires minutes ahead, Signature and Key-Pair-Id; the signature verifies with the public key of the key group', async () => {
    // prepare
    const { publicKey, privateKey } = keys();
    const now = new Date('2026-10-09T02:00:00.000Z');
    const signer = new CloudFrontSignedDownloads('d111111abcdef8.cloudfront.net', 'K2JCJMDEHXQW5F', async () => privateKey, () => now);
    // act
    const signed = await signer.presignGet('releases/440000-CUS-2026-GT-000001-R1/maps/地表覆盖 总图.tif', { expiresInSeconds: downloadUrlSeconds, filename: '地表覆盖 总图.tif', contentType: 'image/tiff; application=geotiff' });
    // assess
    const url = new URL(signed);
    expect(url.origin).toBe('https://d111111abcdef8.cloudfront.net');
    expect(url.pathname).toBe(`/releases/440000-CUS-2026-GT-000001-R1/maps/${encodeURIComponent('地表覆盖 总图.tif')}`);
    expect(url.searchParams.get('response-content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('地表覆盖 总图.tif')}`);
    expect(url.searchParams.get('Key-Pair-Id')).toBe('K2JCJMDEHXQW5F');
    const expires = Number(url.searchParams.get('Expires'));
    expect(expires - now.getTime() / 1000).toBe(300);
    const signature = url.searchParams.get('Signature');
    expect(signature).toMatch(/^[A-Za-z0-9~_-]+$/);
    // The canned policy CloudFront rebuilds from the URL without the three signing parameters.
    const resource = signed.replace(/[?&]Expires=.*$/, '');
    const policy = JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] });
    expect(createVerify('RSA-SHA1').update(policy).verify(publicKey, fromCloudFront(signature!))).toBe(true);
    // Another key does not verify it; another expiry neither.
    expect(createVerify('RSA-SHA1').update(policy).verify(keys().publicKey, fromCloudFront(signature!))).toBe(false);
    expect(createVerify('RSA-SHA1').update(policy.replace(String(expires), String(expires + 3600))).verify(publicKey, fromCloudFront(signature!))).toBe(false);
  });

  it('never signs for more than an hour', async () => {
    const { privateKey } = keys();
    const now = new Date('2026-10-09T02:00:00.000Z');
    const url = new URL(await new CloudFrontSignedDownloads('d.cloudfront.net', 'K1', async () => privateKey, () => now).presignGet('releases/N-R1/a.zip', { expiresInSeconds: 86_400, filename: 'a.zip', contentType: 'application/zip' }));
    expect(Number(url.searchParams.get('Expires')) - now.getTime() / 1000).toBe(3600);
  });

  it('reads the private key from Secrets Manager once; a value that is no PEM private key is refused with a Chinese message, and read again next time', async () => {
    // prepare
    const { privateKey } = keys();
    const values = ['not a key', privateKey];
    const calls: string[] = [];
    const client = { send: async (c: { input: { SecretId?: string } }) => (calls.push(String(c.input.SecretId)), { SecretString: values.shift() }) };
    const read = secretPrivateKey('arn:aws:secretsmanager:eu-west-1:123456789012:secret:chengguo-prod-download-signing-key', client as never);
    // act
    const bad = await read().catch((e: unknown) => e);
    const good = await read();
    const again = await read();
    // assess
    expect(bad).toMatchObject({ message: expect.stringContaining('下载签名私钥') });
    expect(good).toBe(privateKey);
    expect(again).toBe(privateKey);
    expect(calls).toHaveLength(2);
  });

  it('chooses by the stage\'s environment: CloudFront when its domain is set (key pair id and secret required), else the presigned S3 GET (local cloud, aws-cn)', () => {
    const base = { PUBLISHED_BUCKET_NAME: 'chengguo-test-published' };
    expect(downloadSignerFromEnv({ ...base })).toBeInstanceOf(S3ReleaseFiles);
    expect(downloadSignerFromEnv({ ...base, DOWNLOAD_DISTRIBUTION_DOMAIN: 'd.cloudfront.net', DOWNLOAD_KEY_PAIR_ID: 'K1', DOWNLOAD_SIGNING_KEY_SECRET: 'chengguo-test-download-signing-key' })).toBeInstanceOf(CloudFrontSignedDownloads);
    expect(() => downloadSignerFromEnv({ ...base, DOWNLOAD_DISTRIBUTION_DOMAIN: 'd.cloudfront.net' })).toThrow(/DOWNLOAD_KEY_PAIR_ID/);
  });
});
