import type * as Yaml from "yaml";
// Straight from the module: a re-export through `model/index` compiles to a getter, called on every use.
import { isUnknown, Maybe, unknown, Unknown } from "../../model/values";
import { UnknownTest, neverUnknown } from "../read";

/**
 * The one OpenAPI reader every IaC front end shares (Pulumi pack, stack export, Terraform plan,
 * state and HCL). It turns an API's `body` (Swagger 2.0, OpenAPI 3.0/3.1; JSON or YAML text, or
 * an already parsed object) into what API Gateway makes of it on import: one operation per path
 * and method, each with the API key requirement and authorization the importer would set.
 *
 * Nothing read from a body is ever echoed into a reason or message except paths, method names and
 * security scheme names: a body may carry a key value as an example or default.
 */

/** Bounds the time and memory one body may take; far above any real API definition. */
export const MAX_BODY_CHARS = 6 * 1024 * 1024;
/** YAML aliases expanded per body: a real definition uses a handful, an alias bomb millions. */
export const MAX_ALIAS_COUNT = 100;

export type OpenApiFormat = "swagger-2.0" | "openapi-3.0" | "openapi-3.1";

/** REST APIs (API Gateway v1) know API keys; HTTP APIs (v2) do not. */
export type ApiFlavour = "rest" | "http";

export interface OpenApiOperation {
    /** `GET`, `POST`, ..., `ANY` for `x-amazon-apigateway-any-method`; unknown when the path item is. */
    readonly method: Maybe<string>;
    /** The path as written, e.g. `/pets/{petId}` or `/{proxy+}`. */
    readonly path: string;
    /** JSON pointer of the operation in the body, e.g. `/paths/~1pets/get`. */
    readonly pointer: string;
    /** REST only: the importer sets `apiKeyRequired` when the operation requires an `x-api-key` header scheme. */
    readonly apiKeyRequired: Maybe<boolean>;
    /** `NONE`, `AWS_IAM`, `COGNITO_USER_POOLS`, `CUSTOM` or `JWT`. */
    readonly authorizationType: Maybe<string>;
}

export interface OpenApiDocument {
    readonly format: OpenApiFormat;
    /** `x-amazon-apigateway-api-key-source`, upper-cased; undefined when the extension is absent. */
    readonly apiKeySource: Maybe<string | undefined>;
    readonly operations: readonly OpenApiOperation[];
}

/**
 * - `absent`: no body;
 * - `unknown`: the body is not known yet (a preview, an unresolved expression): cannot tell;
 * - `unreadable`: a body that API Gateway would reject or that is not read (too large, not JSON or
 *   YAML, an alias bomb, not an OpenAPI object): the API's operations cannot be judged;
 * - `read`: the operations.
 */
export type OpenApiBody =
    | { readonly state: "absent" }
    | { readonly state: "unknown"; readonly reason: string }
    | { readonly state: "unreadable"; readonly reason: string }
    | { readonly state: "read"; readonly document: OpenApiDocument };

export interface ReadOptions {
    /** Marks raw values that stand for "unknown" in the source format (Pulumi sentinels, Terraform markers). */
    readonly isRawUnknown?: UnknownTest;
    /** Why such a value is unknown, as the front end says it. */
    readonly unknownReason?: string;
    readonly flavour?: ApiFlavour;
}

const ABSENT: OpenApiBody = Object.freeze({ state: "absent" as const });

/** Read an API's body. Total: every input gives a state, nothing throws. */
export function readOpenApiBody(body: unknown, options: ReadOptions = {}): OpenApiBody {
    const isRawUnknown = options.isRawUnknown ?? neverUnknown;
    const unknownReason = options.unknownReason ?? "the OpenAPI body is not known yet";
    if (body === undefined || body === null || body === "") {
        return ABSENT;
    }
    if (isUnknown(body)) {
        return { state: "unknown", reason: body.reason ?? unknownReason };
    }
    if (isRawUnknown(body)) {
        return { state: "unknown", reason: unknownReason };
    }
    let parsed: unknown = body;
    if (typeof body === "string") {
        const text = parseOpenApiText(body);
        if ("reason" in text) {
            return { state: "unreadable", reason: text.reason };
        }
        parsed = text.value;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { state: "unreadable", reason: `the OpenAPI body is not an object (found ${typeName(parsed)})` };
    }
    try {
        return new DocumentReader(parsed as Record<string, unknown>, isRawUnknown, unknownReason, options.flavour ?? "rest").read();
    } catch (error) {
        // Only a stack overflow on absurd nesting can land here; its message names no value.
        return { state: "unreadable", reason: `the OpenAPI body could not be read (${error instanceof Error ? error.name : "error"})` };
    }
}

