import assert from "node:assert/strict";
import { ApiKeyEntity, Entity, Inventory, unknown } from "apigw-guard/policies/model/index";
import { example, exampleRef } from "apigw-guard/policies/model/examples";
import { resolveRuleConfig } from "apigw-guard/policies/engine/config";
import rule from "apigw-guard/policies/rules/apigateway-api-key-value-secret";
import { Outcome } from "apigw-guard/policies/rules/types";
import { fingerprint } from "apigw-guard/policies/sources/secrets";
import { assertNoLeak } from "../../../testkit/leaks";
import { ruleRunner, outcomeFor } from "./support";

const run = ruleRunner(rule);


const keyRef = (name: string) => exampleRef("api-key", name);
const attachRef = (name: string) => exampleRef("usage-plan-key", name);

describe("apigateway-api-key-value-secret", () => {
    for (const handling of ["absent", "generated", "secret"] as const) {
        it(`passes a key whose value is ${handling}`, () => {
            const outcome = outcomeFor(run([example.apiKey("key", { value: { handling } })]), keyRef("key"));
            assert.equal(outcome.status, "pass");
            assert.match(outcome.message, /key 'key'/);
        });
    }

    it("fails a key whose value is plain text, saying how to fix it", () => {
        const outcome = outcomeFor(run([example.apiKey("key", { value: { handling: "plaintext", length: 40 } })]), keyRef("key"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /key 'key'/);
        assert.match(outcome.message, /plain text/);
        assert.match(outcome.message, /generate|secret/);
    });

    it("is unknown when the value handling is computed", () => {
        const outcome = outcomeFor(run([example.apiKey("key", { value: { handling: unknown("computed: known only after the update") } })]), keyRef("key"));
        assert.equal(outcome.status, "unknown");
        assert.match(outcome.message, /^cannot tell yet how the value of key 'key' is handled: computed: known only after the update/);
    });

    it("fails every key of a group sharing one value, naming the others", () => {
        const shared = fingerprint("shared-value-for-three-keys-000");
        const outcomes = run([
            example.apiKey("a", { value: { handling: "secret", fingerprint: shared } }),
            example.apiKey("b", { value: { handling: "secret", fingerprint: shared } }),
            example.apiKey("c", { value: { handling: "secret", fingerprint: shared } }),
            example.apiKey("d", { value: { handling: "secret", fingerprint: fingerprint("a-different-value-for-key-d-000") } }),
        ]);
        const a = outcomeFor(outcomes, keyRef("a"));
        assert.equal(a.status, "fail");
        assert.match(a.message, /same value as key\(s\) 'b', 'c'/);
        assert.match(outcomeFor(outcomes, keyRef("b")).message, /'a', 'c'/);
        assert.equal(outcomeFor(outcomes, keyRef("c")).status, "fail");
        assert.equal(outcomeFor(outcomes, keyRef("d")).status, "pass");
    });

    it("a duplicate fails even when the value handling itself is unknown", () => {
        const shared = fingerprint("shared-value-unknown-handling-0");
        const outcomes = run([
            example.apiKey("a", { value: { handling: unknown("computed"), fingerprint: shared } }),
            example.apiKey("b", { value: { handling: "secret", fingerprint: shared } }),
        ]);
        assert.equal(outcomeFor(outcomes, keyRef("a")).status, "fail");
    });

    it("caps the list of duplicates it names", () => {
        const shared = fingerprint("one-value-for-many-keys-0000000");
        const keys: ApiKeyEntity[] = [];
        for (let i = 0; i < 9; i++) {
            keys.push(example.apiKey(`k${i}`, { value: { handling: "secret", fingerprint: shared } }));
        }
        const outcome = outcomeFor(run(keys), keyRef("k0"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /'k1', 'k2', 'k3', 'k4', 'k5' and 3 more/);
    });

    it("fails a value shorter than the default minimum of 20", () => {
        const outcome = outcomeFor(run([example.apiKey("key", { value: { handling: "secret", length: 12 } })]), keyRef("key"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /key 'key': its value is shorter than 20 characters/);
    });

    it("honours a raised minLength", () => {
        const key = example.apiKey("key", { value: { handling: "secret", length: 25 } });
        assert.equal(outcomeFor(run([key]), keyRef("key")).status, "pass");
        const outcome = outcomeFor(run([key], { minLength: 32 }), keyRef("key"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /shorter than 32 characters/);
        assert.throws(() => resolveRuleConfig(rule, { minLength: 8 }), /apigateway-api-key-value-secret.*minLength/);
    });

    it("fails a usage-plan attachment that copies the value into state in plain text", () => {
        const outcome = outcomeFor(run([
            example.apiKey("key"),
            example.usagePlanKey("attach", { value: { handling: "plaintext", length: 40 } }),
        ]), attachRef("attach"));
        assert.equal(outcome.status, "fail");
        assert.match(outcome.message, /usage-plan attachment 'attach' exposes the API key value/);
        assert.match(outcome.message, /state/);
    });

    it("is not applicable to attachments without a value, and unknown when the copy's handling is computed", () => {
        const outcomes = run([
            example.apiKey("key"),
            example.usagePlanKey("plain"),
            example.usagePlanKey("secret", { value: { handling: "secret" } }),
            example.usagePlanKey("computed", { value: { handling: unknown("computed: known only after the update") } }),
        ]);
        assert.equal(outcomeFor(outcomes, attachRef("plain")).status, "not-applicable");
        assert.equal(outcomeFor(outcomes, attachRef("secret")).status, "not-applicable");
        const computed = outcomeFor(outcomes, attachRef("computed"));
        assert.equal(computed.status, "unknown");
        assert.match(computed.message, /^cannot tell yet whether usage-plan attachment 'computed'/);
    });

    it("an attachment's copy of a key value is not a duplicate of the key", () => {
        const value = fingerprint("value-copied-onto-the-attachment");
        const outcomes = run([
            example.apiKey("key", { value: { handling: "secret", fingerprint: value } }),
            example.usagePlanKey("attach", { value: { handling: "secret", fingerprint: value } }),
        ]);
        assert.equal(outcomeFor(outcomes, keyRef("key")).status, "pass");
    });

    it("never puts a planted value or its fingerprint in a message", () => {
        const planted = ["planted-secret-value-0001-abcdefgh", "planted-secret-value-0002-abcdefgh"];
        const prints = planted.map(fingerprint);
        const outcomes = run([
            example.apiKey("dup-1", { value: { handling: "plaintext", fingerprint: prints[0], length: planted[0].length } }),
            example.apiKey("dup-2", { value: { handling: "secret", fingerprint: prints[0], length: planted[0].length } }),
            example.apiKey("short", { value: { handling: "plaintext", fingerprint: prints[1], length: 5 } }),
            example.usagePlanKey("attach", { apiKey: { kind: "entity", ref: keyRef("dup-1") }, value: { handling: "plaintext", fingerprint: prints[0], length: planted[0].length } }),
        ]);
        assert.ok(outcomes.filter(o => o.status === "fail").length >= 4);
        for (const outcome of outcomes) {
            for (const secret of [...planted, ...prints]) {
                assert.ok(!outcome.message.includes(secret), `message leaks a secret: ${outcome.message}`);
            }
            assert.ok(!/planted-secret-value/.test(outcome.message));
            assert.ok(!/[0-9a-f]{16,}/.test(outcome.message), `message holds a hex digest: ${outcome.message}`);
        }
        assertNoLeak("messages", outcomes.map(outcome => outcome.message), [...planted, ...prints]);
    });

    it("its compliant example has no failure and its non-compliant example fails", () => {
        const compliant = run(rule.examples.compliant.entities);
        assert.ok(compliant.some(o => o.status === "pass"));
        assert.ok(compliant.length > 0 && compliant.every(o => o.status !== "fail"), JSON.stringify(compliant));
        assert.ok(run(rule.examples.nonCompliant.entities).some(o => o.status === "fail"));
    });
});
