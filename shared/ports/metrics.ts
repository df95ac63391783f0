/**
 * Business metrics of the domain events that operations watch (issue 11 §2):
 * how many submissions were verified or returned, how many human tasks are
 * overdue or were escalated. Each is a plain number per event; the adapter
 * (adapters/emf-metrics.ts) writes CloudWatch embedded metric format to the
 * function's log, so no SDK call and no grant is needed.
 */
export type DomainMetric = 'SubmissionsVerified' | 'SubmissionsReturned' | 'TasksOverdue' | 'TasksEscalated';

export const domainMetrics: readonly DomainMetric[] = ['SubmissionsVerified', 'SubmissionsReturned', 'TasksOverdue', 'TasksEscalated'];

export interface DomainMetrics {
  /** One value of a metric (a count of events, or a level such as the number of overdue tasks). */
  record(metric: DomainMetric, value: number): void;
}

/** For callers (tests, scripts) that measure nothing. */
export const noMetrics: DomainMetrics = { record: () => undefined };
