import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { collectGarbage } from "../../cli/memory";

const tick = () => new Promise<void>(resolve => setImmediate(resolve));

describe("collectGarbage", () => {
    it("collects an object nothing refers to any more", async () => {
        let held: object | undefined = { payload: new Array(1000).fill("x") };
        const ref = new WeakRef(held);
        held = undefined;
        // A WeakRef keeps its target until the end of the job that made or read it.
        await tick();
        collectGarbage();
        await tick();
        assert.equal(ref.deref(), undefined);
    });

    it("keeps what is still referred to", async () => {
        const held = { payload: "kept" };
        const ref = new WeakRef(held);
        await tick();
        collectGarbage();
        await tick();
        assert.equal(ref.deref(), held);
    });

    it("leaves no `gc` global behind, here or in contexts made afterwards", () => {
        collectGarbage();
        assert.equal(typeof (globalThis as { gc?: unknown }).gc, process.execArgv.includes("--expose-gc") ? "function" : "undefined");
        assert.equal(runInNewContext("typeof gc"), process.execArgv.includes("--expose-gc") ? "function" : "undefined");
    });
});
