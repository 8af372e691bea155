import { podSpecOf, serviceEnv } from '../../core';
import { parseArgs, UsageError } from '../args';
import { findPod } from '../findPod';
import type { CliIO } from '../io';
import { loadState, maxFileSize, PATH_FLAGS } from '../state';

export const envHelp = `ksd env NAMESPACE/POD PATHS [--json]
  The Service environment variables kubelet gives the pod's containers (*_SERVICE_HOST, *_PORT...):
  Services of its namespace plus default/kubernetes. POD may also name a workload (its first pod).`;

export async function envCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { json: { value: false }, ...PATH_FLAGS });
  const [ref, ...paths] = args.positionals;
  if (!ref || !paths.length) throw new UsageError('ksd env needs NAMESPACE/POD and at least one PATH');
  const { state } = await loadState(paths, {}, io, maxFileSize(args));
  const pod = findPod(state, ref);
  const env = serviceEnv(state, pod.namespace, pod.enableServiceLinks, podSpecOf(state, pod));
  const ref2 = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;
  if (args.flags.has('json')) {
    const out = {
      pod: ref2(pod),
      enableServiceLinks: env.enableServiceLinks,
      vars: env.vars.map((v) => ({ name: v.name, value: v.value, service: ref2(v.service) })),
      conflicts: env.conflicts.map((c) => ({ name: c.name, services: c.services.map(ref2) })),
      shadowed: env.shadowed,
      assumedMaster: env.assumedMaster,
    };
    io.out(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  io.out(`# pod ${ref2(pod)}${pod.simulated ? ' [simulated]' : ''}: ${env.services.length} Service${env.services.length === 1 ? '' : 's'}${env.enableServiceLinks ? '' : ' (enableServiceLinks: false, so only the master Service)'}\n`);
  if (env.assumedMaster) io.out('# default/kubernetes is not in the manifests; assumed at the first Service CIDR address, as every cluster has it\n');
  for (const v of env.vars) io.out(`${v.name}=${v.value}\n`);
  for (const c of env.conflicts) io.out(`# conflict: ${c.name} is set by ${c.services.map(ref2).join(' and ')}; kubelet keeps one of them arbitrarily\n`);
  for (const s of env.shadowed) io.out(`# container "${s.container}" sets ${s.name} itself; its own value wins\n`);
  return 0;
}
