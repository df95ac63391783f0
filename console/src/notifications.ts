/** The header bell's unread count (我的通知): read after sign-in, on each page change and every minute while open. */
import { ref } from 'vue';
import { api } from './api.ts';
import type { NotificationList } from './contracts.ts';

export const unread = ref<number | undefined>(undefined);
let timer: ReturnType<typeof setInterval> | undefined;

export async function refreshUnread(): Promise<void> {
  try {
    unread.value = (await api<NotificationList>('GET', '/notifications', { query: { limit: 1, unread: 'true' } })).unread;
  } catch {
    // The bell is a convenience: a failed count leaves the last one (the page itself says what failed).
  }
}

export function watchUnread(): void {
  if (timer) return;
  void refreshUnread();
  timer = setInterval(() => void refreshUnread(), 60_000);
}
