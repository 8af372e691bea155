export * from './types';
export * from './sha256';
export * from './node';
export * from './servicePort';
export * from './endpointsCache';
export * from './topology';
export * from './model';
