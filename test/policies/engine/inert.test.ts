import assert from "node:assert/strict";
import { inert, inertDeep } from "apigw-guard/policies/engine/inert";

describe("inert text (engine/inert.ts)", () => {
    it("shows controls as visible escapes and leaves other text alone", () => {
        assert.equal(inert("a\u001b[2Jb"), "a\\x1b[2Jb");
        assert.equal(inert("x\r\ny\tz"), "x\\r\\ny\\tz");
        assert.equal(inert("\u0007\u007f\u0085"), "\\x07\\x7f\\x85");
        assert.equal(inert("abc\u202edef\u2066"), "abc\\u202edef\\u2066");
        assert.equal(inert("\u2028\ue000"), "\\u2028\\ue000");
        assert.equal(inert("naïve ünïcödé — “quotes” ✓"), "naïve ünïcödé — “quotes” ✓");
    });

    it("copies only what changes: a clean value is returned as it is", () => {
        const clean = { a: ["x", { b: "y" }], n: 1, t: true, z: null };
        assert.equal(inertDeep(clean), clean);
        const dirty = { a: ["x", { b: "y\u001b" }], keep: { c: "d" } };
        const out = inertDeep(dirty);
        assert.notEqual(out, dirty);
        assert.equal(out.a[0], "x");
        assert.deepEqual(out.a[1], { b: "y\\x1b" });
        assert.equal(out.keep, dirty.keep, "an untouched branch is shared");
        assert.equal((dirty.a[1] as { b: string }).b, "y\u001b", "the input is not changed");
    });
});
