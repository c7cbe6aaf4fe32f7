/**
 * What went wrong talking to AWS, phrased for a person and never built from a response body:
 * a body may quote request or account data, so only the error's name, the HTTP status, the
 * system error code and what the tool itself was doing go into a message.
 */

/**
 * The audit cannot go on at all: no credentials, credentials AWS rejects, no region, an endpoint
 * that cannot be reached. The CLI prints the message as one line and exits 2.
 */
export class AuditError extends Error {
    constructor(message: string, readonly reason: "credentials" | "region" | "network" | "usage" | "refused") {
        super(message);
        this.name = "AuditError";
    }
}

/**
 * One attempt took longer than the request timeout, counting the whole body. Named like the
 * SDK's own timeouts so its retry middleware counts it as transient.
 */
export class AttemptTimeoutError extends Error {
    constructor(readonly timeoutMs: number) {
        super(`no complete answer within the ${timeoutMs} ms request timeout`);
        this.name = "TimeoutError";
    }
}

/** The whole audit ran out of time (`--timeout`): not retried, and nothing more is read. */
export class RunDeadlineError extends Error {
    constructor() {
        super("the audit's time limit ran out");
        this.name = "RunDeadlineError";
    }
}

/** A response body larger than any API Gateway answer: not read, not retried. */
export class ResponseTooLargeError extends Error {
    constructor(readonly maxBytes: number) {
        super(`the response is larger than ${maxBytes} bytes`);
        this.name = "ResponseTooLargeError";
    }
}

/** A response that parsed but is not shaped like API Gateway's; the message names types only. */
export class MalformedResponseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MalformedResponseError";
    }
}

export type FailureKind =
    /** IAM said no to this one call: a gap, the audit goes on. */
    | "denied"
    /** The thing disappeared between listing and reading it (deleted while auditing). */
    | "not-found"
    /** Throttled past the retry budget. */
    | "throttled"
    /** Rejected credentials, unreachable endpoint, unknown region: nothing else will work either. */
    | "fatal"
    /** HTTP 5xx past its retries: the service's problem, not a permission. */
    | "server"
    /** No complete answer within the request timeout, past its retries. */
    | "timeout"
    /** The audit's own time limit ran out before this read. */
    | "deadline"
    /** An answer that is not API Gateway's (bad JSON, wrong types, oversized). */
    | "malformed"
    /** Anything else. */
    | "other";

export interface ClassifiedFailure {
    readonly kind: FailureKind;
    /** A short phrase: "access denied", "throttled (TooManyRequestsException) after retries". */
    readonly phrase: string;
    readonly fatal?: AuditError;
}

const DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedException", "UnauthorizedOperation"]);
const BAD_CREDENTIALS = new Set([
    "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException",
    "ExpiredToken", "InvalidClientTokenId", "IncompleteSignatureException", "MissingAuthenticationTokenException",
    "RequestExpired", "TokenRefreshRequired",
]);
const THROTTLED = new Set(["TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"]);
/** What a parser throws on a body that is not the shape API Gateway sends. */
const MALFORMED = new Set(["SyntaxError", "TypeError", "RangeError"]);
const NETWORK_CODES: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "name resolution failed (temporary)",
    ECONNRESET: "connection reset",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    EPIPE: "connection closed",
    CERT_HAS_EXPIRED: "TLS certificate expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate cannot be verified",
};

interface ErrorShape {
    name?: unknown;
    code?: unknown;
    errno?: unknown;
    hostname?: unknown;
    cause?: unknown;
    $metadata?: { httpStatusCode?: number };
}

function shapeOf(error: unknown): ErrorShape {
    return typeof error === "object" && error !== null ? (error as ErrorShape) : {};
}

/** The system error code of a network failure, looking through `cause` and AggregateErrors. */
export function networkCode(error: unknown, depth = 0): string | undefined {
    const shape = shapeOf(error);
    if (typeof shape.code === "string" && shape.code in NETWORK_CODES) {
        return shape.code;
    }
    if (depth < 5 && error instanceof AggregateError) {
        for (const inner of error.errors) {
            const code = networkCode(inner, depth + 1);
            if (code) {
                return code;
            }
        }
    }
    return depth < 5 && shape.cause !== undefined ? networkCode(shape.cause, depth + 1) : undefined;
}

