export * from './voice-connector-group';
export { ApiNamespace, CallDistribution, DEFAULT_QUOTAS, LIMITS, HANDLER_ACTIONS, PHONE_NUMBER_ACTIONS, RESOURCE_TYPE, STACK_READ_ACTIONS } from './rules';
