import assert from "node:assert/strict";
import { Entity, entityLink, externalLink, Inventory, linksOf, unknownLink } from "apigw-guard/policies/model/index";

const provenance = { source: "example" as const };

function api(ref: string, id?: string): Entity {
    return { kind: "rest-api", ref, name: ref, provenance, apiKeySource: "HEADER", ...(id ? { id } : {}) };
}

function stage(ref: string, restApi = unknownLink()): Entity {
    return { kind: "stage", ref, name: ref, provenance, apiVersion: "v1", restApi, stageName: ref, accessLogSettings: undefined };
}

function settings(ref: string, stageRef: string): Entity {
    return {
        kind: "method-settings", ref, name: ref, provenance, restApi: unknownLink(), stage: entityLink(stageRef), stageName: "prod",
        methodPath: "*/*", loggingLevel: "INFO", metricsEnabled: true, dataTraceEnabled: false, cachingEnabled: undefined, cacheDataEncrypted: undefined,
    };
}

describe("model Inventory", () => {
    it("answers every lookup over many entities, in the order given", () => {
        const entities = [api("a", "id-a"), stage("s1", entityLink("a")), stage("s2", externalLink("id-a")), settings("m1", "s1"), settings("m2", "s1")];
        const inventory = new Inventory(entities);
        assert.equal(inventory.size, 5);
        assert.deepEqual([...inventory.all()].map(e => e.ref), ["a", "s1", "s2", "m1", "m2"]);
        assert.equal(inventory.get("s2"), entities[2]);
        assert.equal(inventory.get("nope"), undefined);
        assert.deepEqual(inventory.ofKind("stage").map(e => e.ref), ["s1", "s2"]);
        assert.deepEqual(inventory.ofKind("api-key"), []);
        assert.equal(inventory.byId("rest-api", "id-a"), entities[0]);
        assert.equal(inventory.byId("stage", "id-a"), undefined);
        assert.equal(inventory.resolve(entityLink("a"), "rest-api"), entities[0]);
        assert.equal(inventory.resolve(entityLink("a"), "stage"), undefined);
        assert.equal(inventory.resolve(externalLink("id-a"), "rest-api"), entities[0]);
        assert.equal(inventory.resolve(unknownLink(), "rest-api"), undefined);
        assert.deepEqual(inventory.referencing("s1", "method-settings", "stage").map(e => e.ref), ["m1", "m2"]);
        assert.deepEqual(inventory.referencing("a", "stage", "restApi").map(e => e.ref), ["s1"]);
        assert.deepEqual(inventory.referencing("s2", "method-settings", "stage"), []);
    });

    it("answers the same lookups over one entity", () => {
        const only = settings("m1", "s1");
        const inventory = new Inventory([only], [{ message: "gap" }]);
        assert.equal(inventory.size, 1);
        assert.deepEqual([...inventory.all()], [only]);
        assert.equal(inventory.get("m1"), only);
        assert.equal(inventory.get("s1"), undefined);
        assert.deepEqual(inventory.ofKind("method-settings"), [only]);
        assert.deepEqual(inventory.ofKind("stage"), []);
        assert.deepEqual(inventory.referencing("s1", "method-settings", "stage"), [only]);
        assert.deepEqual(inventory.gaps, [{ message: "gap" }]);
        const self = new Inventory([stage("s", entityLink("s"))]);
        assert.equal(self.resolve(entityLink("s"), "stage")?.ref, "s");
        assert.deepEqual(self.referencing("s", "stage", "restApi").map(e => e.ref), ["s"]);
    });

    it("is empty when given nothing", () => {
        const inventory = new Inventory([]);
        assert.equal(inventory.size, 0);
        assert.deepEqual([...inventory.all()], []);
        assert.equal(inventory.get(""), undefined);
        assert.deepEqual(inventory.ofKind("stage"), []);
        assert.equal(inventory.byId("stage", "x"), undefined);
    });

    it("rejects a duplicate ref when built, whatever its iterable", () => {
        assert.throws(() => new Inventory([api("a"), stage("a")]), /duplicate entity ref a/);
        assert.throws(() => new Inventory(new Set([api("a"), stage("b"), stage("a")])), /duplicate entity ref a/);
    });

    it("does not change when the caller's array does", () => {
        const entities = [api("a"), stage("s")];
        const inventory = new Inventory(entities);
        entities.push(stage("t"));
        entities[0] = stage("x");
        assert.deepEqual([...inventory.all()].map(e => e.ref), ["a", "s"]);
        assert.equal(inventory.size, 2);
    });

    it("copies another inventory through all()", () => {
        const first = new Inventory([api("a", "i"), stage("s", entityLink("a"))]);
        const copy = new Inventory(first.all(), first.gaps);
        assert.deepEqual([...copy.all()], [...first.all()]);
        assert.equal(copy.byId("rest-api", "i")?.ref, "a");
    });

    it("lists the link fields of an entity in field order, usage-plan stages included", () => {
        assert.deepEqual(linksOf(settings("m", "s")), [["restApi", { kind: "unknown" }], ["stage", { kind: "entity", ref: "s" }]]);
        const plan: Entity = {
            kind: "usage-plan", ref: "p", name: "p", provenance, throttle: undefined, quota: undefined,
            apiStages: [{ restApi: externalLink("a"), stageName: "prod", stage: unknownLink("no stage") }],
        };
        assert.deepEqual(linksOf(plan), [["apiStages.stage", { kind: "unknown", reason: "no stage" }], ["apiStages.restApi", { kind: "external", id: "a" }]]);
        // Not a link: an object with a `kind` and other fields, or an unknown value.
        const stageWithLogs: Entity = {
            kind: "stage", ref: "s", name: "s", provenance, apiVersion: "v1", restApi: entityLink("a"), stageName: "s",
            accessLogSettings: { destinationArn: "arn", format: undefined, destination: entityLink("lg") },
        };
        assert.deepEqual(linksOf(stageWithLogs), [["restApi", { kind: "entity", ref: "a" }]]);
    });
});
