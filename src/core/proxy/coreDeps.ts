/**
 * What the renderers in src/core/proxy/<mode>/ use from the rest of the core, re-exported one level
 * up so those folders stay within the core's import fence (no `../../`).
 */
export type { ClusterState, IPFamily, Protocol, ServiceModel } from '../model/types';
export { cidrContains, formatCIDR, isLoopback, parseCIDR, type CIDR } from '../net/ip';
