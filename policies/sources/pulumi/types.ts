/** Pulumi type tokens the kit reads. Matching by token keeps `@pulumi/aws` out of the pack's start-up. */
export const PulumiTypes = {
    restApi: "aws:apigateway/restApi:RestApi",
    resource: "aws:apigateway/resource:Resource",
    method: "aws:apigateway/method:Method",
    stage: "aws:apigateway/stage:Stage",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    apiKey: "aws:apigateway/apiKey:ApiKey",
    usagePlan: "aws:apigateway/usagePlan:UsagePlan",
    usagePlanKey: "aws:apigateway/usagePlanKey:UsagePlanKey",
    account: "aws:apigateway/account:Account",
    domainName: "aws:apigateway/domainName:DomainName",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    wafv2Association: "aws:wafv2/webAclAssociation:WebAclAssociation",
    wafRegionalAssociation: "aws:wafregional/webAclAssociation:WebAclAssociation",
    v2Api: "aws:apigatewayv2/api:Api",
    v2Route: "aws:apigatewayv2/route:Route",
    v2Stage: "aws:apigatewayv2/stage:Stage",
    v2DomainName: "aws:apigatewayv2/domainName:DomainName",
} as const;

/** Resources whose output is a generated secret: a key value derived from one is "generated". */
/**
 * The resource's own type in a URN (`urn:pulumi:stack::project::parent$type::name`: the
 * qualified type lists the parents' types first), or undefined for text that is not a URN.
 */
export function typeFromUrn(urn: string): string | undefined {
    const parts = urn.split("::");
    if (parts.length < 4) {
        return undefined;
    }
    const qualified = parts[2].split("$");
    return qualified[qualified.length - 1] || undefined;
}

export const GENERATOR_TYPES: ReadonlySet<string> = new Set([
    "random:index/randomPassword:RandomPassword",
    "random:index/randomString:RandomString",
    "random:index/randomBytes:RandomBytes",
    "random:index/randomUuid:RandomUuid",
    "random:index/randomId:RandomId",
]);

/** The engine's generic unknown (the string sentinel), which `@pulumi/policy` reads as unknown. */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The sentinel strings the engine and `@pulumi/policy` use for values unknown during preview. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    UNKNOWN_SENTINEL, // string (and the engine's generic unknown)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** The special-signature key of Pulumi's wire format and the secret signature. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * One resource as the kit sees it from any Pulumi source (CrossGuard, stack export, mocks).
 * `props` holds plain values with unknown sentinels intact and secrets unwrapped; which
 * top-level properties held a secret is recorded in `secretProps`.
 */
export interface PulumiResourceRecord {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly props: Readonly<Record<string, unknown>>;
    /**
     * Top-level property names that held a secret. `undefined` means secret-ness could not be
     * observed (rules then say "unknown" instead of guessing).
     */
    readonly secretProps?: ReadonlySet<string>;
    /** Top-level properties whose value could not be read (malformed on the wire); they read as unknown. */
    readonly malformedProps?: ReadonlySet<string>;
    /**
     * Top-level properties the program itself supplied, recorded where `props` cannot show it: a
     * stack export's value can be the provider's output, and an encrypted input copy cannot be read,
     * yet its presence says the program gave a value. CrossGuard hands over inputs, so there every
     * property in `props` is one and this is left unset.
     */
    readonly programInputs?: ReadonlySet<string>;
    readonly id?: string;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** File the record was read from (stack export). */
    readonly file?: string;
}

/** Unwrap Pulumi secret envelopes, returning the plain value and whether any secret was seen. */
export function unwrapSecrets(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        let secret = false;
        const out = value.map(item => {
            const r = unwrapSecrets(item);
            secret = secret || r.secret;
            return r.value;
        });
        return { value: out, secret };
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            const inner = "value" in record ? unwrapSecrets(record.value) : { value: undefined, secret: true };
            return { value: inner.value, secret: true };
        }
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(record)) {
            const r = unwrapSecrets(item);
            secret = secret || r.secret;
            out[key] = r.value;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}
