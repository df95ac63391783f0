/**
 * A form outlives its session (issue 13): when the ID token has run out and the silent renew fails too,
 * the values of every form on the page go to sessionStorage (this tab only; never a token), the person
 * signs in again, comes back to the same page and finds the form as they left it — told so, to check it
 * and send it again. Files picked for an upload cannot be kept (a browser gives no lasting handle to
 * them); the upload itself resumes from the server's account.
 */
import { onBeforeUnmount, ref, type Ref } from 'vue';

const prefix = 'chengguo.form.';
/** The forms on screen, per console path (without /console). */
const live = new Map<string, Array<() => unknown>>();

export function consolePath(): string {
  return (location.pathname.replace(/^\/console(?=\/|$)/, '') || '/') + location.search;
}

/** Keeps `form` (a reactive object) across a sign-in; true when its values were just restored. */
export function keepForm<T extends object>(name: string, form: T): Ref<boolean> {
  const path = consolePath();
  const key = `${prefix}${path}#${name}`;
  const restored = ref(false);
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    try {
      Object.assign(form, JSON.parse(saved) as Partial<T>);
      restored.value = true;
    } catch {
      // a value that no longer parses is dropped: the form starts empty, as it would have
    }
  }
  const snapshot = () => {
    sessionStorage.setItem(key, JSON.stringify(form));
  };
  live.set(path, [...(live.get(path) ?? []), snapshot]);
  onBeforeUnmount(() => live.set(path, (live.get(path) ?? []).filter((s) => s !== snapshot)));
  return restored;
}

/** Before the sign-in page: every form on the current page saved. */
export function saveKeptForms(): void {
  for (const snapshot of live.get(consolePath()) ?? []) snapshot();
}
