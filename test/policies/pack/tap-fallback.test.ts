import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { EngineResource, PackProcess, repoRoot, runLikeEngine, RunResult, secret } from "../../../testkit/engine";
import { assertNoLeak } from "../../../testkit/leaks";
import { insecureResources, NOW, PLANTED_KEY_VALUE, T, urnOf } from "./fixtures";

/** Random, so no fixed text of the code or the fixtures can hold a fragment of it by chance. */
const VALUE = `PLANTED${randomBytes(16).toString("hex")}`;
const SECRET_VALUE = `PLANTED${randomBytes(16).toString("hex")}`;
const FALLBACK_REASON = /whether the key value is a secret could not be observed/;
const RULE = "apigateway-api-key-value-secret";

/**
 * A preview in which the pack cannot install its secret tap (the `@pulumi/policy` internal module
 * it patches is hidden, as if a new version had moved it): rules must say they cannot tell, and
 * that path, like every other, must never print a key value.
 */
describe("CrossGuard pack without its secret tap (the fallback path), driven as the engine drives it", function () {
    this.timeout(120_000);
    let pack: PackProcess;
    let result: RunResult;

    function resources(): EngineResource[] {
        return [
            ...insecureResources(),
            { type: T.key, name: "typed-key", props: { name: "typed", enabled: true, value: VALUE, createdDate: "2026-05-20T00:00:00Z" } },
            { type: T.key, name: "secret-key", props: { name: "secret", enabled: true, value: secret(SECRET_VALUE), createdDate: "2026-05-20T00:00:00Z" } },
        ];
    }

    before(async () => {
        pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: NOW }, preload: [path.join(repoRoot(), "testkit", "no-secret-tap.cjs")] });
        result = await runLikeEngine(resources(), { pack });
    });

    after(async () => {
        await pack?.close();
    });

    it("takes the fallback: each key with a known value and no other problem gets the 'could not be observed' reason, in a CrossGuard message", () => {
        const fallback = result.diagnostics.filter(d => d.policyName === RULE && FALLBACK_REASON.test(d.message));
        assert.ok(fallback.every(d => d.enforcementLevel === "advisory" && d.message.startsWith("cannot tell yet")), "an unknown, never a violation");
        // old-key and copy-key share a value: that failure is reported instead (fingerprints need no tap).
        const keys = ["typed-key", "secret-key"].map(name => urnOf(T.key, name));
        assert.deepEqual([...new Set(fallback.map(d => d.urn))].sort(), [...keys].sort(), result.diagnostics.filter(d => d.policyName === RULE).map(d => d.message).join("\n"));
    });

    it("does not pass what it cannot see, nor claim plain text it cannot see", () => {
        const onSecretKey = result.diagnostics.filter(d => d.policyName === RULE && d.urn === urnOf(T.key, "secret-key"));
        assert.ok(onSecretKey.length > 0, "the secret key is not passed silently");
        assert.ok(onSecretKey.every(d => !/plain text/i.test(d.message)), onSecretKey.map(d => d.message).join("\n"));
        const shared = result.diagnostics.filter(d => d.policyName === RULE && /same value/.test(d.message)).map(d => d.urn);
        assert.deepEqual([...new Set(shared)].sort(), [urnOf(T.key, "copy-key"), urnOf(T.key, "old-key")].sort(), "values are still compared without the tap");
    });

    it("never lets any fragment of a planted value reach a diagnostic, a remediation, stdout or stderr", () => {
        const texts = {
            diagnostics: JSON.stringify(result.diagnostics),
            remediations: JSON.stringify(result.remediations.map(({ properties: _inputs, ...rest }) => rest)),
            notApplicable: JSON.stringify(result.notApplicable),
            stdout: pack.stdout(),
            stderr: pack.stderr(),
        };
        assert.ok(texts.diagnostics.length > 1000, "precondition: the run reported");
        assertNoLeak("tap-less pack run", texts, [VALUE, SECRET_VALUE, PLANTED_KEY_VALUE]);
    });
});
