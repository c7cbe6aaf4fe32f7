/**
 * What the probe calls: routes (path template, methods, keyed or public, path parameter values)
 * from a small routes file or from the SecuredRestApi component's stack outputs. Validation errors
 * name the field and never quote a value that could be a secret.
 */

/** One route of the deployed stage. */
export interface ProbeRoute {
    /** `/orders`, `/orders/{id}`, `/{proxy+}` or `/`. */
    readonly path: string;
    /** Upper-case HTTP methods as deployed; `ANY` stands for every method. */
    readonly methods: readonly string[];
    /** True: the stage must refuse calls without a valid key. False: a public route, expected open. */
    readonly keyRequired: boolean;
    /** Values for the path's parameters (`{id}` → `params.id`; `{proxy+}` → `params.proxy`, may hold `/`). */
    readonly params?: Readonly<Record<string, string>>;
}

export interface RoutesFile {
    readonly routes: readonly ProbeRoute[];
    /** Whether the API answers CORS preflights (absent: not declared). */
    readonly cors?: boolean;
    /** Values for path parameters of every route that does not give its own. */
    readonly params?: Readonly<Record<string, string>>;
}

export interface StackOutputRoutes {
    /** The `invokeUrl` output, when the outputs hold one. */
    readonly url?: string;
    readonly routes: readonly ProbeRoute[];
    /** The stack output the API was read from (`.` for top-level outputs). */
    readonly source: string;
}

/** Bad probe input (routes, options): the CLI reports it on one line and exits 2. */
export class ProbeInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProbeInputError";
    }
}

/** Methods a route may declare. `ANY` is API Gateway's catch-all method. */
export const ROUTE_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "ANY"] as const;
/** Methods the probe can send (`ANY` is not a method on the wire). */
export const SENDABLE_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Safe by default: these never change state on a well-behaved backend. */
export const DEFAULT_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS"];

const LITERAL_PART = /^[A-Za-z0-9._~-]+$/;
const VARIABLE_PART = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;

export interface PathParameter {
    readonly name: string;
    readonly greedy: boolean;
}

/** The parameters of a path template, in order. Throws ProbeInputError for a malformed template. */
export function pathParameters(path: string, where: string): PathParameter[] {
    if (!path.startsWith("/")) {
        throw new ProbeInputError(`${where}: a path must start with '/'`);
    }
    if (path === "/") {
        return [];
    }
    const parts = path.slice(1).split("/");
    const found: PathParameter[] = [];
    parts.forEach((part, index) => {
        const variable = VARIABLE_PART.exec(part);
        if (variable) {
            if (variable[2] === "+" && index !== parts.length - 1) {
                throw new ProbeInputError(`${where}: the greedy parameter '${part}' must be the last segment`);
            }
            if (found.some(p => p.name === variable[1])) {
                throw new ProbeInputError(`${where}: the path parameter '${variable[1]}' appears twice`);
            }
            found.push({ name: variable[1], greedy: variable[2] === "+" });
        } else if (!LITERAL_PART.test(part)) {
            throw new ProbeInputError(`${where}: segment ${index + 1} is empty or not a literal (letters, digits, '.', '_', '-', '~') nor a parameter such as {id} or {proxy+}`);
        }
    });
    return found;
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
    return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function checkParams(value: unknown, where: string): Record<string, string> {
    if (!isObject(value)) {
        throw new ProbeInputError(`${where} must be an object of parameter name to value (got ${typeName(value)})`);
    }
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(value)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            throw new ProbeInputError(`${where}: '${name.slice(0, 40)}' is not a path parameter name`);
        }
        params[name] = checkParamValue(typeof raw === "number" && Number.isFinite(raw) ? String(raw) : raw, `${where}.${name}`);
    }
    return params;
}

export function checkParamValue(value: unknown, where: string): string {
    if (typeof value !== "string" || value === "") {
        throw new ProbeInputError(`${where} must be a non-empty string (got ${typeName(value)})`);
    }
    // A `.` or `..` segment would be resolved away by the stage (or a proxy in front of it), so
    // the probe would call a different route than the one it reports on.
    if (value.split("/").some(segment => segment === "." || segment === "..")) {
        throw new ProbeInputError(`${where} must not contain '.' or '..' path segments`);
    }
    return value;
}

function checkMethods(value: unknown, where: string): string[] {
    if (!Array.isArray(value) || value.length === 0) {
        throw new ProbeInputError(`${where} must be a non-empty list of HTTP methods (got ${typeName(value)})`);
    }
    return value.map((raw, index) => checkMethod(raw, `${where}[${index}]`));
}

