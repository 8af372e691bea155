export * from './types';
export * from './detect';
export * from './save';
export * from './listing';
export * from './format';
export { tokenize } from './tokenize';
export * from './diff';
export { commentService, isFragment } from './fragment';
export { stripPasted } from './pasted';
