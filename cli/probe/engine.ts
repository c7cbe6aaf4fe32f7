import { randomBytes } from "crypto";
import { Finding } from "apigw-guard/policies/engine/run";
import { Status } from "apigw-guard/policies/rules/types";
import { CheckKind, judgeAnswer, Verdict } from "./answers";
import { exchange, ProbeRequest } from "./http";
import { Clock, RateLimiter, systemClock } from "./rate-limit";
import { redactSecrets } from "./redact";
import { DEFAULT_METHODS, pathParameters, ProbeInputError, ProbeRoute, SENDABLE_METHODS } from "./routes";
import { CORS_PREFLIGHT, KEY_ENFORCED, ProbeRule, PUBLIC_OPEN } from "./rules";

export interface ProbeOptions {
    /** The stage's invoke URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/v1`. */
    readonly url: string;
    readonly routes: readonly ProbeRoute[];
    /** A valid API key (the CLI reads it from an environment variable only). Never reported. */
    readonly key?: string;
    /** An `Authorization` header value for APIs whose authorizer runs before the key check. Never reported. */
    readonly authorization?: string;
    /** Methods that may be sent (default GET, HEAD, OPTIONS): others are reported, never sent. */
    readonly methods?: readonly string[];
    readonly ratePerSecond: number;
    /** Per request: connect, headers and body. */
    readonly timeoutMs: number;
    /** The API answers CORS preflights on every routed path (undefined: not declared, not checked). */
    readonly corsEnabled?: boolean;
    /** Path parameter values for routes that do not give their own. */
    readonly params?: Readonly<Record<string, string>>;
    /** Told about each request as it is sent (method, URL, check): never its headers. */
    readonly onRequest?: (sent: SentRequest) => void;
    readonly clock?: Clock;
}

export interface SentRequest {
    readonly method: string;
    readonly url: string;
    readonly check: CheckKind;
}

/** API Gateway reads keys from this header when the REST API's apiKeySource is HEADER. */
export const API_KEY_HEADER = "x-api-key";
/** Bounds one run: a routes list that would need more requests is refused as input. */
export const MAX_REQUESTS = 2000;
/** The Origin a preflight carries; `.invalid` can never be a real site. */
export const PREFLIGHT_ORIGIN = "https://apigw-guard-probe.invalid";

interface Check {
    readonly kind: CheckKind;
    readonly rule: ProbeRule;
    readonly method: string;
    readonly url: URL;
    readonly headers: Readonly<Record<string, string>>;
    readonly entity: NonNullable<Finding["entity"]>;
    /** `GET /v1/orders/123`, what the messages call the request. */
    readonly label: string;
}

/** The invoke URL, validated: http(s), no credentials, no query or fragment. */
export function parseInvokeUrl(text: string): URL {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        throw new ProbeInputError("the invoke URL is not a valid absolute URL (expected e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1)");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new ProbeInputError(`the invoke URL must use https:// or http:// (got '${url.protocol.slice(0, 20)}')`);
    }
    if (url.username !== "" || url.password !== "") {
        throw new ProbeInputError("the invoke URL must not contain credentials (user:password@)");
    }
    if (url.search !== "" || url.hash !== "") {
        throw new ProbeInputError("the invoke URL must not contain a query string or fragment");
    }
    return url;
}

/**
 * Probe a deployed stage the way a person would with curl, and judge its answers. Sequential,
 * rate-limited, every request with a deadline; redirects are never followed; only the allowed
 * methods are sent. Never throws for a network problem: each one becomes an `unknown` finding.
 * Throws ProbeInputError for bad input (URL, routes) before anything is sent.
 */
