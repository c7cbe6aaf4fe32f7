import * as pulumi from "@pulumi/pulumi";
import { ArgumentChecker, describe } from "../errors";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** What a Lambda proxy integration needs; an `aws.lambda.Function` fits as it is. */
export interface LambdaTarget {
    /** `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations`. */
    readonly invokeArn: pulumi.Input<string>;
    /** Function ARN (or name), for the invoke permission. */
    readonly arn: pulumi.Input<string>;
}

export type IntegrationSpec =
    /** Lambda proxy (`AWS_PROXY`): the function receives the whole request. */
    | { readonly type: "lambda"; readonly function: LambdaTarget; readonly timeoutMilliseconds?: number }
    /**
     * HTTP proxy (`HTTP_PROXY`) to an `https://` backend. Path parameters named in the URI
     * (`https://backend.example.com/{proxy}`) are mapped from the route's path parameters.
     */
    | { readonly type: "http-proxy"; readonly uri: pulumi.Input<string>; readonly timeoutMilliseconds?: number }
    /** A fixed response from API Gateway itself (`MOCK`), e.g. for a health check. */
    | { readonly type: "mock"; readonly statusCode?: number; readonly responseBody?: string };

export interface RouteSpec {
    /** `/orders`, `/orders/{id}`, `/{proxy+}` or `/`. */
    readonly path: string;
    readonly method: HttpMethod | Lowercase<HttpMethod>;
    readonly integration: IntegrationSpec;
    /**
     * A deliberately public route: no API key and no authorizer. List the path in the pack's
     * `apigateway-method-api-key-required.exemptPaths` (the component exposes `publicPaths`).
     */
    readonly public?: boolean;
}

/** One API Gateway resource (path segment) to create; shared prefixes appear once. */
export interface PlannedResource {
    /** Full path, e.g. `/orders/{id}`. */
    readonly path: string;
    /** `/` for children of the root resource. */
    readonly parentPath: string;
    readonly pathPart: string;
}

export interface PlannedRoute {
    readonly path: string;
    readonly method: HttpMethod;
    readonly public: boolean;
    readonly integration: IntegrationSpec;
    /** Path parameter names (`id`, `proxy`), in path order. */
    readonly pathParameters: readonly string[];
}

export interface RoutePlan {
    /** Sorted by path, parents before children. */
    readonly resources: readonly PlannedResource[];
    /** Sorted by path then method, independent of the order routes were given in. */
    readonly routes: readonly PlannedRoute[];
    /** Paths that carry at least one route (CORS preflight goes on each). */
    readonly routedPaths: readonly string[];
}

const LITERAL_PART = /^[A-Za-z0-9._-]+$/;
const VARIABLE_PART = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;

/**
 * Validate a route spec and plan the resources it needs. Throws ComponentArgumentError naming
 * the offending `routes[i]` argument. Pure: no resources are created here.
 */
export function planRoutes(check: ArgumentChecker, routes: unknown, options: { readonly corsEnabled: boolean }): RoutePlan {
    const list = check.array("routes", routes, 1);
    const resources = new Map<string, PlannedResource>();
    const planned: PlannedRoute[] = [];
    const firstIndexByKey = new Map<string, number>();
    // API Gateway allows one variable child per resource: `/a/{id}` and `/a/{key}` cannot coexist.
    const variableChildByParent = new Map<string, { part: string; index: number }>();

    list.forEach((raw, index) => {
        const arg = `routes[${index}]`;
        const route = check.object(arg, raw);
        const path = check.nonEmptyString(`${arg}.path`, route.path);
        const method = check.oneOf(`${arg}.method`, route.method, HTTP_METHODS);
        if (method === "OPTIONS" && options.corsEnabled) {
            check.fail(`${arg}.method`, "is OPTIONS, which conflicts with the CORS preflight the component generates when 'cors' is set");
        }
        const isPublic = route.public === undefined ? false : route.public;
        if (typeof isPublic !== "boolean") {
            check.fail(`${arg}.public`, `must be true or false (got ${describe(route.public)})`);
        }
        const parts = splitPath(check, `${arg}.path`, path);
        const pathParameters: string[] = [];
        let parentPath = "/";
        parts.forEach((part, depth) => {
            const variable = VARIABLE_PART.exec(part);
            if (variable) {
                if (variable[2] === "+" && depth !== parts.length - 1) {
                    check.fail(`${arg}.path`, `has the greedy parameter '${part}' before its last segment ('${path}'); {name+} must come last`);
                }
                if (pathParameters.includes(variable[1])) {
                    check.fail(`${arg}.path`, `names the path parameter '${variable[1]}' twice ('${path}')`);
                }
                pathParameters.push(variable[1]);
                const sibling = variableChildByParent.get(parentPath);
                if (sibling && sibling.part !== part) {
                    check.fail(`${arg}.path`, `puts '${part}' under '${parentPath}', where routes[${sibling.index}] already has the variable segment '${sibling.part}'; API Gateway allows one variable segment per parent`);
                }
                variableChildByParent.set(parentPath, { part, index });
            }
            const fullPath = parentPath === "/" ? `/${part}` : `${parentPath}/${part}`;
            if (!resources.has(fullPath)) {
                resources.set(fullPath, { path: fullPath, parentPath, pathPart: part });
            }
            parentPath = fullPath;
        });
        const integration = checkIntegration(check, `${arg}.integration`, route.integration, pathParameters);
        const key = `${method} ${path}`;
        const earlier = firstIndexByKey.get(key);
        if (earlier !== undefined) {
            check.fail(`${arg}`, `repeats ${key}, already defined by routes[${earlier}]`);
        }
        firstIndexByKey.set(key, index);
        planned.push({ path, method, public: isPublic, integration, pathParameters });
    });

    const sortedResources = [...resources.values()].sort((a, b) => comparePaths(a.path, b.path));
    const sortedRoutes = planned.sort((a, b) => comparePaths(a.path, b.path) || a.method.localeCompare(b.method));
    const routedPaths = [...new Set(sortedRoutes.map(r => r.path))];
    return { resources: sortedResources, routes: sortedRoutes, routedPaths };
}

