import assert from "node:assert/strict";
import fc from "fast-check";
import { compileGlob, globMatches } from "apigw-guard/policies/engine/glob";
import { selectorMatches } from "apigw-guard/policies/engine/config";

/** The former matcher (a RegExp per glob): right on small inputs, exponential on hostile globs. */
function referenceMatches(glob: string, name: string): boolean {
    let source = "";
    for (let i = 0; i < glob.length; i++) {
        if (glob[i] === "*") {
            if (glob[i + 1] === "*") {
                source += "[\\s\\S]*";
                i++;
            } else {
                source += "[^/:.]*";
            }
        } else {
            source += glob[i].replace(/[\\^$.|?+()[\]{}\/-]/g, "\\$&");
        }
    }
    return new RegExp(`^${source}$`).test(name);
}

describe("waiver globs (engine/glob.ts)", () => {
    it("match as the RegExp they replace on every small glob and name (segment separators, runs of stars, literals)", () => {
        const glob = fc.string({ unit: fc.constantFrom("a", "b", "*", "/", ".", ":"), maxLength: 8 });
        const name = fc.string({ unit: fc.constantFrom("a", "b", "/", ".", ":", "*"), maxLength: 10 });
        fc.assert(fc.property(glob, name, (g, n) => globMatches(compileGlob(g), n) === referenceMatches(g, n)), { numRuns: 5000, seed: 20261203 });
    });

    it("collapse a run of wildcards into one step: `**` then `*` is `**`, `*` then `**` is `**`", () => {
        assert.deepEqual(compileGlob("a***b"), compileGlob("a**b"));
        assert.deepEqual(compileGlob("a*" + "**b"), compileGlob("a**b"));
        assert.equal(compileGlob("*".repeat(40) + "a").length, 2);
        assert.equal(globMatches(compileGlob("a***b"), "a/x.y:b"), true);
        assert.equal(globMatches(compileGlob("a*b"), "a/b"), false);
    });

    // Each of these took minutes per name as a backtracking RegExp; they must end at once (the
    // timeout is a hang guard, not a speed target).
    it("end on hostile globs: forty stars then a character, and alternating star-literal runs", function () {
        this.timeout(10_000);
        const name = "x".repeat(5000);
        assert.equal(selectorMatches("*".repeat(40) + "a", name), false);
        assert.equal(selectorMatches("*x".repeat(300) + "y", name), false);
        assert.equal(selectorMatches("**x".repeat(300) + "y", name + "/"), false);
        assert.equal(selectorMatches("*".repeat(40) + "x", name), true);
    });
});