export async function probe(options: ProbeOptions): Promise<Finding[]> {
    const base = parseInvokeUrl(options.url);
    const allowed = new Set((options.methods ?? DEFAULT_METHODS).map(m => m.toUpperCase()));
    for (const method of allowed) {
        if (!(SENDABLE_METHODS as readonly string[]).includes(method)) {
            throw new ProbeInputError(`'${method.slice(0, 20)}' is not a method the probe can send (${SENDABLE_METHODS.join(", ")})`);
        }
    }
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
        throw new ProbeInputError("the timeout must be a positive number of milliseconds");
    }
    const secrets = [options.key, options.authorization];
    const wrongKey = randomWrongKey(options.key);
    const steps = plan(options, base, allowed, wrongKey);
    const requests = steps.filter(step => "kind" in step).length;
    if (requests > MAX_REQUESTS) {
        throw new ProbeInputError(`the routes need ${requests} requests, more than the ${MAX_REQUESTS} one run may send: probe fewer routes or methods`);
    }

    const limiter = new RateLimiter(options.ratePerSecond, options.clock ?? systemClock);
    let unreachable: string | undefined;
    const findings: Finding[] = [];
    for (const step of steps) {
        if (!("kind" in step)) {
            findings.push(step.decided);
            continue;
        }
        const check = step;
        if (unreachable !== undefined) {
            findings.push(finding(check.rule, "unknown", `${check.label} ${describeCheck(check.kind)}: not sent, an earlier request failed: ${unreachable}`, check.entity));
            continue;
        }
        await limiter.acquire();
        options.onRequest?.({ method: check.method, url: check.url.href, check: check.kind });
        const request: ProbeRequest = { url: check.url, method: check.method, headers: check.headers };
        const result = await exchange(request, options.timeoutMs);
        if (!result.ok) {
            if (result.hostUnreachable) {
                unreachable = result.reason;
            }
            findings.push(finding(check.rule, "unknown", `${check.label} ${describeCheck(check.kind)}: ${result.reason}`, check.entity));
            continue;
        }
        for (const verdict of judgeAnswer(check.kind, check.label, result.answer)) {
            findings.push(fromVerdict(verdict, check.entity));
        }
    }
    return findings.map(f => redactFinding(f, secrets));
}

function describeCheck(kind: CheckKind): string {
    switch (kind) {
        case "no-key":
        case "public":
            return "without a key";
        case "wrong-key":
            return "with a wrong key";
        case "valid-key":
            return "with the valid key";
        case "preflight":
            return "(CORS preflight) without a key";
    }
}

/** A request to send, or a finding decided without one (what cannot be checked). */
type Step = Check | { readonly decided: Finding };

/** What to do, in report order: per route and method, then the preflights per path. */
function plan(options: ProbeOptions, base: URL, allowed: ReadonlySet<string>, wrongKey: string): Step[] {
    const checks: Step[] = [];
    const decide = (f: Finding): void => {
        checks.push({ decided: f });
    };
    const basePath = base.pathname.replace(/\/+$/, "");
    const baseUrl = `${base.origin}${basePath}`;
    const common: Record<string, string> = {
        "user-agent": "apigw-guard-probe",
        accept: "application/json",
        ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
    };
    const allowedList = SENDABLE_METHODS.filter(m => allowed.has(m));
    const preflightPaths = new Map<string, { methods: string[]; missing: string[]; url?: URL }>();
    const planned = new Set<string>();

    options.routes.forEach((route, index) => {
        const parameters = pathParameters(route.path, `routes[${index}].path`);
        const values = { ...options.params, ...route.params };
        const missing = parameters.filter(p => values[p.name] === undefined).map(p => p.name);
        const requestPath = missing.length === 0 ? fillPath(route.path, values) : undefined;
        const url = requestPath !== undefined ? new URL(`${base.origin}${basePath}${requestPath}`) : undefined;
        const entityOf = (method: string): NonNullable<Finding["entity"]> => ({
            ref: `${method} ${baseUrl}${route.path}`,
            kind: "method",
            name: `${method} ${route.path}`,
            provenance: { source: "aws" },
        });
        const rule = route.keyRequired ? KEY_ENFORCED : PUBLIC_OPEN;

        const preflight = preflightPaths.get(route.path) ?? { methods: [], missing, ...(url ? { url } : {}) };
        preflight.methods.push(...route.methods.filter(m => m !== "OPTIONS"));
        preflightPaths.set(route.path, preflight);

        const toSend: string[] = [];
        for (const method of route.methods) {
            if (method === "ANY") {
                // The CORS preflight is a separate OPTIONS method that overrides ANY on the path.
                toSend.push(...allowedList.filter(m => !(m === "OPTIONS" && options.corsEnabled === true)));
            } else if (method === "OPTIONS" && options.corsEnabled === true) {
                continue;
            } else if (!allowed.has(method)) {
                if (planned.has(`${method} ${route.path}`)) {
                    continue;
                }
                planned.add(`${method} ${route.path}`);
                decide(finding(rule, "not-applicable",
                    `${method} ${route.path}: not sent; only ${allowedList.join(", ")} are sent, so that a probe never changes data (allow ${method} with --methods)`,
                    entityOf(method)));
            } else {
                toSend.push(method);
            }
        }
        for (const method of [...new Set(toSend)]) {
            // A route listed twice (or GET both listed and implied by ANY) is probed once.
            const routeKey = `${method} ${route.path}`;
            if (planned.has(routeKey)) {
                continue;
            }
            planned.add(routeKey);
            const entity = entityOf(method);
            if (url === undefined || requestPath === undefined) {
                decide(finding(rule, "not-applicable", skippedForParameters(method, route.path, missing), entity));
                continue;
            }
            const label = `${method} ${url.pathname}`;
            if (!route.keyRequired) {
                checks.push({ kind: "public", rule: PUBLIC_OPEN, method, url, headers: common, entity, label });
                continue;
            }
            checks.push({ kind: "no-key", rule: KEY_ENFORCED, method, url, headers: common, entity, label });
            checks.push({ kind: "wrong-key", rule: KEY_ENFORCED, method, url, headers: { ...common, [API_KEY_HEADER]: wrongKey }, entity, label });
            if (options.key !== undefined) {
                checks.push({ kind: "valid-key", rule: KEY_ENFORCED, method, url, headers: { ...common, [API_KEY_HEADER]: options.key }, entity, label });
            } else {
                decide(finding(KEY_ENFORCED, "not-applicable",
                    `${label} with the valid key: not checked, no key was given (set the environment variable named by --key-env, default APIGW_GUARD_API_KEY)`,
                    entity));
            }
        }
    });

    for (const [path, preflight] of preflightPaths) {
        const entity = { ref: `OPTIONS ${baseUrl}${path}`, kind: "method" as const, name: `OPTIONS ${path}`, provenance: { source: "aws" as const } };
        if (options.corsEnabled === undefined) {
            decide(finding(CORS_PREFLIGHT, "not-applicable", `OPTIONS ${path}: CORS preflight not checked; the routes do not say whether CORS is enabled ("cors": true in the routes file, or --cors)`, entity));
            continue;
        }
        if (options.corsEnabled === false) {
            continue;
        }
        if (!allowed.has("OPTIONS")) {
            decide(finding(CORS_PREFLIGHT, "not-applicable", `OPTIONS ${path}: CORS preflight not checked; OPTIONS is not in --methods`, entity));
            continue;
        }
        if (preflight.url === undefined) {
            decide(finding(CORS_PREFLIGHT, "not-applicable", skippedForParameters("OPTIONS", path, preflight.missing), entity));
            continue;
        }
        const requested = preflight.methods.find(m => m !== "ANY") ?? "GET";
        checks.push({
            kind: "preflight",
            rule: CORS_PREFLIGHT,
            method: "OPTIONS",
            url: preflight.url,
            headers: { ...common, origin: PREFLIGHT_ORIGIN, "access-control-request-method": requested },
            entity,
            label: `OPTIONS ${preflight.url.pathname}`,
        });
    }
    return checks;
}