export interface CallContext {
    readonly region: string;
    /** Where requests go: the endpoint URL given, or the regional AWS endpoint. */
    readonly endpoint: string;
    /** The named profile credentials come from, when one was given. */
    readonly profile?: string;
    /** The service called, for messages (default API Gateway). */
    readonly service?: string;
}

/** Sort a failed SDK call into what the audit does next. */
export function classify(error: unknown, context: CallContext): ClassifiedFailure {
    if (error instanceof AuditError) {
        return { kind: "fatal", phrase: error.message, fatal: error };
    }
    if (error instanceof RunDeadlineError) {
        return { kind: "deadline", phrase: "not read: the audit's time limit (--timeout) ran out" };
    }
    if (error instanceof AttemptTimeoutError) {
        return { kind: "timeout", phrase: "no complete answer within the request timeout, after retries" };
    }
    if (error instanceof MalformedResponseError) {
        return { kind: "malformed", phrase: `malformed response: ${error.message}` };
    }
    if (error instanceof ResponseTooLargeError) {
        return { kind: "malformed", phrase: `the response was larger than ${formatBytes(error.maxBytes)} and was not read` };
    }
    const shape = shapeOf(error);
    const name = typeof shape.name === "string" ? shape.name : "Error";
    const status = shape.$metadata?.httpStatusCode;
    if (name === "CredentialsProviderError" || name === "ProviderError" || name === "TokenProviderError") {
        const source = context.profile !== undefined ? ` from profile '${context.profile}'` : "";
        return fatal("credentials", `no usable AWS credentials${source}: ${credentialHint(error)}`);
    }
    if (BAD_CREDENTIALS.has(name)) {
        return fatal("credentials", `AWS rejected the credentials (${name}${status ? `, HTTP ${status}` : ""}) in region ${context.region}: check the profile, the keys or the session token, and the clock`);
    }
    if (DENIED.has(name) || (status === 403 && !BAD_CREDENTIALS.has(name))) {
        return { kind: "denied", phrase: `access denied (${name})` };
    }
    if (name === "NotFoundException" || status === 404) {
        return { kind: "not-found", phrase: "not found (deleted while auditing?)" };
    }
    if (THROTTLED.has(name) || status === 429) {
        return { kind: "throttled", phrase: `throttled (${name}) after the retry budget was spent` };
    }
    if (name === "TimeoutError" && error instanceof Error && /requestTimeout/.test(error.message)) {
        // Connected, but the answer took too long (after retries): this call only, not the endpoint.
        return { kind: "timeout", phrase: "no complete answer within the request timeout, after retries" };
    }
    if (status !== undefined && status >= 500 && status <= 599) {
        return { kind: "server", phrase: `server error (${name}, HTTP ${status}) after retries` };
    }
    if (MALFORMED.has(name) && (status === undefined || (status >= 200 && status < 300))) {
        // The SDK could not parse the answer (bad JSON, a list that is not a list).
        return { kind: "malformed", phrase: `malformed response (${name})` };
    }
    const code = networkCode(error);
    if (code !== undefined) {
        const problem = NETWORK_CODES[code];
        const regionHint = code === "ENOTFOUND" ? ` (is '${context.region}' a region where ${context.service ?? "API Gateway"} exists?)` : "";
        return fatal("network", `cannot reach ${context.service ?? "API Gateway"} at ${context.endpoint}: ${problem}${regionHint}`);
    }
    if (name === "TimeoutError") {
        return fatal("network", `cannot reach ${context.service ?? "API Gateway"} at ${context.endpoint}: no connection within the connection timeout`);
    }
    if (/region/i.test(name) || (error instanceof Error && /^Region is missing/.test(error.message))) {
        return fatal("region", "no AWS region: pass --region, or set AWS_REGION or a region in the profile");
    }
    return { kind: "other", phrase: `${name}${status ? ` (HTTP ${status})` : ""}` };
}

function formatBytes(bytes: number): string {
    return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}

function fatal(reason: AuditError["reason"], message: string): ClassifiedFailure {
    return { kind: "fatal", phrase: message, fatal: new AuditError(message, reason) };
}

/**
 * The SDK's credential errors are local (they name a profile or a provider, not a secret), but
 * keep only their first sentence.
 */
function credentialHint(error: unknown): string {
    const message = error instanceof Error ? error.message : "";
    const first = message.split(/\r?\n/)[0].trim().slice(0, 200);
    return first !== "" ? first : "the credential provider chain found none (set AWS_PROFILE, pass --profile, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)";
}
