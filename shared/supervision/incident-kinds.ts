/**
 * The incident kinds and timeline states (R20.1), with no imports: the
 * supervision context module and the response schema read them, and every
 * bundle that imports the context module carries this file, not the domain.
 */
export const incidentKinds = ['leak', 'loss', 'damage'] as const;
export type IncidentKind = (typeof incidentKinds)[number];
export const incidentKindLabels: Record<IncidentKind, string> = { leak: '泄密', loss: '丢失', damage: '损毁' };

export const incidentStates = ['reported', 'verified', 'measures', 'closed'] as const;
export type IncidentState = (typeof incidentStates)[number];
export const incidentStateLabels: Record<IncidentState, string> = { reported: '已报告', verified: '已核实', measures: '已采取处置措施', closed: '已结案' };
