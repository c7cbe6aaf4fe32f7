/**
 * Which apigw-guard rule covers each KICS query and Checkov check of the external corpus
 * (`../shared/corpus`), and every place where the kit disagrees with them on purpose. The runner
 * (`conformance.ts`) checks the corpus against this data and fails on any disagreement that is
 * not listed here; the reference page `docs/conformance.md` is generated from it, so the two
 * cannot drift.
 *
 * A deviation is a claim the runner verifies, not an excuse: `located-elsewhere` must find our
 * failure at `reportedAt`; `not-failed` must find the stated outcome for the resource that holds
 * the expected line (or address); `extra-fail` must find our failure there. A deviation that no
 * longer happens is reported as a mismatch too, so this file stays true.
 */

export type MappingStatus = "mapped" | "mapped-with-differences" | "unmapped";

/** Our outcome where the other tool expects a failure. `not-judged`: no outcome of the rule for that resource. */
export type OurOutcome = "unknown" | "not-applicable" | "pass" | "not-judged";

export type KicsDeviation =
    /** KICS expects a failure at `line`; we report the same problem at `reportedAt` (same file). */
    | { readonly kind: "located-elsewhere"; readonly file: string; readonly line: number; readonly reportedAt: number; readonly reason: string }
    /** KICS expects a failure at `line`; `rule` gives `outcome` for the resource that holds that line. */
    | { readonly kind: "not-failed"; readonly file: string; readonly line: number; readonly rule: string; readonly outcome: OurOutcome; readonly reason: string }
    /** A negative file where we fail, at `line`. */
    | { readonly kind: "extra-fail"; readonly file: string; readonly line: number; readonly reason: string };

export type CheckovDeviation =
    | { readonly kind: "not-failed"; readonly address: string; readonly rule: string; readonly outcome: OurOutcome; readonly reason: string }
    | { readonly kind: "extra-fail"; readonly address: string; readonly reason: string };

interface MappingBase {
    readonly status: MappingStatus;
    /** apigw-guard rule ids; an expected failure is met by a failure of any of them. Empty when unmapped. */
    readonly rules: readonly string[];
    /** Why the intents match, or why no rule has this intent. */
    readonly rationale: string;
    /** Deliberate differences in semantics, in general terms. */
    readonly differences?: readonly string[];
}

export interface KicsMapping extends MappingBase {
    /** Folder under `corpus/kics/`. */
    readonly query: string;
    readonly deviations?: readonly KicsDeviation[];
}

export interface CheckovMapping extends MappingBase {
    /** Folder under `corpus/checkov/`. */
    readonly check: string;
    readonly checkId: string;
    readonly deviations?: readonly CheckovDeviation[];
}

const R = {
    methodKey: "apigateway-method-api-key-required",
    accessLogging: "apigateway-stage-access-logging",
    executionLogging: "apigateway-stage-execution-logging",
    cacheEncrypted: "apigateway-stage-cache-encrypted",
    methodAuthorizer: "apigateway-method-authorizer",
    domainTls: "apigateway-domain-tls12",
    waf: "apigateway-stage-waf",
    xray: "apigateway-stage-xray-tracing",
} as const;

