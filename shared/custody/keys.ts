/**
 * Custody keys. The package under its unified number and version, the
 * manifest beside it under its own prefix, so the audit lists manifests
 * (one per result version) rather than every object.
 */
export const resultsPrefix = 'results/';
export const manifestsPrefix = 'manifests/';

export function custodyObjectKey(resultNumber: string, n: number, path: string): string {
  return `${resultsPrefix}${resultNumber}/v${n}/${path}`;
}

export function custodyManifestKey(resultNumber: string, n: number): string {
  return `${manifestsPrefix}${resultNumber}/v${n}.json`;
}

/** Documents bucket: integrity/<date>/<executionName>.json | .html, and the run's working files beside them. */
export function integrityReportKey(date: string, executionName: string, ext: 'json' | 'html'): string {
  return `integrity/${date}/${executionName}.${ext}`;
}

export function integrityWorkKey(date: string, executionName: string, kind: 'batches' | 'results', batch: number): string {
  return `integrity/${date}/${executionName}/${kind}/${batch}.json`;
}

/** The prefix under which Check Batch writes a run's results/<batch>.json; Write Report lists it. */
export function integrityResultsPrefix(date: string, executionName: string): string {
  return `integrity/${date}/${executionName}/results/`;
}
