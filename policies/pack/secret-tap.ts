import { SIG_KEY, SECRET_SIG, UNKNOWN_SENTINEL } from "../sources/pulumi/types";

/**
 * `@pulumi/policy` unwraps secrets before a policy sees the properties, so a policy cannot tell a
 * key value typed into the program from one held as a Pulumi secret. This tap wraps the
 * deserializer `@pulumi/policy` calls for every Analyze/AnalyzeStack/Remediate request and
 * records, per deserialized property bag, which top-level properties carried the secret
 * signature. Values are never copied out.
 *
 * The deserializer is an internal module of `@pulumi/policy`. If a future version moves it, the
 * tap reports itself as not installed and rules fall back to "cannot tell" (never a false pass).
 */
const secretPropsByBag = new WeakMap<object, ReadonlySet<string>>();
const malformedPropsByBag = new WeakMap<object, ReadonlySet<string>>();
/** Request Struct → its deserialized bag (one per proxySecrets mode); gone with the request. */
const deserialized = new WeakMap<object, Record<string, unknown>>();
const deserializedWithSecretProxies = new WeakMap<object, Record<string, unknown>>();
let installed = false;

interface StructLike {
    toJavaScript(): Record<string, unknown>;
}

type Deserialize = (struct: StructLike, proxySecrets: boolean) => Record<string, unknown>;

export function installSecretTap(): boolean {
    if (installed) {
        return true;
    }
    let deserializeModule: { deserializeProperties?: Deserialize };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        deserializeModule = require("@pulumi/policy/deserialize") as { deserializeProperties?: Deserialize };
    } catch {
        return false;
    }
    const original = deserializeModule.deserializeProperties;
    if (typeof original !== "function") {
        return false;
    }
    const materialize = (struct: StructLike, proxySecrets: boolean): Record<string, unknown> => {
        const raw = struct.toJavaScript();
        const secretProps = new Set<string>();
        for (const [key, value] of Object.entries(raw)) {
            if (containsSecret(value)) {
                secretProps.add(key);
            }
        }
        const { props, malformed } = deserializeTolerantly(original, raw, proxySecrets);
        secretPropsByBag.set(unproxied(props), secretProps);
        if (malformed.size > 0) {
            malformedPropsByBag.set(unproxied(props), malformed);
        }
        return props;
    };
    deserializeModule.deserializeProperties = function tappedDeserialize(struct: StructLike, proxySecrets: boolean) {
        if (typeof struct !== "object" || struct === null) {
            return materialize(struct, proxySecrets);
        }
        // `@pulumi/policy` deserializes a request's properties again for every policy (17 times per
        // Analyze, once per stack policy and resource in AnalyzeStack). The request's Struct is the
        // same object each time (protobuf caches message wrappers), so deserialize it once. Our
        // policies never mutate the bag; each still gets its own unknown-checking proxy around it.
        const cache = proxySecrets ? deserializedWithSecretProxies : deserialized;
        let bag = cache.get(struct);
        if (!bag) {
            // And only when a policy reads it: Remediate deserializes every resource up front, and
            // Analyze does for every policy not marked with one type, though most return at once.
            bag = lazyBag(() => materialize(struct, proxySecrets));
            cache.set(struct, bag);
        }
        return bag;
    };
    installed = true;
    return true;
}

/**
 * The top-level property names that held a secret, for a property bag `@pulumi/policy` handed to
 * a policy; `undefined` when the tap did not see the bag (secret-ness unobservable).
 */
export function secretPropsOf(props: object): ReadonlySet<string> | undefined {
    return secretPropsByBag.get(unproxied(props));
}

/**
 * The top-level property names whose value `@pulumi/policy` could not deserialize (a secret
 * envelope without a value, an asset without a source, an unknown signature), for a bag the tap
 * handed out; they hold the unknown sentinel instead.
 */
export function malformedPropsOf(props: object): ReadonlySet<string> | undefined {
    return malformedPropsByBag.get(unproxied(props));
}

/**
 * `@pulumi/policy` throws on a property it cannot deserialize, and the engine then shows every
 * policy's stack trace for the resource. The engine itself never sends such values, but a
 * hand-built request or a faulty provider can. Whole bag first (the usual case costs nothing
 * more); when that throws, property by property, and each property that throws is replaced by the
 * unknown sentinel, so rules that read it say they cannot tell, and the rest is judged.
 */
function deserializeTolerantly(original: Deserialize, raw: Record<string, unknown>, proxySecrets: boolean): { props: Record<string, unknown>; malformed: ReadonlySet<string> } {
    try {
        return { props: original({ toJavaScript: () => raw }, proxySecrets), malformed: new Set() };
    } catch {
        const malformed = new Set<string>();
        const repaired: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(raw)) {
            try {
                original({ toJavaScript: () => ({ [key]: value }) }, false);
                repaired[key] = value;
            } catch {
                malformed.add(key);
                repaired[key] = UNKNOWN_SENTINEL;
            }
        }
        return { props: original({ toJavaScript: () => repaired }, proxySecrets), malformed };
    }
}

/** `@pulumi/policy` wraps property bags in proxies that expose their target under this key. */
const PROXY_TARGET = "__getSpecialProxyTarget";

export function unproxied<T extends object>(props: T): T {
    const target = (props as Record<string, unknown>)[PROXY_TARGET];
    const bag = (target && typeof target === "object" ? target : props) as T;
    const load = lazyBags.get(bag);
    return load ? (load() as T) : bag;
}

/** A lazy bag → its loader, which deserializes on the first call and returns the same bag after. */
const lazyBags = new WeakMap<object, () => Record<string, unknown>>();

/**
 * A property bag deserialized when first used. Every operation on it is answered by the loaded
 * bag; only the prototype (what `instanceof Object` asks, as `@pulumi/policy`'s unknown-checking
 * proxy does on creation) is answered without loading: both are plain objects. The stand-in target
 * never gets properties, so reporting the loaded bag's (configurable) properties keeps the proxy
 * invariants.
 */
function lazyBag(load: () => Record<string, unknown>): Record<string, unknown> {
    let loaded: Record<string, unknown> | undefined;
    const bag = () => (loaded ??= load());
    const proxy = new Proxy<Record<string, unknown>>({}, {
        get: (_target, key) => Reflect.get(bag(), key),
        has: (_target, key) => Reflect.has(bag(), key),
        ownKeys: () => Reflect.ownKeys(bag()),
        getOwnPropertyDescriptor: (_target, key) => {
            const descriptor = Reflect.getOwnPropertyDescriptor(bag(), key);
            return descriptor ? { ...descriptor, configurable: true } : undefined;
        },
        set: (_target, key, value) => Reflect.set(bag(), key, value),
        defineProperty: (_target, key, descriptor) => Reflect.defineProperty(bag(), key, descriptor),
        deleteProperty: (_target, key) => Reflect.deleteProperty(bag(), key),
        getPrototypeOf: () => Object.prototype,
    });
    lazyBags.set(proxy, bag);
    return proxy;
}

function containsSecret(value: unknown): boolean {
    if (Array.isArray(value)) {
        return value.some(containsSecret);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        return record[SIG_KEY] === SECRET_SIG || Object.values(record).some(containsSecret);
    }
    return false;
}
