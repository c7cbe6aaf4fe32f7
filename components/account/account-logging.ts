import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withManagedBy } from "../tags";

export const ACCOUNT_LOGGING_TYPE = "apigw-guard:index:ApiGatewayAccountLogging";
export const PUSH_TO_CLOUDWATCH_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs";

export interface ApiGatewayAccountLoggingArgs {
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The per-region API Gateway account setting that lets stages write execution and access logs:
 * an IAM role API Gateway assumes, with the AWS managed push-to-CloudWatch policy, and
 * `aws.apigateway.Account` pointing at it. Create one per account and region (usually in a
 * shared "platform" stack) and pass it to every SecuredRestApi as `accountLogging`.
 */
export class ApiGatewayAccountLogging extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly account: aws.apigateway.Account;
    readonly cloudwatchRoleArn: pulumi.Output<string>;

    constructor(name: string, args: ApiGatewayAccountLoggingArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(ACCOUNT_LOGGING_TYPE, name, {}, opts);
        this.role = new aws.iam.Role(`${name}-cloudwatch`, {
            description: "Lets API Gateway write execution and access logs to CloudWatch Logs (apigw-guard)",
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "apigateway.amazonaws.com" },
                    Action: "sts:AssumeRole",
                }],
            }),
            tags: withManagedBy(args.tags, ACCOUNT_LOGGING_TYPE),
        }, { parent: this });
        const attachment = new aws.iam.RolePolicyAttachment(`${name}-cloudwatch`, {
            role: this.role.name,
            policyArn: PUSH_TO_CLOUDWATCH_POLICY_ARN,
        }, { parent: this });
        this.account = new aws.apigateway.Account(name, {
            cloudwatchRoleArn: this.role.arn,
        }, {
            parent: this,
            // API Gateway checks that the role can write logs when the setting is made.
            dependsOn: [attachment],
            // One setting serves every API in the region: deleting it with this stack would stop
            // logging for APIs that other stacks own.
            retainOnDelete: true,
        });
        this.cloudwatchRoleArn = this.account.cloudwatchRoleArn;
        this.registerOutputs({ cloudwatchRoleArn: this.cloudwatchRoleArn, roleArn: this.role.arn });
    }
}