function splitPath(check: ArgumentChecker, arg: string, path: string): string[] {
    if (!path.startsWith("/")) {
        check.fail(arg, `must start with '/' (got ${describe(path)})`);
    }
    if (path === "/") {
        return [];
    }
    if (path.endsWith("/")) {
        check.fail(arg, `must not end with '/' (got ${describe(path)})`);
    }
    const parts = path.slice(1).split("/");
    for (const part of parts) {
        if (part === "") {
            check.fail(arg, `has an empty segment (got ${describe(path)})`);
        }
        if (!LITERAL_PART.test(part) && !VARIABLE_PART.test(part)) {
            check.fail(arg, `has the invalid segment '${part}': use letters, digits, '.', '_', '-', or a parameter such as {id} or {proxy+}`);
        }
    }
    return parts;
}

function checkIntegration(check: ArgumentChecker, arg: string, raw: unknown, pathParameters: readonly string[]): IntegrationSpec {
    const integration = check.object(arg, raw);
    const type = integration.type;
    const timeout = integration.timeoutMilliseconds;
    if (timeout !== undefined) {
        // API Gateway's REST integration timeout range.
        check.integer(`${arg}.timeoutMilliseconds`, timeout, 50, 29000);
    }
    switch (type) {
        case "lambda": {
            const target = check.object(`${arg}.function`, integration.function);
            if (target.invokeArn === undefined || target.arn === undefined) {
                check.fail(`${arg}.function`, "must have invokeArn and arn (pass an aws.lambda.Function)");
            }
            return integration as unknown as IntegrationSpec;
        }
        case "http-proxy": {
            const uri = integration.uri;
            if (uri === undefined || uri === null || uri === "") {
                check.fail(`${arg}.uri`, "must be set to the backend URL");
            }
            if (typeof uri === "string") {
                if (!uri.startsWith("https://")) {
                    check.fail(`${arg}.uri`, `must be an https:// URL: the proxy would otherwise forward API keys and payloads in clear text (got ${describe(uri)})`);
                }
                for (const name of uriParameters(uri)) {
                    if (!pathParameters.includes(name)) {
                        check.fail(`${arg}.uri`, `uses {${name}}, which is not a path parameter of the route`);
                    }
                }
            }
            return integration as unknown as IntegrationSpec;
        }
        case "mock": {
            if (integration.statusCode !== undefined) {
                check.integer(`${arg}.statusCode`, integration.statusCode, 100, 599);
            }
            if (integration.responseBody !== undefined && typeof integration.responseBody !== "string") {
                check.fail(`${arg}.responseBody`, `must be a string (got ${describe(integration.responseBody)})`);
            }
            return integration as unknown as IntegrationSpec;
        }
        default:
            return check.fail(`${arg}.type`, `must be one of lambda, http-proxy, mock (got ${describe(type)})`);
    }
}

/** `{name}` placeholders in an HTTP proxy URI (without the greedy `+`). */
export function uriParameters(uri: string): string[] {
    return [...uri.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\+?\}/g)].map(m => m[1]);
}

/** Root first, then depth-first by segment; stable whatever order routes were given in. */
export function comparePaths(a: string, b: string): number {
    const pa = a === "/" ? [] : a.slice(1).split("/");
    const pb = b === "/" ? [] : b.slice(1).split("/");
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
        if (pa[i] !== pb[i]) {
            return pa[i] < pb[i] ? -1 : 1;
        }
    }
    return pa.length - pb.length;
}

/**
 * The method path a Lambda invoke permission is scoped to: `GET/orders/*`. Path parameters match
 * any segment; a greedy parameter matches the rest of the path.
 */
export function permissionPath(method: HttpMethod, path: string): string {
    const verb = method === "ANY" ? "*" : method;
    if (path === "/") {
        return `${verb}/`;
    }
    const parts = path.slice(1).split("/").map(part => (VARIABLE_PART.test(part) ? "*" : part));
    return `${verb}/${parts.join("/")}`;
}
