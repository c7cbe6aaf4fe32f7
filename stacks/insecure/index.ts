import * as aws from "@pulumi/aws";

/**
 * A deliberately insecure API, written with raw resources the way a hurried team might. Each
 * mistake is one the pack catches at preview; none of it should be copied:
 *
 * - `apiKeySource: AUTHORIZER` (apigateway-rest-api-key-source-header)
 * - GET /orders callable without a key (apigateway-method-api-key-required)
 * - a key value written in the code, last rotated in 2023 (apigateway-api-key-value-secret,
 *   apigateway-api-key-max-age)
 * - a key in no usage plan (apigateway-api-key-unused)
 * - a usage plan with neither throttle nor quota (apigateway-usage-plan-limits)
 * - a stage with no access logging, no method settings and no X-Ray
 *   (apigateway-stage-access-logging, apigateway-stage-execution-logging, apigateway-stage-xray-tracing)
 */
export function insecureStack() {
    const api = new aws.apigateway.RestApi("legacy-api", {
        name: "legacy-api",
        apiKeySource: "AUTHORIZER",
    });
    const orders = new aws.apigateway.Resource("legacy-orders", {
        restApi: api.id,
        parentId: api.rootResourceId,
        pathPart: "orders",
    });
    const listOrders = new aws.apigateway.Method("legacy-get-orders", {
        restApi: api.id,
        resourceId: orders.id,
        httpMethod: "GET",
        authorization: "NONE",
        apiKeyRequired: false,
    });
    const createOrder = new aws.apigateway.Method("legacy-post-orders", {
        restApi: api.id,
        resourceId: orders.id,
        httpMethod: "POST",
        authorization: "NONE",
        apiKeyRequired: true,
    });
    const integrations = [["legacy-get-orders", listOrders], ["legacy-post-orders", createOrder]] as const;
    const mocks = integrations.map(([name, method]) => new aws.apigateway.Integration(name, {
        restApi: api.id,
        resourceId: orders.id,
        httpMethod: method.httpMethod,
        type: "MOCK",
        requestTemplates: { "application/json": "{\"statusCode\": 200}" },
    }));
    const deployment = new aws.apigateway.Deployment("legacy", { restApi: api.id }, { dependsOn: mocks });
    const stage = new aws.apigateway.Stage("legacy", {
        restApi: api.id,
        deployment: deployment.id,
        stageName: "prod",
    });

    const partnerKey = new aws.apigateway.ApiKey("legacy-partner", {
        name: "legacy-partner",
        // A fake value, in the code on purpose: this is what apigateway-api-key-value-secret flags.
        value: "legacy-partner-0123456789abcdefghij",
        tags: { "apigw-guard:rotated-at": "2023-01-15T00:00:00Z" },
    });
    new aws.apigateway.ApiKey("forgotten-key", { name: "forgotten-key" });

    const plan = new aws.apigateway.UsagePlan("legacy-unlimited", {
        name: "legacy-unlimited",
        apiStages: [{ apiId: api.id, stage: stage.stageName }],
    });
    new aws.apigateway.UsagePlanKey("legacy-partner", {
        keyId: partnerKey.id,
        keyType: "API_KEY",
        usagePlanId: plan.id,
    });

    return { invokeUrl: stage.invokeUrl, restApiId: api.id };
}
