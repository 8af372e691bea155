import type { WorkloadKind } from './types';

/** Where each workload kind keeps its pod template (read by the loader's fragment test and the model). */
export const TEMPLATE_PATHS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Where each workload kind keeps the number of pods it runs (DaemonSets have none: one per node). */
export const COUNT_PATHS: Readonly<Partial<Record<WorkloadKind, readonly string[]>>> = {
  Deployment: ['spec', 'replicas'],
  ReplicaSet: ['spec', 'replicas'],
  StatefulSet: ['spec', 'replicas'],
  ReplicationController: ['spec', 'replicas'],
  Job: ['spec', 'parallelism'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'parallelism'],
};

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return Object.prototype.hasOwnProperty.call(TEMPLATE_PATHS, kind);
}
