/**
 * The one HTML escaper of every page and email (issue 9): text and attribute
 * values, `& < > " '` → `&amp; &lt; &gt; &quot; &#39;`; null and undefined
 * render as ''. Self-contained (no outer reference), so the local pages can
 * inject its source into their in-page script.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