const WHY = {
    executionOnStage:
        "KICS reports the method settings whose logging level is missing, empty or OFF; apigateway-stage-execution-logging reports the stage those settings belong to (line 1), and its message names the */* settings and the level to set. Execution logging is a property of the stage: a stage with no */* settings at all fails too, which a check of method settings alone cannot see.",
    v2ExecutionLogging:
        "Only WebSocket APIs have execution logs (default_route_settings.logging_level); HTTP APIs have none and are covered by access logging. This v2 stage names no API in the file (it sets rest_api_id, which v2 stages do not have), so it may be an HTTP API: the rule does not fail what it cannot tell is a WebSocket stage.",
    accessLogFormat:
        "AWS writes access logs only with both a destination and a format (\"This parameter is required to enable access logging\", and the format must include at least $context.requestId). The fixture sets only destination_arn, so no access logs are written: we fail it.",
    requestIdInFormat:
        "The access log format \"format\" has no $context.requestId, which AWS requires in every access log format and which ties a log line to a request; apigateway-stage-access-logging fails it (configurable: requiredFormatFields).",
    deploymentInlineStage:
        "A deployment's deprecated stage_name creates a stage of its own, which AWS gives no access logging. We report that stage at the stage_name line, which is what to change (drop it and manage the stage with aws_api_gateway_stage); KICS reports the deployment block.",
    deploymentInlineStageNegative:
        "The deployment's stage_name (\"some name\") creates a stage of its own, separate from aws_api_gateway_stage.example0 (\"example\"), and AWS gives that stage no access logging. KICS counts the connected stage resource for the deployment; we judge the inline stage, which exists and logs nothing.",
    executionLogGroupNaming:
        "KICS infers that execution logging is on from a log group named API-Gateway-Execution-Logs_<api id>/<stage>. Such a group is only where the logs would go; logging is on when method settings for */* set a logging level. The fixture has no method settings, so the stage writes no execution logs and fails.",
    openAccessLine:
        "KICS points at http_method; we point at authorization = \"NONE\", the line to change.",
    unsetSecurityPolicy:
        "No security_policy: API Gateway chose one when the domain was created (TLS_1_2 for domains created now, TLS_1_0 for many older ones), and the configuration alone cannot tell which. The rule reports unknown by default; requireExplicitPolicy: true makes it fail, as KICS does.",
    undeclaredAssociationTarget:
        "The fixture's web ACL association names aws_api_gateway_stage.positive, which is not declared (Terraform would reject the reference). The association's target cannot be identified, so it may be this stage: the rule says it cannot tell rather than guess.",
    metricsWithoutStage:
        "Our rule judges stages: every stage needs */* method settings with metrics on. The fixture declares only method settings, for a stage that is not declared (aws_api_gateway_stage.test) and a method path computed from other resources, so there is no stage to judge. Metrics on single method paths are not required.",
    corsPreflight:
        "An OPTIONS method without a key: CORS preflight requests are sent by browsers, which cannot add an X-API-Key header to them, so OPTIONS is exempt by default (exemptMethods). Checkov fails OPTIONS methods that have neither authorization nor a key.",
    keyOnEveryMethod:
        "POST with authorization NONE and no key: apigateway-method-api-key-required asks for a key on every method except CORS preflight, so it fails. Checkov's expected result passes this method.",
    wafUndeclaredApi:
        "Checkov skips a stage whose REST API is not declared; we judge every REST API stage, since the API exists somewhere and WAF is associated with stages.",
    wafPrivate:
        "Checkov exempts stages of PRIVATE APIs. apigateway-stage-waf judges them by default (a private API is reachable from every VPC endpoint its policy allows); exemptEndpointTypes: [\"PRIVATE\"] reproduces Checkov.",
} as const;

