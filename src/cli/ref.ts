/** NAMESPACE/NAME as the CLI takes it: a bare NAME is in namespace "default". */
export function splitRef(ref: string): [namespace: string, name: string] {
  return ref.includes('/') ? (ref.split('/', 2) as [string, string]) : ['default', ref];
}
