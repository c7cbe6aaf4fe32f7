import {
    AccountEntity, ApiKeyEntity, DomainNameEntity, entityLink, EntityKind, LogGroupEntity, MethodEntity,
    MethodSettingsEntity, RestApiEntity, StageEntity, UsagePlanEntity, UsagePlanKeyEntity, V2ApiEntity,
    V2RouteEntity, WebAclAssociationEntity,
} from "./index";

/**
 * Builders for small, fully-known entities: the rules' compliant/non-compliant examples and the
 * unit tests use them. Every field defaults to the compliant choice, so an example states only
 * what makes it (non-)compliant. Refs are `example:<kind>:<name>`.
 */
type Fields<E> = Partial<Omit<E, "kind" | "ref" | "provenance">>;

export function exampleRef(kind: EntityKind, name: string): string {
    return `example:${kind}:${name}`;
}

function base(kind: EntityKind, name: string) {
    return { ref: exampleRef(kind, name), name, provenance: { source: "example" as const } };
}

export const example = {
    restApi(name: string, fields: Fields<RestApiEntity> = {}): RestApiEntity {
        return { ...base("rest-api", name), kind: "rest-api", apiKeySource: "HEADER", endpointTypes: ["REGIONAL"], ...fields };
    },
    method(name: string, fields: Fields<MethodEntity> = {}): MethodEntity {
        return {
            ...base("method", name), kind: "method", restApi: entityLink(exampleRef("rest-api", "api")), path: "/orders",
            httpMethod: "GET", apiKeyRequired: true, authorizationType: "AWS_IAM", ...fields,
        };
    },
    stage(name: string, fields: Fields<StageEntity> = {}): StageEntity {
        return {
            ...base("stage", name), kind: "stage", apiVersion: "v1", restApi: entityLink(exampleRef("rest-api", "api")),
            stageName: name,
            accessLogSettings: {
                destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/api-access",
                format: "{\"requestId\":\"$context.requestId\",\"apiKeyId\":\"$context.identity.apiKeyId\"}",
            },
            xrayTracingEnabled: true, cacheClusterEnabled: false, webAclArn: undefined, ...fields,
        };
    },
    methodSettings(name: string, fields: Fields<MethodSettingsEntity> = {}): MethodSettingsEntity {
        return {
            ...base("method-settings", name), kind: "method-settings", restApi: entityLink(exampleRef("rest-api", "api")),
            stage: entityLink(exampleRef("stage", "prod")), stageName: "prod", methodPath: "*/*", loggingLevel: "ERROR",
            metricsEnabled: true, dataTraceEnabled: false, cachingEnabled: false, cacheDataEncrypted: undefined, ...fields,
        };
    },
    apiKey(name: string, fields: Fields<ApiKeyEntity> = {}): ApiKeyEntity {
        return {
            ...base("api-key", name), kind: "api-key", enabled: true, createdDate: "2026-01-01T00:00:00Z", tags: {},
            value: { handling: "generated" }, ...fields,
        };
    },
    usagePlan(name: string, fields: Fields<UsagePlanEntity> = {}): UsagePlanEntity {
        return {
            ...base("usage-plan", name), kind: "usage-plan",
            throttle: { rateLimit: 50, burstLimit: 100 }, quota: { limit: 100000, period: "MONTH" },
            apiStages: [{ restApi: entityLink(exampleRef("rest-api", "api")), stageName: "prod", stage: entityLink(exampleRef("stage", "prod")) }],
            ...fields,
        };
    },
    usagePlanKey(name: string, fields: Fields<UsagePlanKeyEntity> = {}): UsagePlanKeyEntity {
        return {
            ...base("usage-plan-key", name), kind: "usage-plan-key",
            usagePlan: entityLink(exampleRef("usage-plan", "plan")), apiKey: entityLink(exampleRef("api-key", "key")), ...fields,
        };
    },
    account(name: string, fields: Fields<AccountEntity> = {}): AccountEntity {
        return {
            ...base("account", name), kind: "account",
            cloudwatchRoleArn: "arn:aws:iam::123456789012:role/apigateway-cloudwatch", ...fields,
        };
    },
    logGroup(name: string, fields: Fields<LogGroupEntity> = {}): LogGroupEntity {
        return {
            ...base("log-group", name), kind: "log-group", logGroupName: "/aws/apigateway/api-access",
            arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/api-access", retentionInDays: 365, ...fields,
        };
    },
    domainName(name: string, fields: Fields<DomainNameEntity> = {}): DomainNameEntity {
        return { ...base("domain-name", name), kind: "domain-name", domainName: "api.example.com", securityPolicy: "TLS_1_2", ...fields };
    },
    webAclAssociation(name: string, fields: Fields<WebAclAssociationEntity> = {}): WebAclAssociationEntity {
        return {
            ...base("web-acl-association", name), kind: "web-acl-association", target: entityLink(exampleRef("stage", "prod")),
            resourceArn: "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod",
            webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1", ...fields,
        };
    },
    v2Api(name: string, fields: Fields<V2ApiEntity> = {}): V2ApiEntity {
        return { ...base("v2-api", name), kind: "v2-api", protocolType: "HTTP", ...fields };
    },
    v2Route(name: string, fields: Fields<V2RouteEntity> = {}): V2RouteEntity {
        return {
            ...base("v2-route", name), kind: "v2-route", api: entityLink(exampleRef("v2-api", "http")), routeKey: "GET /orders",
            authorizationType: "JWT", ...fields,
        };
    },
};