function checkMethod(value: unknown, where: string): string {
    const method = typeof value === "string" ? value.toUpperCase() : undefined;
    if (method === undefined || !(ROUTE_METHODS as readonly string[]).includes(method)) {
        throw new ProbeInputError(`${where} must be one of ${ROUTE_METHODS.join(", ")}`);
    }
    return method;
}

const ROUTE_FIELDS = new Set(["path", "methods", "keyRequired", "public", "params"]);
const FILE_FIELDS = new Set(["routes", "cors", "params"]);

/**
 * Read a routes file:
 * `{ "routes": [{ "path": "/orders/{id}", "methods": ["GET"], "keyRequired": true, "params": {"id": "123"} },
 *   { "path": "/health", "methods": ["GET"], "public": true }], "cors": true }`.
 * A route is keyed unless it says `"public": true` (or `"keyRequired": false`).
 */
export function parseRoutesFile(json: unknown): RoutesFile {
    if (!isObject(json)) {
        throw new ProbeInputError(`the routes file must hold a JSON object with a "routes" list (got ${typeName(json)})`);
    }
    for (const field of Object.keys(json)) {
        if (!FILE_FIELDS.has(field)) {
            throw new ProbeInputError(`unknown field '${field.slice(0, 40)}' (expected ${[...FILE_FIELDS].join(", ")})`);
        }
    }
    if (!Array.isArray(json.routes) || json.routes.length === 0) {
        throw new ProbeInputError(`"routes" must be a non-empty list (got ${typeName(json.routes)})`);
    }
    if (json.cors !== undefined && typeof json.cors !== "boolean") {
        throw new ProbeInputError(`"cors" must be true or false (got ${typeName(json.cors)})`);
    }
    const routes = json.routes.map((raw: unknown, index: number) => parseRoute(raw, `routes[${index}]`));
    checkNoConflicts(routes);
    return {
        routes,
        ...(json.cors !== undefined ? { cors: json.cors } : {}),
        ...(json.params !== undefined ? { params: checkParams(json.params, "params") } : {}),
    };
}

function parseRoute(raw: unknown, where: string): ProbeRoute {
    if (!isObject(raw)) {
        throw new ProbeInputError(`${where} must be an object (got ${typeName(raw)})`);
    }
    for (const field of Object.keys(raw)) {
        if (!ROUTE_FIELDS.has(field)) {
            throw new ProbeInputError(`${where}: unknown field '${field.slice(0, 40)}' (expected ${[...ROUTE_FIELDS].join(", ")})`);
        }
    }
    if (typeof raw.path !== "string") {
        throw new ProbeInputError(`${where}.path must be a string (got ${typeName(raw.path)})`);
    }
    const parameters = pathParameters(raw.path, `${where}.path`);
    const methods = checkMethods(raw.methods, `${where}.methods`);
    for (const flag of ["keyRequired", "public"] as const) {
        if (raw[flag] !== undefined && typeof raw[flag] !== "boolean") {
            throw new ProbeInputError(`${where}.${flag} must be true or false (got ${typeName(raw[flag])})`);
        }
    }
    if (raw.public !== undefined && raw.keyRequired !== undefined && raw.public === raw.keyRequired) {
        throw new ProbeInputError(`${where}: "public" and "keyRequired" contradict each other; give one of them`);
    }
    // Secure default: a route is expected to refuse calls without a key unless it says otherwise.
    const keyRequired = raw.public === true ? false : raw.keyRequired !== false;
    const params = raw.params !== undefined ? checkParams(raw.params, `${where}.params`) : undefined;
    if (params) {
        for (const name of Object.keys(params)) {
            if (!parameters.some(p => p.name === name)) {
                throw new ProbeInputError(`${where}.params.${name}: the path has no parameter {${name}}`);
            }
        }
    }
    return { path: raw.path, methods: [...new Set(methods)], keyRequired, ...(params ? { params } : {}) };
}

function checkNoConflicts(routes: readonly ProbeRoute[]): void {
    const seen = new Map<string, boolean>();
    routes.forEach((route, index) => {
        for (const method of route.methods) {
            const key = `${method} ${route.path}`;
            const earlier = seen.get(key);
            if (earlier !== undefined && earlier !== route.keyRequired) {
                throw new ProbeInputError(`routes[${index}]: ${key} is declared both keyed and public`);
            }
            seen.set(key, route.keyRequired);
        }
    });
}