/**
 * An OpenAPI text parsed as the reader parses it (bounded; the reason never quotes the text).
 * JSON first (most bodies are `jsonencode`/`JSON.stringify` output), YAML otherwise.
 */
export function parseOpenApiText(text: string): { value: unknown } | { reason: string } {
    if (text.length > MAX_BODY_CHARS) {
        return { reason: `the OpenAPI body is ${text.length} characters long, more than the ${MAX_BODY_CHARS} read` };
    }
    const first = text.trimStart()[0];
    if (first === "{" || first === "[") {
        try {
            return { value: JSON.parse(text) as unknown };
        } catch {
            // Not JSON after all: YAML's flow style may still read it; its errors say where.
        }
    }
    try {
        // `silent`: the parser would print warnings with a quote of the source, which may hold a key.
        const doc = yaml().parseDocument(text, { logLevel: "silent", uniqueKeys: true });
        const error = doc.errors[0];
        if (error !== undefined) {
            const at = error.linePos?.[0];
            // The code and position only: the parser's message quotes the source.
            return { reason: `the OpenAPI body is not valid JSON or YAML (${error.code}${at ? ` at line ${at.line}` : ""})` };
        }
        return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
    } catch (error) {
        const bomb = error instanceof Error && /alias count/i.test(error.message);
        return {
            reason: bomb
                ? `the OpenAPI body expands YAML aliases more than ${MAX_ALIAS_COUNT} times (a resource exhaustion pattern), so it is not read`
                : `the OpenAPI body could not be parsed (${error instanceof Error ? error.name : "error"})`,
        };
    }
}

const HTTP_METHODS: Readonly<Record<string, string>> = {
    get: "GET", put: "PUT", post: "POST", delete: "DELETE", options: "OPTIONS", head: "HEAD", patch: "PATCH", trace: "TRACE",
    "x-amazon-apigateway-any-method": "ANY",
};

/** What one security scheme contributes to an operation that requires it. */
type SchemeEffect =
    | { readonly kind: "api-key" }
    | { readonly kind: "authorizer"; readonly type: string }
    /** A scheme API Gateway does not turn into a setting (e.g. an apiKey in another header). */
    | { readonly kind: "none" }
    | Unknown;

interface Security {
    readonly apiKeyRequired: Maybe<boolean>;
    readonly authorizationType: Maybe<string>;
}

const OPEN: Security = Object.freeze({ apiKeyRequired: false as boolean, authorizationType: "NONE" as string });

class DocumentReader {
    private readonly effects = new Map<string, SchemeEffect>();

    constructor(
        private readonly root: Record<string, unknown>,
        private readonly isRawUnknown: UnknownTest,
        private readonly unknownReason: string,
        private readonly flavour: ApiFlavour,
    ) {}

    read(): OpenApiBody {
        const format = this.format();
        if (isUnknown(format)) {
            return { state: "unknown", reason: format.reason ?? this.unknownReason };
        }
        if (format === undefined) {
            return { state: "unreadable", reason: "the OpenAPI body declares neither 'swagger: \"2.0\"' nor 'openapi: 3.x'" };
        }
        const paths = this.value(this.root.paths);
        if (isUnknown(paths)) {
            return { state: "unknown", reason: paths.reason ?? this.unknownReason };
        }
        if (paths !== undefined && !isObject(paths)) {
            return { state: "unreadable", reason: `'paths' in the OpenAPI body is not an object (found ${typeName(paths)})` };
        }
        const rootSecurity = this.value(this.root.security);
        const operations: OpenApiOperation[] = [];
        for (const [path, rawItem] of Object.entries(paths ?? {})) {
            // `x-` keys are extensions, not paths.
            if (path.startsWith("x-")) {
                continue;
            }
            const itemPointer = `/paths/${escapePointer(path)}`;
            const item = this.value(rawItem);
            if (isUnknown(item) || !isObject(item)) {
                const reason = isUnknown(item) ? item : unknown(`the path item '${path}' is not an object`);
                operations.push({ method: reason, path, pointer: itemPointer, apiKeyRequired: reason, authorizationType: reason });
                continue;
            }
            if (item.$ref !== undefined) {
                const reason = unknown(`the path item '${path}' is a $ref, which API Gateway does not import`);
                operations.push({ method: reason, path, pointer: itemPointer, apiKeyRequired: reason, authorizationType: reason });
                continue;
            }
            for (const [key, rawOperation] of Object.entries(item)) {
                const method = HTTP_METHODS[key.toLowerCase()];
                if (method === undefined) {
                    continue;
                }
                const pointer = `${itemPointer}/${escapePointer(key)}`;
                const operation = this.value(rawOperation);
                let security: Security;
                if (isUnknown(operation)) {
                    security = { apiKeyRequired: operation, authorizationType: operation };
                } else if (!isObject(operation)) {
                    const reason = unknown(`the operation ${method} ${path} is not an object`);
                    security = { apiKeyRequired: reason, authorizationType: reason };
                } else {
                    // An operation's own `security` (even `[]`) replaces the root's.
                    security = this.withMethodAuth(this.security("security" in operation ? this.value(operation.security) : rootSecurity), operation);
                }
                operations.push({ method, path, pointer, ...security });
            }
        }
        return { state: "read", document: { format, apiKeySource: this.apiKeySource(), operations } };
    }