export const KICS_MAPPINGS: readonly KicsMapping[] = [
    {
        query: "api_gateway_access_logging_disabled",
        status: "mapped-with-differences",
        rules: [R.accessLogging, R.executionLogging],
        rationale: "KICS checks two things in one query: a stage has access_log_settings, and its execution logging (method settings or v2 default_route_settings) has a logging level other than OFF. The kit splits them: apigateway-stage-access-logging and apigateway-stage-execution-logging.",
        differences: [
            "Execution logging is judged per stage, so failures caused by method settings are reported on the stage they configure.",
            "v2 execution logging applies to WebSocket APIs only (HTTP APIs have no execution logs).",
            "Access log settings must have a format (with $context.requestId) as well as a destination.",
        ],
        deviations: [
            ...[["positive2.tf", 15], ["positive3.tf", 14], ["positive4.tf", 10], ["positive5.tf", 15], ["positive6.tf", 14]].map(([file, line]) => ({
                kind: "located-elsewhere" as const, file: String(file), line: Number(line), reportedAt: 1, reason: WHY.executionOnStage,
            })),
            ...[["positive2.tf", 28, "not-applicable"], ["positive3.tf", 27, "not-applicable"], ["positive4.tf", 15, "not-applicable"], ["positive5.tf", 28, "unknown"], ["positive6.tf", 27, "not-applicable"]]
                .map(([file, line, outcome]) => ({
                    kind: "not-failed" as const, file: String(file), line: Number(line), rule: R.executionLogging, outcome: outcome as OurOutcome, reason: WHY.v2ExecutionLogging,
                })),
            { kind: "extra-fail", file: "negative1.tf", line: 5, reason: WHY.accessLogFormat },
            { kind: "extra-fail", file: "negative1.tf", line: 24, reason: WHY.accessLogFormat },
        ],
    },
    {
        query: "api_gateway_deployment_without_access_log_setting",
        status: "mapped-with-differences",
        rules: [R.accessLogging],
        rationale: "Both ask that the stage a deployment serves writes access logs. The Terraform mapping turns a deployment's deprecated inline stage (stage_name) into a stage entity, which apigateway-stage-access-logging judges.",
        differences: [
            "The inline stage of a deployment is a stage of its own; a stage resource that points at the deployment does not make it log.",
            "Access log formats must contain $context.requestId.",
        ],
        deviations: [
            ...["positive1.tf", "positive2.tf", "positive3.tf"].map(file => ({ kind: "located-elsewhere" as const, file, line: 1, reportedAt: 3, reason: WHY.deploymentInlineStage })),
            { kind: "extra-fail", file: "negative1.tf", line: 3, reason: WHY.deploymentInlineStageNegative },
            { kind: "extra-fail", file: "negative1.tf", line: 16, reason: WHY.requestIdInFormat },
        ],
    },
    {
        query: "api_gateway_deployment_without_api_gateway_usage_plan_associated",
        status: "unmapped",
        rules: [],
        rationale: "No rule requires every stage to be in a usage plan. The kit judges usage plans from the key side (apigateway-api-key-unused: every enabled key is in a plan that serves a stage) and the method side (apigateway-method-api-key-required). A stage-side rule would fail every stage of an API that authenticates with IAM, Cognito or a Lambda authorizer and needs no keys.",
    },
    {
        query: "api_gateway_endpoint_config_is_not_private",
        status: "unmapped",
        rules: [],
        rationale: "Whether an API is PRIVATE is an architecture choice, not a misconfiguration: APIs that clients call with API keys are public by design. The kit secures public APIs (keys, usage plans, WAF, logging); apigateway-stage-waf can exempt PRIVATE APIs by config.",
    },
    {
        query: "api_gateway_method_does_not_contains_an_api_key",
        status: "mapped",
        rules: [R.methodKey],
        rationale: "Same intent: a method sets api_key_required = true. Findings point at api_key_required when it is written, else at the method block, as KICS does.",
        differences: [
            "OPTIONS methods (CORS preflight, which cannot send a key) and paths listed in exemptPaths are exempt; the KICS fixtures have neither.",
        ],
    },
    {
        query: "api_gateway_method_settings_cache_not_encrypted",
        status: "mapped",
        rules: [R.cacheEncrypted],
        rationale: "Same intent: method settings that turn caching on also set cache_data_encrypted = true (Security Hub APIGateway.5).",
    },
    {
        query: "api_gateway_stage_without_api_gateway_usage_plan_associated",
        status: "unmapped",
        rules: [],
        rationale: "As for the deployment variant: no rule requires every stage to be in a usage plan, because APIs that do not use keys need none. Keys outside plans are caught by apigateway-api-key-unused.",
    },
    {
        query: "api_gateway_with_cloudwatch_logging_disabled",
        status: "mapped-with-differences",
        rules: [R.executionLogging],
        rationale: "Both ask that a stage writes execution logs to CloudWatch. KICS looks for the conventionally named log group; apigateway-stage-execution-logging looks for what turns logging on (*/* method settings with a logging level). Retention of that group is apigateway-log-group-retention.",
        differences: ["A log group with the execution-log name does not turn logging on; method settings do."],
        deviations: [
            { kind: "extra-fail", file: "negative.tf", line: 10, reason: WHY.executionLogGroupNaming },
            { kind: "extra-fail", file: "negative2.tf", line: 9, reason: WHY.executionLogGroupNaming },
        ],
    },
    {
        query: "api_gateway_with_invalid_compression",
        status: "unmapped",
        rules: [],
        rationale: "minimum_compression_size is a performance setting with no security effect; the kit has no rule for it.",
    },
    {
        query: "api_gateway_with_open_access",
        status: "mapped-with-differences",
        rules: [R.methodAuthorizer],
        rationale: "Same intent: methods other than OPTIONS use an authorization type other than NONE. apigateway-method-authorizer is advisory: an API key identifies a client, not a user.",
        differences: ["Findings point at the authorization attribute."],
        deviations: [{ kind: "located-elsewhere", file: "positive.tf", line: 4, reportedAt: 5, reason: WHY.openAccessLine }],
    },
    {
        query: "api_gateway_without_configured_authorizer",
        status: "unmapped",
        rules: [],
        rationale: "KICS asks that each REST API has an aws_api_gateway_authorizer resource. Its existence proves nothing (no method may use it), and IAM authorization needs none. The intent (callers are authenticated) is apigateway-method-authorizer, which judges each method; the fixtures declare no methods, so there is nothing for it to judge.",
    },
    {
        query: "api_gateway_without_security_policy",
        status: "mapped-with-differences",
        rules: [R.domainTls],
        rationale: "Same intent: custom domains use a security policy of TLS 1.2 or later.",
        differences: ["An unset security_policy is unknown by default (requireExplicitPolicy: true fails it)."],
        deviations: [{ kind: "not-failed", file: "positive1.tf", line: 1, rule: R.domainTls, outcome: "unknown", reason: WHY.unsetSecurityPolicy }],
    },
    {
        query: "api_gateway_without_ssl_certificate",
        status: "unmapped",
        rules: [],
        rationale: "client_certificate_id makes API Gateway present a certificate to the backend (integration) so the backend can authenticate the gateway. It does not authenticate clients and is not part of this kit's scope (keys, usage plans, logging, edge protection).",
    },
    {
        query: "api_gateway_without_waf",
        status: "mapped-with-differences",
        rules: [R.waf],
        rationale: "Same intent: every REST API stage is associated with a WAF web ACL (Security Hub APIGateway.4).",
        differences: ["An association whose target cannot be identified makes the verdict unknown for every stage it might protect."],
        deviations: [{ kind: "not-failed", file: "positive.tf", line: 75, rule: R.waf, outcome: "unknown", reason: WHY.undeclaredAssociationTarget }],
    },
    {
        query: "api_gateway_xray_disabled",
        status: "mapped",
        rules: [R.xray],
        rationale: "Same intent: REST API stages set xray_tracing_enabled = true (Security Hub APIGateway.3).",
    },
    {
        query: "cloudwatch_metrics_disabled",
        status: "mapped-with-differences",
        rules: [R.executionLogging],
        rationale: "Both ask for CloudWatch metrics on API methods. apigateway-stage-execution-logging requires metrics_enabled = true in each stage's */* method settings (requireMetrics).",
        differences: ["Metrics are required stage-wide (*/*), not per method path; method settings are judged through the stage they belong to."],
        deviations: [8, 18].map(line => ({ kind: "not-failed" as const, file: "positive.tf", line, rule: R.executionLogging, outcome: "not-judged" as const, reason: WHY.metricsWithoutStage })),
    },
    {
        query: "public_lambda_via_api_gateway",
        status: "unmapped",
        rules: [],
        rationale: "A Lambda permission's source ARN is Lambda configuration, not API Gateway configuration; the kit does not read Lambda permissions.",
    },
    {
        query: "rest_api_with_vulnerable_policy",
        status: "unmapped",
        rules: [],
        rationale: "REST API resource policies are IAM policy documents; judging them well needs an IAM policy analyser (e.g. IAM Access Analyzer). The kit has no rule for them.",
    },
];

