import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { TokenVault } from '#shared/ports/tasks.ts';

/**
 * Task tokens at rest (architecture: a task token is a bearer credential —
 * IAM cannot scope SendTaskSuccess — so it is stored encrypted).
 *
 * AES-256-GCM, a fresh 96-bit IV per seal, the task id as additional
 * authenticated data. Format: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url).
 *
 * The key: on AWS a customer-managed KMS key (TASK_TOKEN_KEY_ID, set by the
 * CDK for functions with `sealsTaskTokens`): the token is encrypted by KMS
 * itself (tokens are far below KMS's 4 KiB plaintext limit) with the task id
 * as encryption context, so the key never leaves KMS and every open is in
 * CloudTrail. In the local cloud, which has no KMS, a 32-byte key kept in the
 * data folder and passed as TASK_TOKEN_KEY (base64) with AES-256-GCM.
 */
export const taskTokenKeyEnv = 'TASK_TOKEN_KEY';
export const taskTokenKeyIdEnv = 'TASK_TOKEN_KEY_ID';

const version = 'v1';

export class AesGcmTokenVault implements TokenVault {
  private readonly key: Buffer;

  constructor(
    key: Uint8Array,
    private readonly keyId = 'local',
  ) {
    if (key.byteLength !== 32) throw new Error(`${taskTokenKeyEnv} 应为 32 字节密钥 (must be a 32-byte key), got ${key.byteLength}`);
    if (!/^[A-Za-z0-9_-]+$/.test(keyId)) throw new Error('token vault key id must be base64url characters');
    this.key = Buffer.from(key);
  }

  async seal(token: string, context: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return [version, this.keyId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  async open(ciphertext: string, context: string): Promise<string> {
    const [v, keyId, iv, ct, tag] = ciphertext.split('.');
    if (v !== version || !iv || !ct || !tag) throw new Error('sealed task token: unknown format');
    if (keyId !== this.keyId) throw new Error(`sealed task token: sealed with key ${keyId}, this vault holds ${this.keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The part of the KMS client the vault uses, so unit tests can pass a fake. */
export interface KmsLike {
  send(command: EncryptCommand | DecryptCommand): Promise<{ CiphertextBlob?: Uint8Array; Plaintext?: Uint8Array }>;
}

const kmsVersion = 'kms1';

export class KmsTokenVault implements TokenVault {
  constructor(
    private readonly keyId: string,
    private readonly kms: KmsLike = new KMSClient({}),
  ) {}

  async seal(token: string, context: string): Promise<string> {
    const out = await this.kms.send(
      new EncryptCommand({ KeyId: this.keyId, Plaintext: Buffer.from(token, 'utf8'), EncryptionContext: { humanTask: context } }),
    );
    if (!out.CiphertextBlob) throw new Error('KMS Encrypt returned no ciphertext');
    return `${kmsVersion}.${Buffer.from(out.CiphertextBlob).toString('base64url')}`;
  }

  async open(ciphertext: string, context: string): Promise<string> {
    const [v, blob] = ciphertext.split('.');
    if (v !== kmsVersion || !blob) throw new Error('sealed task token: not sealed by KMS');
    // KeyId pins the key: a ciphertext made under another key is refused, not decrypted.
    const out = await this.kms.send(
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: Buffer.from(blob, 'base64url'), EncryptionContext: { humanTask: context } }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
    return Buffer.from(out.Plaintext).toString('utf8');
  }
}

export function tokenVaultFromEnv(env: NodeJS.ProcessEnv = process.env): TokenVault {
  const keyId = env[taskTokenKeyIdEnv];
  if (keyId) return new KmsTokenVault(keyId);
  const value = env[taskTokenKeyEnv];
  if (!value) {
    throw new Error(
      `环境变量 ${taskTokenKeyIdEnv} 或 ${taskTokenKeyEnv} 未设置 (missing ${taskTokenKeyIdEnv}, a KMS key, or ${taskTokenKeyEnv}: base64 of 32 random bytes)`,
    );
  }
  return new AesGcmTokenVault(Buffer.from(value, 'base64'));
}

/** The local cloud's key: made once, kept (mode 0600) so that open tasks survive a restart. */
export function loadOrCreateTokenKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
