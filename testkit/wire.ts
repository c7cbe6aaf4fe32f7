/**
 * Property values as the Pulumi engine puts them on the wire to an analyzer (policy pack).
 *
 * The engine marshals resource properties into a `google.protobuf.Struct` with
 * `MarshalOptions{KeepUnknowns: true, KeepSecrets: true}`:
 *   - a secret becomes `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": v}`;
 *   - an unknown (computed) value becomes one of five sentinel strings (by the value's expected kind);
 *   - for Analyze/AnalyzeStack (not Remediate) keys starting with `__` are dropped (`SkipInternalKeys`).
 *
 * Tests write resources with {@link secret} and {@link unknowns} markers; {@link encodeProperties}
 * turns them into that wire form and {@link decodeProperties} turns wire form back into markers
 * (as the engine's `UnmarshalProperties` does for remediated properties).
 */

/** The special signature key (`specialSigKey` in @pulumi/pulumi/runtime/rpc). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature value that marks a secret (`specialSecretSig`). */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The sentinel strings the engine sends for unknown values (sdk/go/common/resource/plugin/rpc.go). */
export const UNKNOWN_SENTINELS = {
    boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

export type UnknownKind = keyof typeof UNKNOWN_SENTINELS;

/** Marker for a secret value; {@link encodeProperties} wraps it in the secret signature object. */
export class SecretValue<T = unknown> {
    constructor(public readonly value: T) {}
    /** Keeps secrets out of accidental `JSON.stringify` of test fixtures. */
    toJSON(): string { return "[secret]"; }
    toString(): string { return "[secret]"; }
}

/** Marker for an unknown (computed) value of a given kind. */
export class UnknownValue {
    constructor(public readonly kind: UnknownKind) {}
    get sentinel(): string { return UNKNOWN_SENTINELS[this.kind]; }
    toJSON(): string { return `[unknown ${this.kind}]`; }
}

/** Wraps a value as a secret, e.g. `props: { value: secret("abc") }`. */
export function secret<T>(value: T): SecretValue<T> {
    return new SecretValue(value);
}

/** Unknown-value markers, e.g. `props: { id: unknowns.string }`. */
export const unknowns: Readonly<Record<UnknownKind, UnknownValue>> = Object.freeze({
    boolean: new UnknownValue("boolean"),
    number: new UnknownValue("number"),
    string: new UnknownValue("string"),
    array: new UnknownValue("array"),
    object: new UnknownValue("object"),
});

export function isSecret(v: unknown): v is SecretValue {
    return v instanceof SecretValue;
}

export function isUnknown(v: unknown): v is UnknownValue {
    return v instanceof UnknownValue;
}

/** JSON values that `Struct.fromJavaScript` accepts. */
export type WireValue = null | boolean | number | string | WireValue[] | { [k: string]: WireValue };
export type WireObject = { [k: string]: WireValue };

export interface EncodeOptions {
    /** Drop keys starting with `__` at every level (the engine does this for Analyze/AnalyzeStack). */
    skipInternalKeys?: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (v === null || typeof v !== "object") {
        return false;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

/** Encodes one value into wire form. `undefined` yields `undefined` (the caller drops the key). */
export function encodeValue(v: unknown, opts: EncodeOptions = {}, path = "$"): WireValue | undefined {
    if (v === undefined) {
        return undefined;
    }
    if (v === null || typeof v === "boolean" || typeof v === "string") {
        return v;
    }
    if (typeof v === "number") {
        if (!Number.isFinite(v)) {
            throw new Error(`cannot encode non-finite number at ${path}`);
        }
        return v;
    }
    if (v instanceof SecretValue) {
        const inner = encodeValue(v.value, opts, `${path}<secret>`);
        return { [SIG_KEY]: SECRET_SIG, value: inner === undefined ? null : inner };
    }
    if (v instanceof UnknownValue) {
        return v.sentinel;
    }
    if (Array.isArray(v)) {
        return v.map((e, i) => {
            const ev = encodeValue(e, opts, `${path}[${i}]`);
            return ev === undefined ? null : ev;
        });
    }
    if (isPlainObject(v)) {
        return encodeObject(v, opts, path);
    }
    throw new Error(`cannot encode value of type ${Object.prototype.toString.call(v)} at ${path}`);
}

function encodeObject(obj: Record<string, unknown>, opts: EncodeOptions, path: string): WireObject {
    const out: WireObject = {};
    // The engine marshals property maps in sorted-key order (PropertyMap.StableKeys).
    for (const k of Object.keys(obj).sort()) {
        if (opts.skipInternalKeys && k.startsWith("__")) {
            continue;
        }
        const ev = encodeValue(obj[k], opts, `${path}.${k}`);
        if (ev !== undefined) {
            out[k] = ev;
        }
    }
    return out;
}

/** Encodes a resource's property bag into wire form (a JSON object for `Struct.fromJavaScript`). */
export function encodeProperties(props: Record<string, unknown>, opts: EncodeOptions = {}): WireObject {
    return encodeObject(props, opts, "$");
}

const SENTINEL_TO_KIND = new Map<string, UnknownKind>(
    (Object.keys(UNKNOWN_SENTINELS) as UnknownKind[]).map(k => [UNKNOWN_SENTINELS[k], k]),
);

/** Decodes wire form back into plain values with {@link SecretValue}/{@link UnknownValue} markers. */
export function decodeValue(v: unknown): unknown {
    if (v === null || v === undefined || typeof v === "boolean" || typeof v === "number") {
        return v;
    }
    if (typeof v === "string") {
        const kind = SENTINEL_TO_KIND.get(v);
        return kind ? unknowns[kind] : v;
    }
    if (Array.isArray(v)) {
        return v.map(decodeValue);
    }
    if (typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SIG_KEY] === SECRET_SIG) {
            return new SecretValue(decodeValue(o["value"]));
        }
        if (typeof o[SIG_KEY] === "string") {
            throw new Error(`unsupported special signature ${String(o[SIG_KEY])} in wire properties`);
        }
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(o)) {
            out[k] = decodeValue(o[k]);
        }
        return out;
    }
    throw new Error(`cannot decode wire value of type ${typeof v}`);
}

export function decodeProperties(v: Record<string, unknown>): Record<string, unknown> {
    return decodeValue(v) as Record<string, unknown>;
}

/**
 * Replaces markers by what a policy would see through `@pulumi/policy`: secrets unwrapped,
 * unknowns as their sentinel strings. Handy for asserting on remediated properties.
 */
export function reveal(v: unknown): unknown {
    if (v instanceof SecretValue) {
        return reveal(v.value);
    }
    if (v instanceof UnknownValue) {
        return v.sentinel;
    }
    if (Array.isArray(v)) {
        return v.map(reveal);
    }
    if (isPlainObject(v)) {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
            out[k] = reveal(v[k]);
        }
        return out;
    }
    return v;
}
