import assert from "node:assert/strict";
import { ApiKeyCsvError, GuardedUsagePlan, importApiKeysFromCsv, ImportedApiKeys, SecuredRestApi } from "../../../components";
import { assertNoLeak } from "../../../testkit/leaks";
import { assertNeverPlaintext, dependencyOf, FAKE_LAMBDA, one, ofType, plaintextOccurrences, record, recordFailure, run, T } from "../helpers";

// Random-looking, so that no fixed text (an account id in an ARN, an alphabet) shares 8 characters with them.
const PLANTED = "PLANTEDkeyQ7mX2vW9kZtB4nCy8EjLsHuF";
const OTHER = "otherKeyValue-R3dT6gP1wS5zM8hJ-qVnL";
const LIMITS = { throttle: { rateLimit: 10, burstLimit: 20 }, quota: { limit: 1000, period: "DAY" as const } };

function api(name = "orders-api", stageName = "v1"): SecuredRestApi {
    return new SecuredRestApi(name, { stageName, routes: [{ path: "/orders", method: "GET", integration: { type: "lambda", function: FAKE_LAMBDA } }] });
}

const VALID = [
    "Name,Key,Description,Enabled,UsagePlanIds",
    `acme,${PLANTED},"Acme, Inc.",TRUE,partners`,
    `globex,${OTHER},,false,"partners,internal"`,
].join("\n");

