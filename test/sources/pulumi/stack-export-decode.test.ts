import assert from "node:assert/strict";
import { recordsFromStackExport } from "../../../sources/pulumi/stack-export";
import { SECRET_SIG, SIG_KEY, unwrapSecrets } from "apigw-guard/policies/sources/pulumi/types";

/**
 * The export reader decodes property values in one pass that copies only what changes. It must
 * read every value as the former two-pass decoding did (rewrite into the engine's wire form, then
 * unwrap secrets); that decoding is kept here as the reference.
 */
const UNREADABLE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const REF = "5cf8f73096256a8f31e491e813e4eb8e";
const OUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function referenceWire(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(referenceWire);
    }
    if (!isObject(value)) {
        return value;
    }
    const sig = value[SIG_KEY];
    if (sig === SECRET_SIG) {
        if (typeof value.plaintext === "string") {
            let decoded: unknown;
            try {
                decoded = JSON.parse(value.plaintext);
            } catch {
                decoded = value.plaintext;
            }
            return { [SIG_KEY]: SECRET_SIG, value: referenceWire(decoded) };
        }
        return "value" in value ? { [SIG_KEY]: SECRET_SIG, value: referenceWire(value.value) } : { [SIG_KEY]: SECRET_SIG, value: UNREADABLE };
    }
    if (sig === REF) {
        return typeof value.id === "string" && value.id !== "" ? value.id : typeof value.urn === "string" ? value.urn : UNREADABLE;
    }
    if (sig === OUT) {
        const inner = "value" in value ? referenceWire(value.value) : UNREADABLE;
        return value.secret === true ? { [SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
        out[key] = referenceWire(item);
    }
    return out;
}

function referenceMerge(inputs: unknown, outputs: unknown): { props: Record<string, unknown>; secretProps: Set<string> } {
    const decode = (bag: unknown) => {
        const decoded = new Map<string, { value: unknown; secret: boolean }>();
        if (isObject(bag)) {
            for (const [key, raw] of Object.entries(bag)) {
                if (raw !== null && raw !== undefined) {
                    decoded.set(key, unwrapSecrets(referenceWire(raw)));
                }
            }
        }
        return decoded;
    };
    const isEnvelope = (value: unknown) => isObject(value) && (value[SIG_KEY] === SECRET_SIG || (value[SIG_KEY] === OUT && value.secret === true));
    const decodedOutputs = decode(outputs);
    const decodedInputs = decode(inputs);
    const props: Record<string, unknown> = {};
    const secretProps = new Set<string>();
    for (const key of new Set([...decodedOutputs.keys(), ...decodedInputs.keys()])) {
        const output = decodedOutputs.get(key);
        const input = decodedInputs.get(key);
        const providerSecret = output !== undefined && input === undefined && isEnvelope(isObject(outputs) ? outputs[key] : undefined);
        const readable = [output, input].find(copy => copy !== undefined && copy.value !== UNREADABLE);
        props[key] = providerSecret ? UNREADABLE : (readable ?? output ?? input)?.value;
        if ((output === undefined || output.secret) && (input === undefined || input.secret)) {
            secretProps.add(key);
        }
    }
    return { props, secretProps };
}

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
const cipher = () => ({ [SIG_KEY]: SECRET_SIG, ciphertext: "v1:abc" });
const plaintext = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) });
const ref = (id: string, urn = "urn:x") => ({ [SIG_KEY]: REF, id, urn });
const output = (value: unknown, isSecret = false) => ({ [SIG_KEY]: OUT, value, ...(isSecret ? { secret: true } : {}) });

/** Pairs of (inputs, outputs) covering envelopes at the top, nested, in lists, on one side or both. */
function cases(): Array<[unknown, unknown]> {
    const nested = { a: [1, { b: secret("x") }, ref("r1")], c: { d: output(5), e: output(undefined), f: { [SIG_KEY]: OUT } } };
    return [
        [{ a: 1, b: "x", c: [1, 2], d: { e: null } }, { a: 2, c: [3], f: true }],
        [{ value: "plain-key" }, { value: cipher() }],
        [{ value: secret("s") }, { value: secret("s") }],
        [{ value: secret("s") }, { value: "s" }],
        [undefined, { value: cipher() }],
        [undefined, { value: plaintext("shown") }],
        [{ value: plaintext({ x: [1, secret(2)] }) }, { value: { [SIG_KEY]: SECRET_SIG, plaintext: "not json {" } }],
        [{ tags: nested }, { tags: null, other: nested }],
        [{ list: [output(1, true), output(2)], refs: [ref(""), { [SIG_KEY]: REF }, { [SIG_KEY]: REF, urn: "urn:only" }] }, {}],
        [{ value: output("in") }, { value: output("out", true) }],
        [{ value: { [SIG_KEY]: SECRET_SIG } }, { value: UNREADABLE }],
        [{ asset: { [SIG_KEY]: "c44067f5952c0a294b673a41bacd8c17", path: "x" } }, null],
        [JSON.parse('{"__proto__": {"restApi": "evil"}, "n": {"__proto__": {"x": 1}, "y": 2}}'), JSON.parse('{"m": {"__proto__": {"z": 1}}}')],
        [[1, 2], "not-a-bag"],
        [{ deep: [[[secret([secret("a")])]]] }, { deep: [[[1]]], x: [] }],
    ];
}

describe("sources/pulumi stack export decoding", () => {
    it("reads every property as the two-pass decoding did", () => {
        for (const [index, [inputs, outputs]] of cases().entries()) {
            const json = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:s::p::aws:apigateway/apiKey:ApiKey::k", type: "aws:apigateway/apiKey:ApiKey", inputs, outputs }] } };
            const expected = referenceMerge(structuredClone(inputs), structuredClone(outputs));
            const [record] = recordsFromStackExport(json);
            // A top-level `__proto__` key becomes the bag's prototype, in both: compare it by content.
            assert.deepEqual(Object.getPrototypeOf(record.props), Object.getPrototypeOf(expected.props), `case ${index}: prototype`);
            assert.deepEqual({ ...record.props }, { ...expected.props }, `case ${index}: props`);
            assert.deepEqual(Object.keys(record.props), Object.keys(expected.props), `case ${index}: key order`);
            assert.deepEqual(record.secretProps, expected.secretProps, `case ${index}: secret props`);
        }
    });

    it("does not change the parsed export", () => {
        for (const [inputs, outputs] of cases()) {
            const json = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:s::p::t:m:T::k", inputs, outputs }] } };
            const before = JSON.stringify(json);
            recordsFromStackExport(json);
            assert.equal(JSON.stringify(json), before);
        }
    });

    it("names a resource as splitting its URN on '::' and joining the parts from the fourth did", () => {
        const urns = [
            "urn:pulumi:s::p::t:m:T::name", "urn:pulumi:s::p::t:m:T::a::b", "urn:pulumi:s::p::t:m:T::", "urn:pulumi:s:::p::t:m:T::x",
            "urn:pulumi:s::p::t:m:T:::x", "urn:pulumi:s::p::t:m:T::::", "urn:pulumi:s::p::t", "no-separators",
        ];
        for (const urn of urns) {
            const parts = urn.split("::");
            const expected = parts.length >= 4 ? parts.slice(3).join("::") : urn;
            const [record] = recordsFromStackExport({ version: 3, deployment: { resources: [{ urn, type: "t:m:T" }] } });
            assert.equal(record.name, expected, urn);
        }
    });
});