/** The outputs SecuredRestApi exports (components/rest-api/secured-rest-api.ts) that the probe reads. */
export const STACK_OUTPUT_NAMES = { invokeUrl: "invokeUrl", keyedRoutes: "keyedRoutes", publicRoutes: "publicRoutes" } as const;

function holdsRoutes(value: unknown): value is Json {
    return isObject(value) && (STACK_OUTPUT_NAMES.keyedRoutes in value || STACK_OUTPUT_NAMES.publicRoutes in value);
}

/**
 * Read `pulumi stack output --json`. The API is either the top-level outputs (the example stacks
 * export `invokeUrl`, `keyedRoutes`, `publicRoutes` directly) or one output holding an object with
 * those fields (a program that exports the component's fields under a name, e.g. `ordersApi`);
 * with several such outputs, `apiOutput` names the one to probe.
 */
export function parseStackOutputs(json: unknown, apiOutput?: string): StackOutputRoutes {
    if (!isObject(json)) {
        throw new ProbeInputError(`expected the JSON object that \`pulumi stack output --json\` prints (got ${typeName(json)})`);
    }
    let api: Json;
    let source: string;
    if (apiOutput !== undefined) {
        const named = json[apiOutput];
        if (!holdsRoutes(named)) {
            throw new ProbeInputError(`the stack output '${apiOutput.slice(0, 80)}' is missing or has no ${STACK_OUTPUT_NAMES.keyedRoutes}/${STACK_OUTPUT_NAMES.publicRoutes}`);
        }
        api = named;
        source = apiOutput;
    } else if (holdsRoutes(json)) {
        api = json;
        source = ".";
    } else {
        const candidates = Object.keys(json).filter(name => holdsRoutes(json[name])).sort();
        if (candidates.length === 0) {
            throw new ProbeInputError(`no ${STACK_OUTPUT_NAMES.keyedRoutes} or ${STACK_OUTPUT_NAMES.publicRoutes} output: export them from the program (SecuredRestApi has both) or use --routes`);
        }
        if (candidates.length > 1) {
            throw new ProbeInputError(`several outputs hold routes (${candidates.join(", ")}): choose one with --api-output`);
        }
        api = json[candidates[0]] as Json;
        source = candidates[0];
    }
    const prefix = source === "." ? "" : `${source}.`;
    const keyed = readRouteSummaries(api[STACK_OUTPUT_NAMES.keyedRoutes], `${prefix}${STACK_OUTPUT_NAMES.keyedRoutes}`);
    const open = readRouteSummaries(api[STACK_OUTPUT_NAMES.publicRoutes], `${prefix}${STACK_OUTPUT_NAMES.publicRoutes}`);
    const routes: ProbeRoute[] = [...groupByPath(keyed, true), ...groupByPath(open, false)];
    if (routes.length === 0) {
        throw new ProbeInputError(`${prefix}${STACK_OUTPUT_NAMES.keyedRoutes} and ${prefix}${STACK_OUTPUT_NAMES.publicRoutes} are both empty: nothing to probe`);
    }
    checkNoConflicts(routes);
    const invokeUrl = api[STACK_OUTPUT_NAMES.invokeUrl];
    return { routes, source, ...(typeof invokeUrl === "string" && invokeUrl !== "" ? { url: invokeUrl } : {}) };
}

function readRouteSummaries(value: unknown, where: string): { path: string; method: string }[] {
    if (value === undefined) {
        return [];
    }
    if (value === "[secret]") {
        throw new ProbeInputError(`${where} is a secret output: routes are not secret, export them as plain values`);
    }
    if (!Array.isArray(value)) {
        throw new ProbeInputError(`${where} must be a list of {method, path} (got ${typeName(value)})`);
    }
    return value.map((raw: unknown, index: number) => {
        const item = `${where}[${index}]`;
        if (!isObject(raw) || typeof raw.path !== "string") {
            throw new ProbeInputError(`${item} must be an object with a string "path" and "method"`);
        }
        pathParameters(raw.path, `${item}.path`);
        return { path: raw.path, method: checkMethod(raw.method, `${item}.method`) };
    });
}

function groupByPath(summaries: readonly { path: string; method: string }[], keyRequired: boolean): ProbeRoute[] {
    const methodsByPath = new Map<string, string[]>();
    for (const { path, method } of summaries) {
        const methods = methodsByPath.get(path) ?? [];
        if (!methods.includes(method)) {
            methods.push(method);
        }
        methodsByPath.set(path, methods);
    }
    return [...methodsByPath].map(([path, methods]) => ({ path, methods, keyRequired }));
}
