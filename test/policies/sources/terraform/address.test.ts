import assert from "node:assert/strict";
import { configAddress, moduleInstancePath, parseAddress, resourceAddress } from "../../../../policies/sources/terraform/address";

describe("sources/terraform address", () => {
    it("parses resource addresses with modules, count and for_each keys", () => {
        const address = parseAddress('module.api["eu.west"].module.inner[0].aws_api_gateway_method.get["a.b"]');
        assert.ok(address);
        assert.deepEqual(address.modules, [{ name: "api", key: '"eu.west"' }, { name: "inner", key: "0" }]);
        assert.equal(address.type, "aws_api_gateway_method");
        assert.equal(address.name, "get");
        assert.equal(address.key, '"a.b"');
        assert.equal(moduleInstancePath(address), 'module.api["eu.west"].module.inner[0]');
        assert.equal(configAddress(address), "module.api.module.inner.aws_api_gateway_method.get");
    });

    it("reads references: strips the attribute, keeps a literal index, drops a computed one", () => {
        const literal = parseAddress("aws_api_gateway_rest_api.api[0].root_resource_id");
        assert.ok(literal);
        assert.equal(resourceAddress(literal), "aws_api_gateway_rest_api.api[0]");
        assert.deepEqual(literal.attribute, ["root_resource_id"]);
        const computed = parseAddress("aws_api_gateway_api_key.k[count.index].id");
        assert.ok(computed);
        assert.equal(resourceAddress(computed), "aws_api_gateway_api_key.k");
        assert.equal(parseAddress("data.aws_region.current.name")?.mode, "data");
    });

    it("does not take variables, locals, module outputs or each/count for resources", () => {
        for (const reference of ["var.api_id", "local.tags", "module.api.rest_api_id", "each.value", "count.index", "path.module", "self.id"]) {
            assert.equal(parseAddress(reference), undefined, reference);
        }
        assert.equal(parseAddress('aws_x.y["unterminated]'), undefined);
    });
});
