import { Status } from "apigw-guard/policies/rules/types";
import { ProbeAnswer } from "./http";
import { BACKEND, CORS_PREFLIGHT, KEY_ENFORCED, ProbeRule, PUBLIC_OPEN } from "./rules";

/**
 * How the probe reads a stage's answers. Pure functions of the answer, so every verdict can be
 * tested without a server.
 *
 * API Gateway facts this relies on (REST APIs, v1):
 * - a method with apiKeyRequired and no or an unknown X-API-Key answers 403 `{"message":"Forbidden"}`
 *   (gateway response API_KEY / INVALID_API_KEY, header `x-amzn-ErrorType: ForbiddenException`);
 * - an unknown path or method answers 403 `{"message":"Missing Authentication Token"}`, so a wrong
 *   `--url` (stage missing) looks like a refusal and must not count as one;
 * - authorizers run before the key check: a Lambda/Cognito authorizer without its token answers
 *   401 `{"message":"Unauthorized"}`, an explicit deny 403 with another message;
 * - usage-plan throttles and quotas answer 429; authorizer failures 500 with an `Authorizer*` error type.
 */

export type CheckKind = "no-key" | "wrong-key" | "valid-key" | "public" | "preflight";

export interface Verdict {
    readonly rule: ProbeRule;
    readonly status: Status;
    readonly message: string;
}

/** API Gateway's own error messages: only these are quoted back (a backend's body could echo anything). */
const GATEWAY_MESSAGES = new Set([
    "Forbidden",
    "Missing Authentication Token",
    "Unauthorized",
    "User is not authorized to access this resource",
    "User is not authorized to access this resource with an explicit deny",
    "Limit Exceeded",
    "Too Many Requests",
    "Internal server error",
    "Endpoint request timed out",
    "Not Found",
]);

export const MISSING_KEY_BODY = "{\"message\":\"Forbidden\"}";

/** The `message` of a JSON error body, when the body is one. */
export function gatewayMessage(answer: ProbeAnswer): string | undefined {
    const body = answer.body.trim();
    if (!body.startsWith("{")) {
        return undefined;
    }
    try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
            const record = parsed as Record<string, unknown>;
            const message = record.message ?? record.Message;
            return typeof message === "string" ? message : undefined;
        }
    } catch {
        // not JSON: no gateway message
    }
    return undefined;
}

/** `x-amzn-ErrorType` without its trailing `:http://internal...` part. */
export function errorType(answer: ProbeAnswer): string | undefined {
    const raw = answer.headers["x-amzn-errortype"];
    const value = Array.isArray(raw) ? raw[0] : raw;
    const name = value?.split(":")[0].trim();
    return name !== undefined && /^[A-Za-z]{1,64}$/.test(name) ? name : undefined;
}

/** API Gateway's answer to a missing or unknown key. */
export function isMissingKeyAnswer(answer: ProbeAnswer): boolean {
    const type = errorType(answer);
    return answer.status === 403 && gatewayMessage(answer) === "Forbidden" && (type === undefined || type === "ForbiddenException");
}

function isMissingRoute(answer: ProbeAnswer): boolean {
    return answer.status === 403 && (gatewayMessage(answer) === "Missing Authentication Token" || errorType(answer) === "MissingAuthenticationTokenException");
}

function isAuthorizerFailure(answer: ProbeAnswer): boolean {
    return answer.status >= 500 && (errorType(answer)?.startsWith("Authorizer") ?? false);
}

/** `403 {"message":"Forbidden"}`, `401 (Unauthorized)`, `302 (redirect not followed)`, `200`. */
export function describeAnswer(answer: ProbeAnswer): string {
    if (isMissingKeyAnswer(answer)) {
        return `403 ${MISSING_KEY_BODY}`;
    }
    const notes: string[] = [];
    const message = gatewayMessage(answer);
    if (message !== undefined && GATEWAY_MESSAGES.has(message)) {
        notes.push(message);
    }
    const type = errorType(answer);
    if (type !== undefined) {
        notes.push(type);
    }
    if (answer.status >= 300 && answer.status < 400) {
        notes.push("redirect not followed");
    }
    return notes.length > 0 ? `${answer.status} (${notes.join(", ")})` : String(answer.status);
}

const MISSING_ROUTE_HINT = "API Gateway has no such method at this URL (check that the invoke URL ends with the stage, e.g. /v1, and that the route is deployed), or IAM authorization refused the call before the key check";
const AUTHORIZER_HINT = "an authorizer refused the call before the key check, so the key requirement is not proven: pass the authorizer's token with --authorization-env";

/** What a check's answer says, as verdicts of one or two rules (a call that reached the backend also judges it). */
export function judgeAnswer(kind: CheckKind, label: string, answer: ProbeAnswer): Verdict[] {
    switch (kind) {
        case "no-key":
        case "wrong-key":
            return [judgeRefusal(kind === "no-key" ? "without a key" : "with a wrong key", label, answer)];
        case "valid-key":
            return judgeValidKey(label, answer);
        case "public":
            return judgeOpen(PUBLIC_OPEN, `${label} without a key`, answer, "the route is declared public but is not open");
        case "preflight":
            return [judgePreflight(`${label} (CORS preflight) without a key`, answer)];
    }
}

