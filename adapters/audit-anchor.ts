import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignCommand, VerifyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { anchorObjectKey, type AnchorSigner, type AnchorStore, type SignedAnchor } from '#shared/audit/anchor.ts';
import { bucketName, s3Client } from './s3.ts';

/**
 * The audit chain's anchors (shared/audit/anchor.ts): who signs them and where
 * they are kept.
 *  - AWS: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY), ECDSA_SHA_256 via
 *    KMS Sign/Verify; the private key never leaves KMS and only the AuditAnchor
 *    function may Sign (infra: bindAuditAnchorKey).
 *  - Laptop: a P-256 key file in the data folder (made on first start, 0600),
 *    signed with node:crypto — the same algorithm and signature form (DER).
 *  - Storage: the Object-Lock custody bucket under audit-anchors/, written with
 *    If-None-Match: * (and a HEAD first, for emulators that ignore it).
 */

export const auditAnchorKeyIdEnv = 'AUDIT_ANCHOR_KEY_ID';
export const auditAnchorKeyFileEnv = 'AUDIT_ANCHOR_KEY_FILE';
export const anchorPrefix = 'audit-anchors/';

type KmsLike = Pick<KMSClient, 'send'>;

export class KmsAnchorSigner implements AnchorSigner {
  constructor(
    readonly keyId: string,
    private readonly kms: KmsLike = new KMSClient({}),
  ) {}

  async sign(payload: Uint8Array): Promise<Uint8Array> {
    const out = await this.kms.send(new SignCommand({ KeyId: this.keyId, Message: payload, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    if (!out.Signature) throw new Error('KMS Sign returned no signature');
    return out.Signature;
  }

  async verify(payload: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      const out = await this.kms.send(
        new VerifyCommand({ KeyId: this.keyId, Message: payload, MessageType: 'RAW', Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      return out.SignatureValid === true;
    } catch (error) {
      // KMS answers an invalid signature with KMSInvalidSignatureException, not SignatureValid: false.
      if ((error as { name?: string }).name === 'KMSInvalidSignatureException') return false;
      throw error;
    }
  }
}

/** ECDSA P-256 / SHA-256 with a local key (node:crypto); keyId is the public key's SHA-256 fingerprint. */
export class KeyFileAnchorSigner implements AnchorSigner {
  readonly keyId: string;
  private readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    const spki = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = `local:sha256:${createHash('sha256').update(spki).digest('hex').slice(0, 32)}`;
  }

  static generate(): KeyFileAnchorSigner {
    return new KeyFileAnchorSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  }

  async sign(payload: Uint8Array): Promise<Uint8Array> {
    return sign('sha256', payload, this.privateKey);
  }

  async verify(payload: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return verify('sha256', payload, this.publicKey, signature);
  }
}

/** The laptop's anchor key: made once (PKCS#8 PEM, mode 0600) and kept with the data. */
export function loadOrCreateAnchorKey(file: string): KeyFileAnchorSigner {
  if (existsSync(file)) return new KeyFileAnchorSigner(createPrivateKey(readFileSync(file, 'utf8')));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return new KeyFileAnchorSigner(privateKey);
}

/** AUDIT_ANCHOR_KEY_ID (KMS, AWS) wins; else AUDIT_ANCHOR_KEY_FILE (the local cloud). */
export function anchorSignerFromEnv(env: NodeJS.ProcessEnv = process.env): AnchorSigner {
  const keyId = env[auditAnchorKeyIdEnv];
  if (keyId) return new KmsAnchorSigner(keyId);
  const file = env[auditAnchorKeyFileEnv];
  if (file) return loadOrCreateAnchorKey(file);
  throw new Error(`环境变量 ${auditAnchorKeyIdEnv} 或 ${auditAnchorKeyFileEnv} 未设置 (missing ${auditAnchorKeyIdEnv}, a KMS signing key, or ${auditAnchorKeyFileEnv}, a local key file)`);
}

export class S3AnchorStore implements AnchorStore {
  constructor(
    private readonly bucket: string,
    private readonly client: () => S3Client = () => s3Client(),
  ) {}

  async list(): Promise<Array<{ key: string; anchor?: SignedAnchor; error?: string }>> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client().send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: anchorPrefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of out.Contents ?? []) if (o.Key?.endsWith('.json')) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    const out: Array<{ key: string; anchor?: SignedAnchor; error?: string }> = [];
    for (const key of keys) {
      try {
        const got = await this.client().send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        out.push({ key, anchor: JSON.parse(await got.Body!.transformToString('utf8')) as SignedAnchor });
      } catch (error) {
        out.push({ key, error: (error as Error).message });
      }
    }
    return out;
  }

  async put(anchor: SignedAnchor): Promise<boolean> {
    const key = anchorObjectKey(anchor.checkpoint.seq, anchor.checkpoint.shard);
    try {
      await this.client().send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return false;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name !== 'NotFound' && e.$metadata?.httpStatusCode !== 404) throw error;
    }
    try {
      await this.client().send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: JSON.stringify(anchor),
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      return true;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412 || e.$metadata?.httpStatusCode === 409) return false;
      throw error;
    }
  }
}

export function anchorStoreFromEnv(env: NodeJS.ProcessEnv = process.env): S3AnchorStore {
  return new S3AnchorStore(bucketName('custody', env));
}
