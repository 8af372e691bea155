export * from './serviceEnv';
