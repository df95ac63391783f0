/** Where released files live in the published bucket, and their public download path (R17.2). Pure, tiny: the public catalogue's builder imports it. */

/** Outside public-catalogue/ (which CloudFront serves unlogged): a released file is reached only through the logged 302. */
export const releasesPrefix = 'releases/';
export const releaseFileKey = (releaseNumber: string, path: string) => `${releasesPrefix}${releaseNumber}/${path}`;
/** The public download path of a released file, relative to the public catalogue's root (/public/ locally). */
export const downloadHref = (releaseNumber: string, path: string) => `downloads/${encodeURIComponent(releaseNumber)}/${path.split('/').map(encodeURIComponent).join('/')}`;
