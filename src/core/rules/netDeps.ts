/** What src/core/rules/<format>/ uses from src/core/net, one level up (the core's import fence allows no `../../`). */
export { canonicalIP } from '../net/ip';
