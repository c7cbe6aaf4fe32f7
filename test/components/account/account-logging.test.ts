import assert from "node:assert/strict";
import { ApiGatewayAccountLogging, PUSH_TO_CLOUDWATCH_POLICY_ARN } from "../../../components";
import { dependencyOf, one, record, T } from "../helpers";

describe("ApiGatewayAccountLogging", () => {
    it("creates a role API Gateway can assume, with the managed push-to-CloudWatch policy", async () => {
        const resources = await record(() => new ApiGatewayAccountLogging("account", { tags: { team: "platform" } }));
        const component = one(resources, "apigw-guard:index:ApiGatewayAccountLogging", "account");
        const role = one(resources, T.role, "account-cloudwatch");
        assert.equal(role.parent, component.urn);
        const trust = JSON.parse(String(role.props.assumeRolePolicy)) as { Statement: { Effect: string; Principal: { Service: string }; Action: string }[] };
        assert.deepEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        assert.deepEqual(role.props.tags, { team: "platform", "apigw-guard:managed-by": "apigw-guard:index:ApiGatewayAccountLogging" });
        const attachment = one(resources, T.rolePolicyAttachment, "account-cloudwatch");
        assert.equal(attachment.props.policyArn, PUSH_TO_CLOUDWATCH_POLICY_ARN);
        assert.equal(PUSH_TO_CLOUDWATCH_POLICY_ARN, "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs");
        assert.equal(dependencyOf(resources, attachment, "role", T.role).urn, role.urn);
    });

    it("points the account setting at the role, after the policy is attached, and keeps it on delete", async () => {
        const resources = await record(() => new ApiGatewayAccountLogging("account"));
        const account = one(resources, T.account, "account");
        const role = one(resources, T.role, "account-cloudwatch");
        assert.equal(dependencyOf(resources, account, "cloudwatchRoleArn", T.role).urn, role.urn);
        assert.equal(account.props.cloudwatchRoleArn, role.outputs.arn);
        assert.ok(account.dependencies.includes(one(resources, T.rolePolicyAttachment, "account-cloudwatch").urn));
        assert.equal(account.options.retainOnDelete, true);
    });
});
