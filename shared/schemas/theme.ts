/** Moved to the reference data (issue 9); kept for the contracts that still import it here. */
export * from '#shared/reference/themes.ts';
