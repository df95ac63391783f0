import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AesGcmTokenVault, loadOrCreateTokenKey, tokenVaultFromEnv } from '#adapters/token-vault.ts';
import { fakeTaskToken } from './tasks-fakes.ts';

describe('R7.1 human tasks: task tokens are stored sealed (AES-256-GCM, bound to the task id)', () => {
  it('seals a token into a versioned ciphertext that does not contain it and opens it again for the same task', async () => {
    const vault = new AesGcmTokenVault(randomBytes(32));
    const token = fakeTaskToken();

    const sealed = await vault.seal(token, 'task-1');

    expect(sealed).toMatch(/^v1\.local\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(token.slice(4, 30));
    expect(await vault.open(sealed, 'task-1')).toBe(token);
    expect(await vault.seal(token, 'task-1')).not.toBe(sealed);
  });

  it('refuses to open a ciphertext under another task id, another key, or after tampering', async () => {
    const vault = new AesGcmTokenVault(randomBytes(32));
    const sealed = await vault.seal(fakeTaskToken(), 'task-1');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    const tampered = [...parts.slice(0, 3), flipped.toString('base64url'), parts[4]].join('.');

    await expect(vault.open(sealed, 'task-2')).rejects.toThrow();
    await expect(new AesGcmTokenVault(randomBytes(32)).open(sealed, 'task-1')).rejects.toThrow();
    await expect(vault.open(tampered, 'task-1')).rejects.toThrow();
  });

  it('keeps the local cloud’s key in a private file and reuses it, and refuses a missing or short key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-'));
    const file = join(dir, 'keys', 'task-token.key');

    const first = loadOrCreateTokenKey(file);
    const again = loadOrCreateTokenKey(file);

    expect(again).toBe(first);
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => tokenVaultFromEnv({})).toThrow(/TASK_TOKEN_KEY/);
    expect(() => tokenVaultFromEnv({ TASK_TOKEN_KEY: randomBytes(16).toString('base64') })).toThrow(/32/);
  });
});

describe('R7.1 human tasks: on AWS the task token is sealed by KMS with the task id as encryption context', () => {
  it('encrypts under the configured key, binds the task id, and refuses a ciphertext opened for another task', async () => {
    const { EncryptCommand } = await import('@aws-sdk/client-kms');
    const { KmsTokenVault } = await import('#adapters/token-vault.ts');
    const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
    const fakeKms = {
      async send(cmd: { input: object }) {
        const input = cmd.input as { KeyId: string; Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array; EncryptionContext: { humanTask: string } };
        if (cmd instanceof EncryptCommand) {
          calls.push({ name: 'Encrypt', input: input as unknown as Record<string, unknown> });
          return { CiphertextBlob: Buffer.from(JSON.stringify({ k: input.KeyId, c: input.EncryptionContext.humanTask, p: Buffer.from(input.Plaintext!).toString('base64') })) };
        }
        calls.push({ name: 'Decrypt', input: input as unknown as Record<string, unknown> });
        const blob = JSON.parse(Buffer.from(input.CiphertextBlob!).toString()) as { k: string; c: string; p: string };
        if (blob.k !== input.KeyId || blob.c !== input.EncryptionContext.humanTask) throw new Error('InvalidCiphertextException');
        return { Plaintext: Buffer.from(blob.p, 'base64') };
      },
    };
    const vault = new KmsTokenVault('arn:aws:kms:ap-southeast-1:111111111111:key/abc', fakeKms);

    const sealed = await vault.seal('AAAA-task-token', 'task-1');

    expect(sealed.startsWith('kms1.')).toBe(true);
    expect(sealed).not.toContain('AAAA-task-token');
    expect(calls[0]).toMatchObject({ name: 'Encrypt', input: { KeyId: 'arn:aws:kms:ap-southeast-1:111111111111:key/abc', EncryptionContext: { humanTask: 'task-1' } } });
    expect(await vault.open(sealed, 'task-1')).toBe('AAAA-task-token');
    await expect(vault.open(sealed, 'task-2')).rejects.toThrow();
  });

  it('chooses KMS when TASK_TOKEN_KEY_ID is set and the local AES key otherwise', async () => {
    const { AesGcmTokenVault, KmsTokenVault, tokenVaultFromEnv } = await import('#adapters/token-vault.ts');
    expect(tokenVaultFromEnv({ TASK_TOKEN_KEY_ID: 'alias/x', AWS_REGION: 'cn-north-1' })).toBeInstanceOf(KmsTokenVault);
    expect(tokenVaultFromEnv({ TASK_TOKEN_KEY: Buffer.alloc(32, 1).toString('base64') })).toBeInstanceOf(AesGcmTokenVault);
    expect(() => tokenVaultFromEnv({})).toThrow(/TASK_TOKEN_KEY/);
  });
});