    private format(): Maybe<OpenApiFormat | undefined> {
        const swagger = this.value(this.root.swagger);
        const openapi = this.value(this.root.openapi);
        if (isUnknown(swagger)) {
            return swagger;
        }
        if (isUnknown(openapi)) {
            return openapi;
        }
        if (swagger === "2.0" || swagger === 2) {
            return "swagger-2.0";
        }
        if (typeof openapi === "string") {
            if (/^3\.0(\.|$)/.test(openapi)) {
                return "openapi-3.0";
            }
            if (/^3\.1(\.|$)/.test(openapi)) {
                return "openapi-3.1";
            }
        }
        return undefined;
    }

    private apiKeySource(): Maybe<string | undefined> {
        const source = this.value(this.root["x-amazon-apigateway-api-key-source"]);
        if (source === undefined || isUnknown(source)) {
            return source;
        }
        // Quotes are the format's business: JSON, single- or double-quoted YAML all arrive here as the bare string.
        return typeof source === "string" ? source.trim().toUpperCase() : unknown(`'x-amazon-apigateway-api-key-source' is not a string (found ${typeName(source)})`);
    }

    /**
     * The settings a `security` list gives. OpenAPI reads the list as alternatives, but API
     * Gateway's importer applies every scheme the list names: `[{"authorizer": []}, {"api_key": []}]`
     * (the shape `@pulumi/aws-apigateway` generates) gives a method that needs the authorizer and a
     * key. A method has one authorizer, so two different ones stay unknown.
     */
    private security(requirements: unknown): Security {
        if (requirements === undefined || requirements === null) {
            return OPEN;
        }
        if (isUnknown(requirements)) {
            return { apiKeyRequired: requirements, authorizationType: requirements };
        }
        if (!Array.isArray(requirements)) {
            const reason = unknown(`'security' is not a list (found ${typeName(requirements)})`);
            return { apiKeyRequired: reason, authorizationType: reason };
        }
        let apiKeyRequired: Maybe<boolean> = false;
        let keyUnknown: Unknown | undefined;
        const authorizers: Maybe<string>[] = [];
        for (const raw of requirements) {
            const requirement = this.value(raw);
            if (isUnknown(requirement) || !isObject(requirement)) {
                const reason = isUnknown(requirement) ? requirement : unknown(`a 'security' requirement is not an object (found ${typeName(requirement)})`);
                keyUnknown ??= reason;
                authorizers.push(reason);
                continue;
            }
            for (const name of Object.keys(requirement)) {
                const effect = this.effect(name);
                if (isUnknown(effect)) {
                    keyUnknown ??= effect;
                    authorizers.push(effect);
                } else if (effect.kind === "api-key") {
                    apiKeyRequired = true;
                } else if (effect.kind === "authorizer") {
                    authorizers.push(effect.type);
                }
            }
        }
        // A key already required stays required whatever an unreadable scheme would have added.
        if (apiKeyRequired !== true && keyUnknown !== undefined) {
            apiKeyRequired = keyUnknown;
        }
        return { apiKeyRequired, authorizationType: authorizers.length === 0 ? "NONE" : agree(authorizers, "the authorizer") };
    }

    /** `x-amazon-apigateway-auth` on an operation sets its authorization type directly (e.g. AWS_IAM). */
    private withMethodAuth(security: Security, operation: Record<string, unknown>): Security {
        const auth = this.value(operation["x-amazon-apigateway-auth"]);
        if (auth === undefined || auth === null) {
            return security;
        }
        const type = isObject(auth) ? this.value(auth.type) : auth;
        if (isUnknown(type)) {
            return { ...security, authorizationType: type };
        }
        if (typeof type !== "string") {
            return { ...security, authorizationType: unknown("'x-amazon-apigateway-auth' has no type") };
        }
        const upper = type.toUpperCase();
        return upper === "NONE" ? security : { ...security, authorizationType: upper };
    }

