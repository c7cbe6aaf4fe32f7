import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { RotatingApiKey, RotatingApiKeyArgs } from "../../../components";
import { RecordedResource, runProgram } from "../../../testkit/record";
import { assertArgumentError, assertNeverPlaintext, dependencyOf, NOW, one, ofType, record, run, T, UNKNOWN } from "../helpers";

const DAY = 24 * 60 * 60 * 1000;

function key(args: RotatingApiKeyArgs = {}): () => RotatingApiKey {
    return () => new RotatingApiKey("partner", { now: NOW, ...args });
}

function tags(resource: RecordedResource): Record<string, string> {
    return resource.props.tags as Record<string, string>;
}

describe("RotatingApiKey", () => {
    it("creates two keys (slots a and b) with generated values, parented to the component", async () => {
        const resources = await record(key());
        const component = one(resources, "apigw-guard:index:RotatingApiKey", "partner");
        const keys = ofType(resources, T.apiKey);
        assert.deepEqual(keys.map(k => k.name).sort(), ["partner-a", "partner-b"]);
        for (const apiKey of keys) {
            assert.equal(apiKey.parent, component.urn);
            assert.equal(apiKey.props.enabled, true);
            const password = dependencyOf(resources, apiKey, "value", T.password);
            assert.equal(password.name, apiKey.name);
            assert.ok(Number(password.props.length) >= 40);
            assert.equal(password.props.special, false);
            assert.equal(apiKey.props.value, password.outputs.result);
            // A new value must be a new key, not an edit of the old one.
            assert.deepEqual(apiKey.options.replaceOnChanges, ["value"]);
            assert.equal(apiKey.options.deleteBeforeReplace, undefined);
        }
    });

    it("keeps the value secret in inputs and outputs, and in a preview leaves it unknown but generated", async () => {
        const resources = await record(key());
        const keys = ofType(resources, T.apiKey);
        assert.equal(keys.length, 2, "one key per rotation slot");
        for (const apiKey of keys) {
            assert.ok(apiKey.secretProps.has("value"));
            assert.ok(apiKey.outputSecretProps.has("value"));
        }
        const passwords = ofType(resources, T.password);
        assert.equal(passwords.length, 2, "one generated value per slot");
        for (const password of passwords) {
            assert.ok(password.outputSecretProps.has("result"));
        }
        const preview = await record(key(), true);
        const previewKeys = ofType(preview, T.apiKey);
        assert.equal(previewKeys.length, 2);
        for (const apiKey of previewKeys) {
            assert.equal(apiKey.props.value, UNKNOWN);
            assert.equal(dependencyOf(preview, apiKey, "value", T.password).type, T.password);
        }
    });

    it("never exposes a generated value in plain text: not in inputs, outputs, exports or logs", async () => {
        const recording = await run(() => {
            const k = key()();
            return { currentKeyId: k.currentKeyId, keyIds: k.keyIds, currentValue: k.currentValue };
        });
        const values = ofType(recording.resources, T.password).map(p => String(p.outputs.result));
        assert.equal(values.length, 2);
        for (const value of values) {
            assert.ok(value.length >= 40);
            assertNeverPlaintext(recording, value);
        }
        const exported = recording.exports.currentValue as Record<string, unknown>;
        assert.equal(exported["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "the exported value is a secret");
    });

    it("tags each key with its rotation time (known at preview) and the time it is replaced", async () => {
        const resources = await record(key({ rotationDays: 30 }), true);
        const a = tags(one(resources, T.apiKey, "partner-a"));
        const b = tags(one(resources, T.apiKey, "partner-b"));
        // 2026-11-27 with a 30-day period from 2024-01-01: a was issued 2026-11-16, b 2026-11-01.
        assert.equal(a["apigw-guard:rotated-at"], "2026-11-16T00:00:00Z");
        assert.equal(a["apigw-guard:rotates-at"], "2026-12-16T00:00:00Z");
        assert.equal(b["apigw-guard:rotated-at"], "2026-11-01T00:00:00Z");
        assert.equal(b["apigw-guard:slot"], "b");
        for (const t of [a, b]) {
            assert.match(t["apigw-guard:rotated-at"], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
            assert.ok(NOW.getTime() - Date.parse(t["apigw-guard:rotated-at"]) < 30 * DAY);
        }
    });

    it("drives each value from a time-rotation resource for its slot's window", async () => {
        const resources = await record(key({ rotationDays: 14 }));
        const rotation = one(resources, T.rotating, "partner-a");
        assert.equal(rotation.props.rotationDays, 14);
        assert.equal(rotation.props.rfc3339, tags(one(resources, T.apiKey, "partner-a"))["apigw-guard:rotated-at"]);
        const password = one(resources, T.password, "partner-a");
        assert.equal(dependencyOf(resources, password, "keepers", T.rotating).urn, rotation.urn);
        assert.deepEqual(password.props.keepers, { rotatedAt: rotation.props.rfc3339 });
    });

    it("rotates one slot at a time: half a period later only the older key has a new value", async () => {
        const snapshot = async (now: Date) => {
            const resources = await record(key({ now, rotationDays: 30 }));
            return Object.fromEntries(ofType(resources, T.apiKey).map(k => [k.name, { value: String(k.props.value), rotatedAt: tags(k)["apigw-guard:rotated-at"] }]));
        };
        const before = await snapshot(NOW);
        const halfLater = await snapshot(new Date(NOW.getTime() + 15 * DAY));
        const fullLater = await snapshot(new Date(NOW.getTime() + 30 * DAY));
        // b (the older key) was renewed; a, which clients were told to use, is untouched.
        assert.deepEqual(halfLater["partner-a"], before["partner-a"]);
        assert.notEqual(halfLater["partner-b"].value, before["partner-b"].value);
        assert.notEqual(halfLater["partner-b"].rotatedAt, before["partner-b"].rotatedAt);
        assert.notEqual(fullLater["partner-a"].value, before["partner-a"].value);
        assert.notEqual(fullLater["partner-b"].value, before["partner-b"].value);
    });

    it("exposes ids of both keys and says which is current", async () => {
        let component: RotatingApiKey | undefined;
        const recording = await run(() => {
            component = key()();
            return { current: component.currentKeyId, previous: component.previousKeyId, all: component.keyIds };
        });
        assert.ok(component);
        assert.equal(component.currentSlot, "a");
        assert.equal(component.nextRotationAt, "2026-12-01T00:00:00Z");
        assert.equal(component.overlapDays, 15);
        const a = one(recording.resources, T.apiKey, "partner-a");
        const b = one(recording.resources, T.apiKey, "partner-b");
        assert.deepEqual(recording.exports, { current: a.id, previous: b.id, all: [a.id, b.id] });
    });

    it("passes description, customer id, enabled and tags through", async () => {
        const resources = await record(key({ description: "Acme", customerId: "acme", enabled: false, tags: { team: "partners" }, valueLength: 64 }));
        const apiKey = one(resources, T.apiKey, "partner-a");
        assert.equal(apiKey.props.description, "Acme");
        assert.equal(apiKey.props.customerId, "acme");
        assert.equal(apiKey.props.enabled, false);
        assert.equal(tags(apiKey).team, "partners");
        assert.equal(tags(apiKey)["apigw-guard:managed-by"], "apigw-guard:index:RotatingApiKey");
        assert.equal(one(resources, T.password, "partner-a").props.length, 64);
    });

    it("keeps tags given as an Output", async () => {
        const resources = await record(key({ tags: pulumi.output({ team: "partners" }) }));
        assert.equal(tags(one(resources, T.apiKey, "partner-b")).team, "partners");
    });

    it("two recordings of the same key at the same time are identical (deterministic schedule)", async () => {
        const first = await runProgram(key(), { project: "test", stack: "dev", preview: false, now: NOW });
        const second = await runProgram(key(), { project: "test", stack: "dev", preview: false, now: NOW });
        assert.deepEqual(first.resources.map(r => r.props), second.resources.map(r => r.props));
    });

    describe("invalid arguments", () => {
        const cases: { args: RotatingApiKeyArgs; argument: string }[] = [
            { args: { rotationDays: 1 }, argument: "rotationDays" },
            { args: { rotationDays: 400 }, argument: "rotationDays" },
            { args: { rotationDays: 2.5 }, argument: "rotationDays" },
            { args: { valueLength: 39 }, argument: "valueLength" },
            { args: { valueLength: 129 }, argument: "valueLength" },
            { args: { rotationEpoch: "yesterday" }, argument: "rotationEpoch" },
            { args: { rotationEpoch: "2030-01-01T00:00:00Z" }, argument: "rotationEpoch" },
            { args: { now: new Date("nonsense") }, argument: "now" },
        ];
        for (const c of cases) {
            it(`refuses ${JSON.stringify(c.args)}, naming '${c.argument}'`, async () => {
                const error = await assertArgumentError(key(c.args), c.argument);
                assert.match(error.message, /^RotatingApiKey 'partner': /);
            });
        }
    });
});
