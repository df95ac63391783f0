/** A scheduled job of a context module: `scheduled(ctx, 'DeadlineWatch', [ports…], run)`. */
import { eventEntry } from './event-entry.ts';
import { withSchedule, type ScheduleContext } from './with-schedule.ts';

export type { ScheduleContext } from './with-schedule.ts';

export const scheduled = eventEntry<ScheduleContext>(withSchedule);