    private effect(name: string): SchemeEffect {
        let effect = this.effects.get(name);
        if (effect === undefined) {
            effect = this.classify(name);
            this.effects.set(name, effect);
        }
        return effect;
    }

    /** What API Gateway makes of the named scheme (`securityDefinitions` or `components.securitySchemes`). */
    private classify(name: string): SchemeEffect {
        const table = this.value(this.root.securityDefinitions ?? this.objectAt(this.root.components, "securitySchemes"));
        if (isUnknown(table)) {
            return table;
        }
        let scheme = isObject(table) ? this.value(table[name]) : undefined;
        if (isObject(scheme) && typeof scheme.$ref === "string") {
            const target = /^#\/components\/securitySchemes\/([^/]+)$/.exec(scheme.$ref);
            scheme = target && isObject(table) ? this.value(table[unescapePointer(target[1])]) : undefined;
        }
        if (isUnknown(scheme)) {
            return scheme;
        }
        if (scheme === undefined) {
            return unknown(`the security scheme '${name}' is not defined in the OpenAPI body`);
        }
        if (!isObject(scheme)) {
            return unknown(`the security scheme '${name}' is not an object`);
        }
        if (scheme.$ref !== undefined) {
            return unknown(`the security scheme '${name}' is a $ref that does not name a scheme of this document`);
        }
        const authtype = this.value(scheme["x-amazon-apigateway-authtype"]);
        const authorizer = this.value(scheme["x-amazon-apigateway-authorizer"]);
        const type = this.value(scheme.type);
        for (const value of [authtype, authorizer, type]) {
            if (isUnknown(value)) {
                return value;
            }
        }
        const authKind = typeof authtype === "string" ? authtype.toLowerCase() : undefined;
        if (authKind === "awssigv4") {
            return { kind: "authorizer", type: "AWS_IAM" };
        }
        if (authorizer !== undefined) {
            if (!isObject(authorizer)) {
                return unknown(`the authorizer of security scheme '${name}' is not an object`);
            }
            const authorizerType = this.value(authorizer.type);
            if (isUnknown(authorizerType)) {
                return authorizerType;
            }
            switch (typeof authorizerType === "string" ? authorizerType.toLowerCase() : undefined) {
                case "token":
                case "request":
                    return { kind: "authorizer", type: "CUSTOM" };
                case "cognito_user_pools":
                    return { kind: "authorizer", type: "COGNITO_USER_POOLS" };
                case "jwt":
                    return { kind: "authorizer", type: "JWT" };
                default:
                    return unknown(`the authorizer of security scheme '${name}' has no type API Gateway recognises (token, request, cognito_user_pools, jwt)`);
            }
        }
        if (authKind === "cognito_user_pools") {
            return { kind: "authorizer", type: "COGNITO_USER_POOLS" };
        }
        if (authKind !== undefined) {
            return unknown(`security scheme '${name}' sets x-amazon-apigateway-authtype without an x-amazon-apigateway-authorizer`);
        }
        if (this.flavour === "rest" && type === "apiKey") {
            const where = this.value(scheme.in);
            const header = this.value(scheme.name);
            if (isUnknown(where) || isUnknown(header)) {
                return isUnknown(where) ? where : header as Unknown;
            }
            // API Gateway reads keys from this header only (with the HEADER key source).
            if (where === "header" && typeof header === "string" && header.toLowerCase() === "x-api-key") {
                return { kind: "api-key" };
            }
        }
        return { kind: "none" };
    }

    private objectAt(bag: unknown, key: string): unknown {
        const value = this.value(bag);
        return isObject(value) ? value[key] : value;
    }

    /** A raw value with the source format's unknown marker turned into the model's unknown. */
    private value(raw: unknown): unknown {
        return this.isRawUnknown(raw) ? unknown(this.unknownReason) : raw;
    }
}

function agree<T>(values: readonly Maybe<T>[], what: string): Maybe<T> {
    const known = values.filter((value): value is T => !isUnknown(value));
    const first = known[0];
    if (known.length > 0 && known.some(value => value !== first)) {
        return unknown(`the operation's security alternatives differ in ${what}, and API Gateway sets only one`);
    }
    const missing = values.find(isUnknown);
    return missing !== undefined ? missing : (first as T);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

function typeName(value: unknown): string {
    return Array.isArray(value) ? "list" : value === null ? "null" : typeof value;
}

/** RFC 6901. */
function escapePointer(token: string): string {
    return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapePointer(token: string): string {
    return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

let yamlModule: typeof Yaml | undefined;

/** The YAML parser, loaded on the first YAML body (most bodies are JSON; it costs ~20 ms to load, on every scan and pack start). */
function yaml(): typeof Yaml {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (yamlModule ??= require("yaml") as typeof Yaml);
}
