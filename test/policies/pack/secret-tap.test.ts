import assert from "node:assert/strict";
import * as path from "node:path";
import { installSecretTap, secretPropsOf, unproxied } from "apigw-guard/policies/pack/secret-tap";
import { ROOT } from "../../cli/helpers";
import { encodeProperties, secret } from "../../../testkit/wire";

/** @pulumi/policy's modules as the pack resolves them (the ones the tap patches). */
function fromPolicy<T>(module: string): T {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve(module, { paths: [path.join(ROOT, "policies")] })) as T;
}

type Deserialize = (struct: { toJavaScript(): Record<string, unknown> }, proxySecrets: boolean) => Record<string, unknown>;

const PLANTED = "PLANTED-secret-tap-value-0123456789";

describe("pack/secret-tap: property bags deserialized once, when first read", () => {
    let deserialize: Deserialize;
    let unknownCheckingProxy: (bag: object) => Record<string, unknown>;

    before(() => {
        assert.equal(installSecretTap(), true);
        deserialize = fromPolicy<{ deserializeProperties: Deserialize }>("@pulumi/policy/deserialize").deserializeProperties;
        unknownCheckingProxy = fromPolicy<{ unknownCheckingProxy: (bag: object) => Record<string, unknown> }>("@pulumi/policy/proxy").unknownCheckingProxy;
    });

    /** A request's Struct, counting how often it is converted. */
    function struct(props: Record<string, unknown>) {
        const wire = encodeProperties(props) as Record<string, unknown>;
        const counted = { calls: 0, toJavaScript: () => { counted.calls++; return structuredClone(wire); } };
        return counted;
    }

    it("hands out one bag per Struct and converts nothing until a policy reads it", () => {
        const request = struct({ name: "orders", apiKeyRequired: false });
        const bag = deserialize(request, false);
        assert.equal(deserialize(request, false), bag, "the same bag for every policy");
        const props = unknownCheckingProxy(bag);
        assert.equal(request.calls, 0, "creating @pulumi/policy's proxy around it reads nothing");
        assert.equal(props.name, "orders");
        assert.equal(request.calls, 1);
        assert.equal(props.apiKeyRequired, false);
        assert.equal(request.calls, 1, "converted once");
    });

    it("behaves as the plain bag for every read: keys, membership, descriptors, JSON, spread", () => {
        const request = struct({ name: "orders", tags: { team: "api" }, list: [1, 2] });
        const props = unknownCheckingProxy(deserialize(request, false));
        assert.deepEqual(Object.keys(props), Object.keys(unproxied(props)), "the loaded bag's keys, in its order");
        assert.deepEqual([...Object.keys(props)].sort(), ["list", "name", "tags"]);
        assert.equal("tags" in props, true);
        assert.equal("missing" in props, false);
        assert.equal(Object.getOwnPropertyDescriptor(props, "name")?.value, "orders");
        assert.deepEqual(JSON.parse(JSON.stringify(props)), { name: "orders", tags: { team: "api" }, list: [1, 2] });
        assert.deepEqual({ ...props }, { name: "orders", tags: { team: "api" }, list: [1, 2] });
        assert.equal(props instanceof Object, true);
    });

    it("unproxied gives the loaded plain bag, and secret-ness is recorded per top-level property without the value", () => {
        const request = struct({ name: "k", value: secret(PLANTED) });
        const props = unknownCheckingProxy(deserialize(request, false));
        const plain = unproxied(props);
        assert.equal(Object.getPrototypeOf(plain), Object.prototype);
        assert.equal(plain, unproxied(props), "the same bag every time");
        assert.equal(plain.value, PLANTED, "policies see the unwrapped value, as @pulumi/policy gives it");
        assert.deepEqual([...(secretPropsOf(props) ?? [])], ["value"]);
        assert.equal(request.calls, 1);
    });

    it("records a top-level property as secret when a secret is nested anywhere inside it, in objects or lists", () => {
        const request = struct({
            name: "k",
            inObject: { owner: "team", value: secret(PLANTED) },
            inList: ["a", secret(PLANTED)],
            deep: { stages: [{ settings: { keys: [{ value: secret(PLANTED) }] } }] },
            listOfLists: [[1], [[secret(PLANTED)]]],
            plainObject: { owner: "team", values: ["a", { b: "c" }] },
            plainList: [1, "two", { three: 3 }],
        });
        const props = unknownCheckingProxy(deserialize(request, false));
        assert.equal((unproxied(props).deep as { stages: Array<{ settings: { keys: Array<{ value: string }> } }> }).stages[0].settings.keys[0].value, PLANTED, "unwrapped for policies");
        assert.deepEqual([...(secretPropsOf(props) ?? [])].sort(), ["deep", "inList", "inObject", "listOfLists"]);
    });

    it("keeps the two deserialization modes apart (Remediate asks for secret-preserving proxies)", () => {
        const request = struct({ name: "k", value: secret(PLANTED) });
        const forAnalyze = deserialize(request, false);
        const forRemediate = deserialize(request, true);
        assert.notEqual(forAnalyze, forRemediate);
        assert.equal(deserialize(request, true), forRemediate);
        assert.equal(unknownCheckingProxy(forRemediate).name, "k");
        assert.equal(request.calls, 1, "only the mode that was read is converted");
    });
});
