/** Set at build time by esbuild (define); falls back to package.json when run from tsc output. */
declare const __KSD_VERSION__: string | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = typeof __KSD_VERSION__ === 'string' ? __KSD_VERSION__ : (require('../../../package.json') as { version: string }).version;