describe("importApiKeysFromCsv", () => {
    it("creates a key per row with its name, description and enabled flag, attached to the named plans", async () => {
        let imported: ImportedApiKeys | undefined;
        const resources = await record(() => {
            const orders = api();
            const other = api("internal-api", "v1");
            const partners = new GuardedUsagePlan("partners", { ...LIMITS, apiStages: [{ api: orders }] });
            const internal = new GuardedUsagePlan("internal", { ...LIMITS, apiStages: [{ api: other }] });
            imported = importApiKeysFromCsv("imported", { csv: VALID, usagePlans: { partners, internal }, rotatedAt: "2026-11-01T00:00:00Z" });
        });
        const component = one(resources, "apigw-guard:index:ImportedApiKeys", "imported");
        const acme = one(resources, T.apiKey, "imported/acme");
        assert.equal(acme.parent, component.urn);
        assert.equal(acme.props.name, "acme");
        assert.equal(acme.props.description, "Acme, Inc.");
        assert.equal(acme.props.enabled, true);
        assert.equal((acme.props.tags as Record<string, string>)["apigw-guard:rotated-at"], "2026-11-01T00:00:00Z");
        const globex = one(resources, T.apiKey, "imported/globex");
        assert.equal(globex.props.enabled, false);
        assert.deepEqual(ofType(resources, T.usagePlanKey).map(r => r.name).sort(), ["internal/imported/globex", "partners/imported/acme", "partners/imported/globex"]);
        const attachment = one(resources, T.usagePlanKey, "partners/imported/acme");
        assert.equal(dependencyOf(resources, attachment, "keyId", T.apiKey).urn, acme.urn);
        assert.ok(imported);
        assert.deepEqual([...imported.keys.keys()], ["acme", "globex"]);
        assert.equal(imported.keys.get("acme")?.line, 2);
    });

    it("handles the values as secrets: a planted value never appears unencrypted anywhere", async () => {
        const recording = await run(() => {
            const partners = new GuardedUsagePlan("partners", { ...LIMITS, apiStages: [{ api: api() }] });
            const internal = new GuardedUsagePlan("internal", { ...LIMITS, apiStages: [{ api: api("internal-api") }] });
            const imported = importApiKeysFromCsv("imported", { csv: VALID, usagePlans: { partners, internal } });
            return { keyIds: imported.keyIds };
        });
        const acme = one(recording.resources, T.apiKey, "imported/acme");
        assert.equal(acme.props.value, PLANTED, "the recorder unwraps the secret for policies");
        assert.ok(acme.secretProps.has("value"));
        assert.ok(acme.outputSecretProps.has("value"));
        // The attachment's copy of the value (as the AWS provider returns it) is secret too.
        const attachment = one(recording.resources, T.usagePlanKey, "partners/imported/acme");
        assert.equal(attachment.outputs.value, PLANTED);
        assert.ok(attachment.outputSecretProps.has("value"));
        assertNeverPlaintext(recording, PLANTED);
        assertNeverPlaintext(recording, OTHER);
    });

    it("attaches to usage plans managed elsewhere by id when allowed", async () => {
        const csv = `Name,Key,UsagePlanIds\nacme,${PLANTED},"c7y23b,glvrsr"\n`;
        const resources = await record(() => importApiKeysFromCsv("imported", { csv, allowExternalUsagePlanIds: true }));
        const attachments = ofType(resources, T.usagePlanKey);
        assert.deepEqual(attachments.map(a => [a.name, a.props.usagePlanId]).sort(), [["imported/acme/c7y23b", "c7y23b"], ["imported/acme/glvrsr", "glvrsr"]]);
        assert.deepEqual(attachments[0].options.additionalSecretOutputs, ["value"]);
    });

    it("accepts columns in any order, in any case, with Description, Enabled and UsagePlanIds optional", async () => {
        const resources = await record(() => importApiKeysFromCsv("imported", { csv: `key,NAME\n${PLANTED},acme\n` }));
        const acme = one(resources, T.apiKey, "imported/acme");
        assert.equal(acme.props.enabled, true);
        assert.equal(ofType(resources, T.usagePlanKey).length, 0);
    });

    describe("malformed files", () => {
        async function failure(csv: string, setup?: () => Record<string, GuardedUsagePlan>): Promise<ApiKeyCsvError> {
            const { error, resources } = await recordFailure(() => {
                const usagePlans = setup?.() ?? {};
                importApiKeysFromCsv("imported", { csv, usagePlans });
            });
            assert.ok(error instanceof ApiKeyCsvError, error.message);
            assert.equal(resources.filter(r => r.type === T.apiKey || r.type === T.usagePlanKey || r.type.endsWith("ImportedApiKeys")).length, 0, "nothing is created");
            // Whatever the CSV holds wrong, no key value of it is echoed.
            assertNoLeak("the CSV error", { message: error.message, stack: error.stack ?? "" }, [PLANTED, OTHER]);
            return error;
        }

        it("reports every bad row with its line number in one error, creates nothing, and echoes no value", async () => {
            const csv = [
                "Name,Key,Description,Enabled,UsagePlanIds",
                `acme,${PLANTED},fine,TRUE,partners`,
                "short,tooShort123,,TRUE,partners",
                `acme,${OTHER}X,duplicate name,TRUE,`,
                `copy,${PLANTED},same value as line 2,TRUE,`,
                `flag,${OTHER}Y,,yes,`,
                `nowhere,${OTHER}Z,,TRUE,unknown-plan`,
                `bad name!,${OTHER}W,,TRUE,`,
                `fields,${OTHER}V,TRUE`,
                `"unterminated,${OTHER}U,,TRUE,`,
            ].join("\n");
            const error = await failure(csv, () => ({ partners: new GuardedUsagePlan("partners", { ...LIMITS, apiStages: [{ api: api() }] }) }));
            assert.deepEqual(error.problems.map(p => p.line), [3, 4, 5, 6, 7, 8, 9, 10]);
            assert.match(error.message, /^importApiKeysFromCsv 'imported': argument 'csv' has 8 problems; nothing was created:/);
            assert.match(error.message, /line 3: Key must be 20 to 128 characters \(it has 11\)/);
            assert.match(error.message, /line 4: Name repeats the name on line 2/);
            assert.match(error.message, /line 5: Key has the same value as the key on line 2/);
            assert.match(error.message, /line 6: Enabled must be TRUE or FALSE/);
            assert.match(error.message, /line 7: UsagePlanIds entry 1 is not a plan passed in usagePlans/);
            assert.match(error.message, /line 8: Name must be/);
            assert.match(error.message, /line 9: has 3 fields; the header has 5/);
            assert.match(error.message, /line 10: column 1: the quoted field opened on line 10 is never closed/);
            for (const value of [PLANTED, OTHER, "tooShort123", "unknown-plan"]) {
                assert.deepEqual(plaintextOccurrences(error.message, value), [], `the error must not contain '${value.slice(0, 6)}...'`);
                assert.deepEqual(plaintextOccurrences(error.stack ?? "", value), []);
            }
        });

        it("refuses a file without a header row, without echoing the first row", async () => {
            const error = await failure(`acme,${PLANTED},desc,TRUE,\n`);
            assert.match(error.message, /line 1: column 1 of the header is not one of Name, Key, Description, Enabled, UsagePlanIds \(is the header row missing\?\)/);
            assert.doesNotMatch(error.message, new RegExp(PLANTED));
        });

        it("refuses unknown, repeated and missing columns, and empty files", async () => {
            assert.match((await failure(`Name,Key,Enabeld\nacme,${PLANTED},TRUE\n`)).message, /line 1: column 3 of the header is not one of/);
            assert.match((await failure(`Name,Key,name\nacme,${PLANTED},x\n`)).message, /line 1: the header names Name twice \(columns 1 and 3\)/);
            assert.match((await failure("Name,Description\nacme,x\n")).message, /line 1: the header has no Key column/);
            assert.match((await failure("")).message, /line 1: the file is empty/);
            assert.match((await failure("Name,Key\n")).message, /line 1: the file has a header but no keys/);
        });

        it("refuses a row that puts the key in two plans serving the same stage", async () => {
            const error = await failure(`Name,Key,UsagePlanIds\nacme,${PLANTED},"gold,silver"\n`, () => {
                const orders = api();
                return {
                    gold: new GuardedUsagePlan("gold", { ...LIMITS, apiStages: [{ api: orders }] }),
                    silver: new GuardedUsagePlan("silver", { ...LIMITS, apiStages: [{ api: orders }] }),
                };
            });
            assert.match(error.message, /line 2: UsagePlanIds entry 2 attaches the key to usage plans 'gold' and 'silver', which both serve stage 'v1' of SecuredRestApi 'orders-api'/);
        });

        it("refuses a repeated plan and an external id that is not allowed", async () => {
            const error = await failure(`Name,Key,UsagePlanIds\nacme,${PLANTED},"gold,gold"\nglobex,${OTHER},c7y23b\n`, () => ({
                gold: new GuardedUsagePlan("gold", { ...LIMITS, apiStages: [{ api: api() }] }),
            }));
            assert.match(error.message, /line 2: UsagePlanIds entry 2 repeats entry 1/);
            assert.match(error.message, /line 3: UsagePlanIds entry 1 is not a plan passed in usagePlans \(set allowExternalUsagePlanIds/);
        });
    });

    it("refuses invalid arguments by name", async () => {
        const notText = await recordFailure(() => importApiKeysFromCsv("imported", { csv: 42 as unknown as string }));
        assert.match(notText.error.message, /argument 'csv' must be the text of the file/);
        const badDate = await recordFailure(() => importApiKeysFromCsv("imported", { csv: VALID, rotatedAt: "last week" }));
        assert.match(badDate.error.message, /argument 'rotatedAt'/);
        const badPlan = await recordFailure(() => importApiKeysFromCsv("imported", { csv: VALID, usagePlans: { partners: {} as GuardedUsagePlan } }));
        assert.match(badPlan.error.message, /argument 'usagePlans\.partners'/);
    });
});
