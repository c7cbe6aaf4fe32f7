import { CatalogueRule } from "./types";
import methodApiKeyRequired from "./apigateway-method-api-key-required";
import restApiKeySourceHeader from "./apigateway-rest-api-key-source-header";
import apiKeyMaxAge from "./apigateway-api-key-max-age";
import apiKeyUnused from "./apigateway-api-key-unused";
import stageAccessLogging from "./apigateway-stage-access-logging";
import stageExecutionLogging from "./apigateway-stage-execution-logging";
import accountCloudwatchRole from "./apigateway-account-cloudwatch-role";
import usagePlanLimits from "./apigateway-usage-plan-limits";
import apiKeyOnePlanPerStage from "./apigateway-api-key-one-plan-per-stage";
import apiKeyValueSecret from "./apigateway-api-key-value-secret";
import methodAuthorizer from "./apigateway-method-authorizer";
import stageXrayTracing from "./apigateway-stage-xray-tracing";
import stageCacheEncrypted from "./apigateway-stage-cache-encrypted";
import stageWaf from "./apigateway-stage-waf";
import domainTls12 from "./apigateway-domain-tls12";
import logGroupRetention from "./apigateway-log-group-retention";
import v2RouteAuthorization from "./apigateway-v2-route-authorization";
import unmanagedResource from "./apigateway-unmanaged-resource";

/** The rule catalogue, in the order the reference lists them. Every front end runs exactly these. */
export const RULES: readonly CatalogueRule[] = [
    methodApiKeyRequired,
    restApiKeySourceHeader,
    apiKeyMaxAge,
    apiKeyUnused,
    stageAccessLogging,
    stageExecutionLogging,
    accountCloudwatchRole,
    usagePlanLimits,
    apiKeyOnePlanPerStage,
    apiKeyValueSecret,
    methodAuthorizer,
    stageXrayTracing,
    stageCacheEncrypted,
    stageWaf,
    domainTls12,
    logGroupRetention,
    v2RouteAuthorization,
    unmanagedResource,
];

export function ruleById(id: string): CatalogueRule | undefined {
    return RULES.find(rule => rule.id === id);
}

export * from "./types";