export const CHECKOV_MAPPINGS: readonly CheckovMapping[] = [
    {
        check: "APIGWLoggingLevelsDefinedProperly",
        checkId: "CKV2_AWS_4",
        status: "mapped",
        rules: [R.executionLogging],
        rationale: "Same intent: each stage has method settings with logging level ERROR or INFO and metrics on (Security Hub APIGateway.1). The fixture declares two resources twice (which Terraform rejects); the reader reports the duplicates and keeps the first of each.",
    },
    {
        check: "APIGatewayMethodWOAuth",
        checkId: "CKV2_AWS_70",
        status: "mapped-with-differences",
        rules: [R.methodKey],
        rationale: "Both ask that methods are not callable by anyone: Checkov accepts authorization or an API key, judged together with the REST API's resource policy and endpoint type. apigateway-method-api-key-required requires the key (the kit's core intent); apigateway-method-authorizer separately advises an authorizer.",
        differences: [
            "OPTIONS (CORS preflight) is exempt from the key requirement by default; Checkov fails it.",
            "Every other method needs a key, whatever its authorization, resource policy or endpoint type.",
        ],
        deviations: [
            ...["fail1", "fail2", "fail3", "fail4", "fail5"].map(name => ({
                kind: "not-failed" as const, address: `aws_api_gateway_method.${name}`, rule: R.methodKey, outcome: "not-applicable" as const, reason: WHY.corsPreflight,
            })),
            { kind: "extra-fail", address: "aws_api_gateway_method.pass_httpmethod", reason: WHY.keyOnEveryMethod },
        ],
    },
    {
        check: "APIGatewayEndpointsUsesCertificateForAuthentication",
        checkId: "CKV2_AWS_51",
        status: "unmapped",
        rules: [],
        rationale: "As KICS api_gateway_without_ssl_certificate: a stage's client certificate authenticates API Gateway to the backend, not clients; not in the kit's scope.",
    },
    {
        check: "APIGatewayRequestParameterValidationEnabled",
        checkId: "CKV2_AWS_53",
        status: "unmapped",
        rules: [],
        rationale: "Request validators check request shape (parameters, body schema); input validation belongs to the API's design and backend. The kit has no rule for it.",
    },
    {
        check: "APIProtectedByWAF",
        checkId: "CKV2_AWS_29",
        status: "mapped-with-differences",
        rules: [R.waf],
        rationale: "Same intent: REST API stages are associated with a WAF web ACL (regional WAF or WAFv2).",
        differences: ["PRIVATE APIs are judged unless exempted by config; stages of undeclared APIs are judged."],
        deviations: [
            { kind: "extra-fail", address: "aws_api_gateway_stage.no_api", reason: WHY.wafUndeclaredApi },
            { kind: "extra-fail", address: "aws_api_gateway_stage.private", reason: WHY.wafPrivate },
        ],
    },
];
