/** Who is signed in (GET /me: roles and clearance as the registry holds them, not from the token). */
import { ref } from 'vue';
import { api } from './api.ts';
import type { Me, Role } from './contracts.ts';

export const me = ref<Me | undefined>(undefined);

export async function loadMe(): Promise<Me> {
  me.value = await api<Me>('GET', '/me');
  return me.value;
}

export function hasRole(...roles: Role[]): boolean {
  return roles.some((r) => me.value?.user.roles.includes(r));
}
