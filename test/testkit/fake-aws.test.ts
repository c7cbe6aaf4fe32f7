import assert from "node:assert/strict";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { auditAccount } from "../../sources/aws/audit";
import { FakeApiGateway } from "../../testkit/fake-apigateway";
import { FakeAws, perAccount, signingScope } from "../../testkit/fake-aws";
import { CREDENTIALS, FAST_RETRY, NOW, REGION, smallAccount } from "../sources/aws/support";

describe("testkit: one fake endpoint for several AWS services", () => {
    it("reads the signing scope of a SigV4 Authorization header", () => {
        assert.deepEqual(
            signingScope("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/eu-west-1/logs/aws4_request, SignedHeaders=host, Signature=abc"),
            { accessKeyId: "AKIDEXAMPLE", region: "eu-west-1", service: "logs" },
        );
        assert.equal(signingScope(undefined), undefined);
        assert.equal(signingScope("Bearer token"), undefined);
    });

    it("routes the real SDK's API Gateway requests to the v1 fake, and attributes them to accounts by access key", async () => {
        const first = new FakeApiGateway({ [REGION]: smallAccount() });
        const second = new FakeApiGateway({ [REGION]: { restApis: [], apiKeys: [], usagePlans: [] } });
        const aws = new FakeAws({ services: { apigateway: perAccount({ "111111111111": first.serve.bind(first), "222222222222": second.serve.bind(second) }) }, mounted: [first, second] });
        const url = await aws.start();
        try {
            aws.credentialsFor("ASIAFAKESECONDACCOUNT", "222222222222");
            const common = { regions: [REGION], endpointUrl: url, unusedDays: 30, now: NOW, retry: FAST_RETRY };
            const one = await auditAccount({ ...common, credentials: CREDENTIALS });
            const two = await auditAccount({ ...common, credentials: { accessKeyId: "ASIAFAKESECONDACCOUNT", secretAccessKey: "s", sessionToken: "t" } });
            assert.ok(one.ofKind("rest-api").length > 0);
            assert.equal(two.ofKind("rest-api").length, 0);
            assert.ok(first.requests.length > 0 && second.requests.length > 0);
            assert.equal(aws.counts.get("apigateway"), first.requests.length + second.requests.length);
            assert.ok(aws.maxInFlight >= 1);
            assert.equal(aws.inFlight, 0);
        } finally {
            await aws.stop();
        }
    });

    it("answers a service no fake serves with an error the SDK reports, and records it", async () => {
        const aws = new FakeAws({ services: {} });
        const url = await aws.start();
        const sts = new STSClient({ region: REGION, endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 });
        try {
            await assert.rejects(sts.send(new GetCallerIdentityCommand({})));
            assert.equal(aws.unrouted.length, 1);
            assert.match(aws.unrouted[0], /\(sts\)$/);
        } finally {
            sts.destroy();
            await aws.stop();
        }
    });
});
