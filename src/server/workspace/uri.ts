import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** file: URIs <-> paths. Other schemes (untitled:) have no path. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(p: string): string {
  return pathToFileURL(path.resolve(p)).href;
}

/** Canonical form of a file URI (clients differ in escaping, e.g. `%3A` for a drive colon). */
export function normalizeUri(uri: string): string {
  const p = uriToPath(uri);
  return p ? pathToUri(p) : uri;
}

export const MANIFEST_FILE = /\.(ya?ml|json)$/i;