function skippedForParameters(method: string, path: string, missing: readonly string[]): string {
    const names = missing.map(name => `{${name}}`).join(", ");
    const example = missing.map(name => `--param ${name}=VALUE`).join(" ");
    return `${method} ${path}: not probed, no value for the path parameter${missing.length > 1 ? "s" : ""} ${names}; give ${missing.length > 1 ? "them" : "it"} in the route's "params" in the routes file, or with ${example}`;
}

/** The path with its parameters filled in, each value percent-encoded (a greedy value keeps its `/`). */
export function fillPath(template: string, values: Readonly<Record<string, string>>): string {
    if (template === "/") {
        return "/";
    }
    return "/" + template.slice(1).split("/").map(part => {
        const variable = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/.exec(part);
        if (!variable) {
            return part;
        }
        const value = values[variable[1]];
        return variable[2] === "+" ? value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(value);
    }).join("/");
}

/** A key API Gateway cannot know: random, and never equal to the valid one. */
function randomWrongKey(valid: string | undefined): string {
    const candidate = `apigw-guard-probe-${randomBytes(16).toString("hex")}`;
    return candidate === valid ? `${candidate}-x` : candidate;
}

function finding(rule: ProbeRule, status: Status, message: string, entity: NonNullable<Finding["entity"]>): Finding {
    return {
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        status,
        // As in the catalogue: an unknown outcome never blocks a gate.
        enforcementLevel: status === "unknown" ? "advisory" : rule.enforcementLevel,
        message,
        remediation: rule.remediation,
        entity,
    };
}

function fromVerdict(verdict: Verdict, entity: NonNullable<Finding["entity"]>): Finding {
    return finding(verdict.rule, verdict.status, verdict.message, entity);
}

function redactFinding(f: Finding, secrets: readonly (string | undefined)[]): Finding {
    const clean = (text: string): string => redactSecrets(text, secrets);
    return {
        ...f,
        message: clean(f.message),
        remediation: clean(f.remediation),
        ...(f.entity ? { entity: { ...f.entity, ref: clean(f.entity.ref), name: clean(f.entity.name) } } : {}),
    };
}
