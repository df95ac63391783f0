import { z } from 'zod';
import { approvalSchema, destroyCustodyObjects, type CustodyDestroyer, type DestructionStore } from '#shared/destruction/destruction.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';

export const destroyObjectsInputSchema = z.object({
  resultNumber: z.string().min(1),
  destructionId: z.string().min(1),
  approval: approvalSchema,
  execution: z.string().optional(),
});

/**
 * Destruction › Destroy Objects: the one function that holds the custody
 * destroyer (and the only grant to delete custody versions). Reached only
 * from the approved branch of statemachines/destruction.asl.json.
 */
export function makeHandler(ports?: { destructions: DestructionStore; destroyers: readonly CustodyDestroyer[] }) {
  return withSfnTask('DestroyCustodyObjects', destroyObjectsInputSchema, async (input) => {
    const resolved = ports ?? (await fromEnv());
    return destroyCustodyObjects(resolved, { resultNumber: input.resultNumber, destructionId: input.destructionId, approval: input.approval });
  });
}

let defaults: { destructions: DestructionStore; destroyers: readonly CustodyDestroyer[] } | undefined;
async function fromEnv() {
  if (defaults) return defaults;
  const [destruction, destroyer] = await Promise.all([import('#adapters/dynamo-destruction.ts'), import('#adapters/s3-custody-destroyer.ts')]);
  defaults = { destructions: destruction.destructionStoreFromEnv(), destroyers: destroyer.custodyDestroyersFromEnv() };
  return defaults;
}

export const handler = makeHandler();
