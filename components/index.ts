/**
 * apigw-guard components: the provisioning half of the kit. Every component is secure by default
 * and produces resources that pass the pack's mandatory policies.
 */
export { ApiGatewayAccountLogging, ApiGatewayAccountLoggingArgs, ACCOUNT_LOGGING_TYPE, PUSH_TO_CLOUDWATCH_POLICY_ARN } from "./account/account-logging";
export { ApiKeySource, AttachableApiKey } from "./api-keys/key-source";
export { ApiKeyCsvError, CSV_COLUMNS, ImportApiKeysFromCsvArgs, ImportedApiKey, ImportedApiKeys, IMPORTED_API_KEYS_TYPE, importApiKeysFromCsv } from "./api-keys/import-csv";
export { RotatingApiKey, RotatingApiKeyArgs, ROTATING_API_KEY_TYPE } from "./api-keys/rotating-api-key";
export { DEFAULT_ROTATION_EPOCH, rotationState, RotationSlot, RotationState } from "./api-keys/rotation-schedule";
export { ComponentArgumentError } from "./errors";
export { HttpMethod, IntegrationSpec, LambdaTarget, RouteSpec } from "./rest-api/routes";
export {
    ACCESS_LOG_FORMAT, AuthorizerSpec, CachingSpec, CorsSpec, RouteSummary, SecuredRestApi, SecuredRestApiArgs, SECURED_REST_API_TYPE,
    StageLoggingSpec, ThrottleSpec,
} from "./rest-api/secured-rest-api";
export { MANAGED_BY_TAG, ROTATED_AT_TAG, ROTATES_AT_TAG, SLOT_TAG } from "./tags";
export {
    ComponentStageRef, ExternalStageRef, GuardedUsagePlan, GuardedUsagePlanArgs, MethodThrottles, QuotaPeriod, QuotaSpec, UsagePlanStageRef,
    USAGE_PLAN_TYPE,
} from "./usage-plan/guarded-usage-plan";