function judgeRefusal(how: string, label: string, answer: ProbeAnswer): Verdict {
    const what = `${label} ${how}`;
    const described = describeAnswer(answer);
    const verdict = (status: Status, message: string): Verdict => ({ rule: KEY_ENFORCED, status, message: `${what}: ${message}` });
    if (isMissingKeyAnswer(answer)) {
        return verdict("pass", `refused with ${described}`);
    }
    if (isMissingRoute(answer)) {
        return verdict("unknown", `refused with ${described}: ${MISSING_ROUTE_HINT}`);
    }
    if (answer.status === 403) {
        return verdict("unknown", `refused with ${described}, not API Gateway's missing-key answer ${MISSING_KEY_BODY}: an authorizer, resource policy or WAF refused the call before the key check, so the key requirement is not proven`);
    }
    if (answer.status === 401) {
        return verdict("unknown", `refused with ${described}: ${AUTHORIZER_HINT}`);
    }
    if (answer.status === 429) {
        return verdict("unknown", `throttled with ${described} before the key check could be seen: lower --rate or retry later`);
    }
    if (isAuthorizerFailure(answer)) {
        return verdict("unknown", `answered ${described}: the authorizer failed before the key check, so the key requirement is not proven`);
    }
    return verdict("fail", `answered ${described} instead of 403 ${MISSING_KEY_BODY}: the call got past the key check (the method does not require an API key, or the stage still serves a deployment from before the change)`);
}

function judgeValidKey(label: string, answer: ProbeAnswer): Verdict[] {
    const what = `${label} with the valid key`;
    const described = describeAnswer(answer);
    const verdict = (status: Status, message: string): Verdict => ({ rule: KEY_ENFORCED, status, message: `${what}: ${message}` });
    if (isMissingKeyAnswer(answer)) {
        return [verdict("fail", `refused with ${described}: the key is not attached to a usage plan that serves this API stage, is disabled, or is not a key of this account and region`)];
    }
    if (isMissingRoute(answer)) {
        return [verdict("unknown", `refused with ${described}: ${MISSING_ROUTE_HINT}`)];
    }
    if (answer.status === 403) {
        return [verdict("unknown", `refused with ${described}: an authorizer, resource policy or WAF refused the call, so whether the key is accepted is not proven`)];
    }
    if (answer.status === 401) {
        return [verdict("unknown", `refused with ${described}: ${AUTHORIZER_HINT}`)];
    }
    if (answer.status === 429) {
        return [verdict("unknown", `throttled with ${described} (usage-plan throttle or quota): lower --rate or retry later`)];
    }
    if (isAuthorizerFailure(answer)) {
        return [verdict("unknown", `answered ${described}: the authorizer failed, so whether the key is accepted is not proven`)];
    }
    return [verdict("pass", `accepted: answered ${described}`), judgeBackend(what, answer)];
}

function judgeOpen(rule: ProbeRule, what: string, answer: ProbeAnswer, consequence: string): Verdict[] {
    const described = describeAnswer(answer);
    const verdict = (status: Status, message: string): Verdict => ({ rule, status, message: `${what}: ${message}` });
    if (isMissingRoute(answer)) {
        return [verdict("fail", `refused with ${described}: ${consequence}; ${MISSING_ROUTE_HINT}`)];
    }
    if (answer.status === 401 || answer.status === 403) {
        return [verdict("fail", `refused with ${described}: ${consequence}`)];
    }
    if (answer.status === 429) {
        return [verdict("unknown", `throttled with ${described}: lower --rate or retry later`)];
    }
    if (isAuthorizerFailure(answer)) {
        return [verdict("fail", `answered ${described}: an authorizer runs on this method and failed; ${consequence}`)];
    }
    return [verdict("pass", `open: answered ${described}`), judgeBackend(what, answer)];
}

/** The preflight is API Gateway's own MOCK: any refusal or error breaks browsers, and there is no backend to judge. */
function judgePreflight(what: string, answer: ProbeAnswer): Verdict {
    const described = describeAnswer(answer);
    const verdict = (status: Status, message: string): Verdict => ({ rule: CORS_PREFLIGHT, status, message: `${what}: ${message}` });
    const consequence = "browsers send the preflight without a key, so cross-origin calls to this path fail";
    if (answer.status === 429) {
        return verdict("unknown", `throttled with ${described}: lower --rate or retry later`);
    }
    if (isMissingRoute(answer)) {
        return verdict("fail", `refused with ${described}: ${consequence}; the path may have no OPTIONS method`);
    }
    if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
        return verdict("fail", `${answer.status >= 500 ? "answered" : "refused with"} ${described}: ${consequence}`);
    }
    const allowOrigin = answer.headers["access-control-allow-origin"];
    return verdict("pass", `answered ${described}${allowOrigin === undefined ? " (without an Access-Control-Allow-Origin header)" : ""}`);
}

function judgeBackend(what: string, answer: ProbeAnswer): Verdict {
    const described = describeAnswer(answer);
    if (answer.status >= 500) {
        return { rule: BACKEND, status: "fail", message: `${what}: answered ${described}; the call passed the gateway's checks and the integration failed` };
    }
    return { rule: BACKEND, status: "pass", message: `${what}: answered ${described}` };
}
