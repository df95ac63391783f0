import { anchorObjectKey, type AnchorStore, type SignedAnchor } from '#shared/audit/anchor.ts';

/** Write-once anchor storage in memory, for unit tests (the S3 adapter's contract). */
export class InMemoryAnchorStore implements AnchorStore {
  readonly objects = new Map<string, string>();

  async list(): Promise<Array<{ key: string; anchor?: SignedAnchor; error?: string }>> {
    return [...this.objects].map(([key, body]) => {
      try {
        return { key, anchor: JSON.parse(body) as SignedAnchor };
      } catch (error) {
        return { key, error: (error as Error).message };
      }
    });
  }

  async put(anchor: SignedAnchor): Promise<boolean> {
    const key = anchorObjectKey(anchor.checkpoint.seq, anchor.checkpoint.shard);
    if (this.objects.has(key)) return false;
    this.objects.set(key, JSON.stringify(anchor));
    return true;
  }
}
