import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { assertNoLeak, findLeaks } from "../../testkit/leaks";
import { PackProcess, runLikeEngine, secret } from "../../testkit/engine";
import { insecureResources, NOW as PACK_NOW } from "../policies/pack/fixtures";
import { EXAMPLE_INFRA, scan, Scratch, stackExport, StackExportDoc } from "./helpers";

/**
 * Every value that arrives marked secret is a secret wherever it would be printed, whatever the
 * field (issue 15, 1): not only key values. Planted in a stage name, a domain name and tag values,
 * held as Pulumi secrets, as Terraform sensitive values and in an engine request.
 */
const STAGE = "stgPl4nt3dQx9";
const DOMAIN = "api-Pl4nt3dDm.example.com";
const TEAM = "teamPl4nt3dZz";
const PLANTED = [STAGE, DOMAIN, TEAM];
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const FORMATS = ["text", "json", "sarif", "junit", "markdown", "html"] as const;

function exportWith(held: "secret" | "plain"): StackExportDoc {
    const doc = stackExport();
    // `pulumi stack export --show-secrets` writes a secret as its JSON text under `plaintext`.
    const wrap = (value: unknown): unknown => held === "secret" ? { [SIG]: SECRET_SIG, plaintext: JSON.stringify(value) } : value;
    for (const resource of doc.deployment.resources) {
        for (const bag of [resource.inputs, resource.outputs]) {
            if (bag === undefined) {
                continue;
            }
            if (resource.type === "aws:apigateway/stage:Stage" || resource.type === "aws:apigateway/methodSettings:MethodSettings") {
                bag.stageName = wrap(STAGE);
            }
            if (resource.type === "aws:apigateway/apiKey:ApiKey" && resource.urn.endsWith("::client-old")) {
                bag.tags = wrap({ team: TEAM });
            }
        }
    }
    doc.deployment.resources.push({
        urn: "urn:pulumi:dev::orders::aws:apigateway/domainName:DomainName::legacy",
        type: "aws:apigateway/domainName:DomainName",
        id: "d1",
        inputs: { domainName: wrap(DOMAIN) as string, securityPolicy: "TLS_1_0" },
        outputs: { domainName: wrap(DOMAIN) as string, securityPolicy: "TLS_1_0" },
    });
    return doc;
}

function scanAllFormats(scratch: Scratch, input: string, tag: string): Record<string, string> {
    const outputs: string[] = [];
    for (const format of FORMATS.filter(f => f !== "text")) {
        outputs.push("--format", format, "--output", scratch.path(`${tag}.${format}`));
    }
    const run = scan([input, "--show-passes", ...outputs, "--format", "text"]);
    assert.equal(run.status, 1, run.stderr);
    const texts: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    for (const format of FORMATS.filter(f => f !== "text")) {
        texts[format] = readFileSync(scratch.path(`${tag}.${format}`), "utf8");
    }
    return texts;
}

describe("values that arrive marked secret are redacted in every output, whatever the field", function () {
    this.timeout(120_000);
    const scratch = new Scratch();
    after(() => scratch.cleanup());

    it("stack export: held in plain text, the planted stage and domain names are printed (the check can fail)", () => {
        const texts = scanAllFormats(scratch, scratch.file("plain-export.json", exportWith("plain")), "plain");
        assert.ok(findLeaks(texts.stdout, STAGE).length > 0 && findLeaks(texts.stdout, DOMAIN).length > 0);
    });

    it("stack export: held as secrets, no fragment of them in any of the six formats or stderr; the findings still stand", () => {
        const texts = scanAllFormats(scratch, scratch.file("secret-export.json", exportWith("secret")), "secret");
        assertNoLeak("stack export", texts, PLANTED);
        assert.match(texts.stdout, /custom domain '\[secret\]' uses security policy 'TLS_1_0'/);
        assert.match(texts.stdout, /REST API stage '\[secret\]'/);
    });

    it("Terraform plan: values under after_sensitive are redacted the same way", () => {
        const plan = JSON.parse(readFileSync(path.join(EXAMPLE_INFRA, "plan.json"), "utf8")) as { resource_changes: Array<{ type: string; change: { after: Record<string, unknown>; after_sensitive?: unknown } }> };
        const stages = plan.resource_changes.filter(change => change.type === "aws_api_gateway_stage");
        assert.ok(stages.length > 0);
        for (const change of stages) {
            change.change.after.stage_name = STAGE;
            change.change.after_sensitive = { ...(change.change.after_sensitive as object ?? {}), stage_name: true };
        }
        const texts = scanAllFormats(scratch, scratch.file("sensitive-plan.json", plan), "plan");
        assertNoLeak("terraform plan", texts, [STAGE]);
        assert.match(texts.stdout, /stage '\[secret\]'/);
    });

    it("the pack: secret-wrapped domain and stage names never reach a CrossGuard message", async () => {
        const pack = await PackProcess.start({ env: { APIGW_GUARD_NOW: PACK_NOW } });
        try {
            const resources = insecureResources().map(resource =>
                resource.type === "aws:apigateway/domainName:DomainName" ? { ...resource, props: { ...resource.props, domainName: secret(DOMAIN) } }
                    : resource.type === "aws:apigateway/stage:Stage" ? { ...resource, props: { ...resource.props, stageName: secret(STAGE) } }
                        : resource);
            const result = await runLikeEngine(resources, { pack });
            const messages = result.diagnostics.map(d => d.message);
            assert.ok(messages.some(m => m.includes("custom domain '[secret]'")), messages.join("\n"));
            assertNoLeak("pack diagnostics", messages, [DOMAIN, STAGE]);
            assertNoLeak("pack output", { stdout: result.stdout, stderr: result.stderr }, [DOMAIN, STAGE]);
        } finally {
            await pack.close();
        }
    });
});
