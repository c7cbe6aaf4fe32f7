import assert from "node:assert/strict";
import { Expr } from "../../../../sources/terraform/hcl/expressions";
import { expansionFrom, pickInstance } from "../../../../sources/terraform/hcl/modules";
import { isTfUnknown, TF_UNKNOWN } from "../../../../sources/terraform/types";

/**
 * `count` / `for_each` expansion and instance selection, on their own (the whole reader, with
 * modules read from disk, is covered in ../hcl.test.ts).
 */

/** Raw hcl2json values stand for themselves here: the evaluator is the identity. */
const asIs = (raw: unknown): unknown => raw;

describe("sources/terraform/hcl/modules", () => {
    describe("expansionFrom", () => {
        it("no count or for_each: a single instance", () => {
            assert.deepEqual(expansionFrom({ name: "x" }, asIs), { kind: "single" });
        });

        it("count = N (a number or a numeric string): N instances with count.index", () => {
            for (const count of [2, "2"]) {
                assert.deepEqual(expansionFrom({ count }, asIs), {
                    kind: "instances",
                    instances: [{ suffix: "[0]", index: 0, keys: { count: 0 } }, { suffix: "[1]", index: 1, keys: { count: 1 } }],
                });
            }
            assert.deepEqual(expansionFrom({ count: 0 }, asIs), { kind: "instances", instances: [] });
        });

        it("an unknown, negative, fractional or huge count: one instance whose count.index is unknown", () => {
            for (const count of [TF_UNKNOWN, -1, 1.5, "two", 10_001]) {
                const expansion = expansionFrom({ count }, asIs);
                assert.equal(expansion.kind, "unknown", String(count));
                assert.ok(expansion.kind === "unknown" && isTfUnknown(expansion.keys.count));
            }
        });

        it("for_each over a map or a set of strings: one instance per key, each.key / each.value", () => {
            assert.deepEqual(expansionFrom({ for_each: { a: 1, b: { x: 2 } } }, asIs), {
                kind: "instances",
                instances: [
                    { suffix: "[\"a\"]", index: "a", keys: { eachKey: "a", eachValue: 1 } },
                    { suffix: "[\"b\"]", index: "b", keys: { eachKey: "b", eachValue: { x: 2 } } },
                ],
            });
            assert.deepEqual(expansionFrom({ for_each: ["p"] }, asIs), {
                kind: "instances",
                instances: [{ suffix: "[\"p\"]", index: "p", keys: { eachKey: "p", eachValue: "p" } }],
            });
        });

        it("for_each over an unknown or a list of non-strings: unknown each.key and each.value", () => {
            for (const collection of [TF_UNKNOWN, [1, 2], "text"]) {
                const expansion = expansionFrom({ for_each: collection }, asIs);
                assert.ok(expansion.kind === "unknown" && isTfUnknown(expansion.keys.eachKey) && isTfUnknown(expansion.keys.eachValue));
            }
        });

        it("evaluates count before for_each, and only the one it uses", () => {
            const seen: unknown[] = [];
            expansionFrom({ count: "c", for_each: "f" }, raw => {
                seen.push(raw);
                return 1;
            });
            assert.deepEqual(seen, ["c"]);
        });
    });

    describe("pickInstance", () => {
        const key = (value: unknown): Expr => ({ t: "literal", value });
        const evaluateKey = (expr: Expr): unknown => (expr.t === "literal" ? expr.value : TF_UNKNOWN);
        const output = { kind: "attr", name: "out" } as const;

        it("a single instance takes the steps as they are", () => {
            assert.deepEqual(pickInstance({ expansion: { kind: "single" }, instances: new Map([["", "only"]]) }, [output], evaluateKey), { instance: "only", rest: [output] });
        });

        it("expanded instances are selected by a leading index step", () => {
            const instances = new Map<string | number, string>([[0, "first"], ["k", "keyed"]]);
            const expansion = { kind: "instances", instances: [] } as const;
            assert.deepEqual(pickInstance({ expansion, instances }, [{ kind: "index", key: key("k") }, output], evaluateKey), { instance: "keyed", rest: [output] });
            assert.deepEqual(pickInstance({ expansion, instances }, [{ kind: "index", key: key(0) }], evaluateKey), { instance: "first", rest: [] });
            assert.equal(pickInstance({ expansion, instances }, [{ kind: "index", key: key(5) }], evaluateKey), undefined, "no such instance");
            assert.equal(pickInstance({ expansion, instances }, [output], evaluateKey), undefined, "no index step");
            assert.equal(pickInstance({ expansion, instances }, [{ kind: "index", key: { t: "opaque", traversals: [] } }], evaluateKey), undefined, "unknown key");
        });

        it("nothing when the expansion is unknown or the source was not read", () => {
            const instances = new Map([["", "only"]]);
            assert.equal(pickInstance({ expansion: { kind: "unknown", keys: {} }, instances }, [output], evaluateKey), undefined);
            assert.equal(pickInstance({ instances }, [output], evaluateKey), undefined);
        });
    });
});
