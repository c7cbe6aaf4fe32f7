import assert from "node:assert/strict";
import fc from "fast-check";
import { REDACTED, redactSecretTexts } from "apigw-guard/policies/engine/redact";

describe("redacting secret texts (engine/redact.ts)", () => {
    it("redacts a secret where it stands as a whole, longest first, and leaves longer words alone", () => {
        const secrets = new Set(["dev", "dev-api.example.com", "x"]);
        assert.equal(redactSecretTexts("stage 'dev' of dev-api.example.com", secrets), `stage '${REDACTED}' of ${REDACTED}`);
        assert.equal(redactSecretTexts("device development devx", secrets), "device development devx");
        assert.equal(redactSecretTexts("dev", secrets), REDACTED);
        assert.equal(redactSecretTexts("a x b", secrets), `a ${REDACTED} b`);
        assert.equal(redactSecretTexts("nothing here", new Set()), "nothing here");
        assert.equal(redactSecretTexts("  ", new Set([" "])), "  ", "a blank secret redacts nothing");
    });

    it("agrees with a boundary-aware RegExp on random texts and secrets", () => {
        const word = fc.string({ unit: fc.constantFrom("a", "b", "-", ".", " ", "_", "1"), minLength: 1, maxLength: 5 });
        fc.assert(fc.property(fc.uniqueArray(word, { maxLength: 4 }), fc.string({ unit: fc.constantFrom("a", "b", "-", ".", " ", "_", "1"), maxLength: 30 }), (secrets, text) => {
            const usable = secrets.filter(s => s.trim() !== "").sort((a, b) => b.length - a.length);
            const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|\/-]/g, "\\$&");
            const expected = usable.length === 0 ? text : text.replace(new RegExp(`(?<![A-Za-z0-9_])(?:${usable.map(escape).join("|")})(?![A-Za-z0-9_])`, "g"), REDACTED);
            assert.equal(redactSecretTexts(text, new Set(secrets)), expected);
        }), { numRuns: 3000, seed: 3 });
    });
});
