import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiGatewayAccountLogging, GuardedUsagePlan, RotatingApiKey, SecuredRestApi } from "../../components";
import { OrdersSettings, PlanLimits, readOrdersSettings } from "./settings";

/** What a Lambda needs to run: the basic execution role (CloudWatch Logs only). */
function lambdaRole(name: string): aws.iam.Role {
    const role = new aws.iam.Role(name, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
    });
    new aws.iam.RolePolicyAttachment(name, {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    });
    return role;
}

const ORDERS_HANDLER = `
exports.handler = async (event) => {
    const id = event.pathParameters && event.pathParameters.id;
    if (event.httpMethod === "POST") {
        return { statusCode: 201, body: JSON.stringify({ id: Date.now().toString(36), status: "accepted" }) };
    }
    return { statusCode: 200, body: JSON.stringify(id ? { id, status: "shipped" } : { orders: [] }) };
};`;

// A TOKEN authorizer: the API key says which client is calling, the bearer token which user.
const AUTHORIZER_HANDLER = `
exports.handler = async (event) => {
    const token = (event.authorizationToken || "").replace(/^Bearer /, "");
    const effect = token.length > 0 ? "Allow" : "Deny";
    return {
        principalId: "user",
        policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: event.methodArn }] },
    };
};`;

function inlineFunction(name: string, role: aws.iam.Role, code: string): aws.lambda.Function {
    return new aws.lambda.Function(name, {
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: role.arn,
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code) }),
        timeout: 10,
        tracingConfig: { mode: "Active" },
    });
}

function planArgs(limits: PlanLimits) {
    return {
        throttle: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
        quota: { limit: limits.quotaLimit, period: limits.quotaPeriod },
    };
}

/** AWS managed common rules in front of the stage (apigateway-stage-waf). */
function webAcl(name: string): aws.wafv2.WebAcl {
    return new aws.wafv2.WebAcl(name, {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
        rules: [{
            name: "aws-common",
            priority: 0,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
            visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `${name}-aws-common`, sampledRequestsEnabled: true },
        }],
    });
}

/**
 * The secure example: an orders API for partners. Lambda-backed /orders, the legacy backend behind
 * an HTTP proxy on /{proxy+}, and a public /health that the pack config exempts
 * (stacks/orders/policy-config.json). Two partner keys and an internal key, each rotating, in
 * usage plans with throttles and quotas.
 */
export function ordersStack(settings: OrdersSettings = readOrdersSettings()) {
    const accountLogging = settings.manageAccountLogging ? new ApiGatewayAccountLogging("apigw-account") : undefined;
    const role = lambdaRole("orders-lambda");
    const orders = inlineFunction("orders", role, ORDERS_HANDLER);
    const authorizer = inlineFunction("orders-authorizer", role, AUTHORIZER_HANDLER);
    const acl = settings.wafEnabled ? webAcl("orders-waf") : undefined;

    const api = new SecuredRestApi("orders-api", {
        description: "Orders API for partners (apigw-guard example)",
        stageName: settings.stageName,
        routes: [
            { path: "/orders", method: "GET", integration: { type: "lambda", function: orders } },
            { path: "/orders", method: "POST", integration: { type: "lambda", function: orders } },
            { path: "/orders/{id}", method: "GET", integration: { type: "lambda", function: orders } },
            { path: "/{proxy+}", method: "ANY", integration: { type: "http-proxy", uri: `${settings.legacyBackendUrl}/{proxy}` } },
            { path: "/health", method: "GET", public: true, integration: { type: "mock", statusCode: 200, responseBody: "{\"status\":\"ok\"}" } },
        ],
        authorizer: { type: "lambda", function: authorizer },
        cors: { allowOrigin: settings.allowOrigin },
        logging: { level: settings.loggingLevel, retentionInDays: settings.logRetentionDays },
        throttle: settings.stageThrottle,
        accountLogging,
        webAclArn: acl?.arn,
    });

    const rotation = { rotationDays: settings.keyRotationDays };
    const acme = new RotatingApiKey("partner-acme", { ...rotation, description: "Acme Corp order integration" });
    const globex = new RotatingApiKey("partner-globex", { ...rotation, description: "Globex order integration" });
    const dashboard = new RotatingApiKey("internal-dashboard", { ...rotation, description: "Internal operations dashboard" });

    new GuardedUsagePlan("partners", {
        description: "Partner integrations",
        ...planArgs(settings.partnerPlan),
        apiStages: [{
            api,
            // Order creation is the expensive call: a partner may not burst it.
            methodThrottles: { "POST /orders": { rateLimit: Math.max(1, Math.floor(settings.partnerPlan.rateLimit / 5)), burstLimit: 10 } },
        }],
        apiKeys: [acme, globex],
    });
    new GuardedUsagePlan("internal", {
        description: "Internal tools",
        ...planArgs(settings.internalPlan),
        apiStages: [{ api }],
        apiKeys: [dashboard],
    });

    return {
        invokeUrl: api.invokeUrl,
        restApiId: api.restApiId,
        stageName: api.stageName,
        probe: api.probe,
        publicPaths: api.publicPaths,
        packConfig: api.packConfig,
        keyIds: {
            "partner-acme": acme.currentKeyId,
            "partner-globex": globex.currentKeyId,
            "internal-dashboard": dashboard.currentKeyId,
        },
        nextKeyRotation: acme.nextRotationAt,
    };
}
