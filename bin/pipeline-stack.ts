import { App, CfnElement, Stack, StackProps, Stage, StageProps, Validations } from 'aws-cdk-lib';
import { IProject } from 'aws-cdk-lib/aws-codebuild';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { telephonyStacks } from './telephony-app';

/** The command that synthesises this pipeline app, in the pipeline's synth step and by hand. */
export const PIPELINE_SYNTH_COMMAND = "npx cdk synth --app 'npx ts-node --prefer-ts-exts bin/pipeline.ts'";

/** Every stack of the example app, as one pipeline Stage: stacks in one Stage may reference each other. */
export class TelephonyStage extends Stage {
  public readonly stacks: ReturnType<typeof telephonyStacks>;

  constructor(scope: Construct, id: string, props: StageProps = {}) {
    super(scope, id, props);
    this.stacks = telephonyStacks(this);
  }
}

export interface TelephonyPipelineStackProps extends StackProps {
  /** The repository the pipeline builds, `owner/name`. */
  readonly repository: string;
  /**
   * The branch the pipeline builds.
   * @default 'main'
   */
  readonly branch?: string;
  /** The ARN of the CodeConnections (CodeStar) connection that gives the pipeline the repository. */
  readonly connectionArn: string;
}

/**
 * A CDK pipeline that builds this repository and deploys the example app's stacks, in us-east-1
 * and us-west-2, in one Stage. The stack needs a concrete account: cross-Region deployment puts
 * a replication bucket in each Region the Stage deploys to, in a support stack of that account.
 */
export class TelephonyPipelineStack extends Stack {
  public readonly pipeline: CodePipeline;
  public readonly stage: TelephonyStage;

  constructor(scope: Construct, id: string, props: TelephonyPipelineStackProps) {
    super(scope, id, props);
    this.pipeline = new CodePipeline(this, 'Pipeline', {
      synth: new ShellStep('Synth', {
        input: CodePipelineSource.connection(props.repository, props.branch ?? 'main', { connectionArn: props.connectionArn }),
        // npm ci also builds the handler bundles (the prepare script), which synthesis packages as assets.
        commands: ['npm ci', PIPELINE_SYNTH_COMMAND],
      }),
    });
    this.stage = new TelephonyStage(this, 'Telephony', { env: { account: this.account } });
    this.pipeline.addStage(this.stage);
    this.pipeline.buildPipeline();
    this.acknowledgePipelineFindings();
  }

  /**
   * The AwsSolutions findings on what CDK Pipelines creates, each by its exact finding ID with
   * the reason it is accepted. The IDs name the pipeline's own buckets, projects, account and
   * Region, so they are built from them.
   */
  private acknowledgePipelineFindings(): void {
    const { artifactBucket, crossRegionSupport } = this.pipeline.pipeline;
    const ref = (project: IProject) => `<${this.getLogicalId(project.node.defaultChild as CfnElement)}>`;
    const iam5 = (reason: string, ...findings: string[]) => findings.map((f) => ({ id: `AwsSolutions-IAM5[${f}]`, reason }));
    const logs = (name: string) => `Resource::arn:${this.partition}:logs:${this.region}:${this.account}:log-group:/aws/codebuild/${name}`;
    const reports = (name: string) => `Resource::arn:${this.partition}:codebuild:${this.region}:${this.account}:report-group/${name}`;
    const buckets = [artifactBucket, ...Object.values(crossRegionSupport).map((support) => support.replicationBucket)];
    const projects = [this.pipeline.synthProject, this.pipeline.selfMutationProject];
    const acknowledgements = [
      {
        id: 'AwsSolutions-S1',
        reason: "The pipeline's artifact and replication buckets hold only the cloud assembly and asset zips that the pipeline's own roles write and read; CloudTrail records access to them, and access logs would need another bucket in each Region.",
      },
      {
        id: 'AwsSolutions-CB4',
        reason: "The CodeBuild projects synthesise the app and publish its assets, which hold no secrets; their output is encrypted with the artifact bucket's S3-managed key rather than a customer managed KMS key in each Region.",
      },
      ...iam5(
        "CDK Pipelines grants the pipeline's roles read and write on its own artifact and replication buckets only; the action wildcards are the S3 action families reading and writing objects needs, the resource wildcards the objects in those buckets.",
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => `Action::${action}`),
        `Resource::<${this.getLogicalId(artifactBucket.node.defaultChild as CfnElement)}.Arn>/*`,
        ...buckets.slice(1).map((bucket) => `Resource::arn:${this.partition}:s3:::${this.resolve(bucket.bucketName)}/*`),
      ),
      ...iam5(
        "CodeBuild names each build's log stream and test report at run time, so each project may write only under its own log group and report-group prefix.",
        ...projects.flatMap((project) => [logs(`${ref(project)}:*`), reports(`${ref(project)}-*`)]),
      ),
      ...iam5(
        'One asset-publishing role serves the asset projects CDK Pipelines creates, one per asset, so it may write the CodeBuild log groups and report groups of this account and Region.',
        logs('*'),
        reports('*'),
      ),
      ...iam5(
        "The self-mutation step runs cdk deploy, which assumes this account's CDK bootstrap roles; a condition on their aws-cdk:bootstrap-role tag limits it to the deploy and publishing roles.",
        `Resource::arn:*:iam::${this.account}:role/*`,
      ),
      ...iam5(
        "CDK Pipelines grants these on '*': the self-mutation step reads CloudFormation stacks and lists S3 buckets to find the bootstrap stack and its asset bucket, named only at run time, and the asset-publishing role starts and watches the builds of the asset projects.",
        'Resource::*',
      ),
    ];
    for (const a of acknowledgements) Validations.of(this.pipeline).acknowledge(a);
    for (const support of Object.values(crossRegionSupport)) Validations.of(support.stack).acknowledge(acknowledgements[0]);
  }
}

/**
 * The pipeline app: `bin/pipeline.ts` runs it. Its settings come from context; cdk.json holds
 * placeholders, which `-c pipeline:account=...` (and the like) replace for a real deployment.
 */
export function telephonyPipeline(app: App): TelephonyPipelineStack {
  const setting = (key: string): string => {
    const value: unknown = app.node.tryGetContext(key);
    if (typeof value !== 'string' || value === '') throw new Error(`Pipeline app: context '${key}' is not set; add it to cdk.json or pass -c ${key}=...`);
    return value;
  };
  return new TelephonyPipelineStack(app, 'ChimeTelephonyPipeline', {
    env: { account: setting('pipeline:account'), region: 'us-east-1' },
    repository: setting('pipeline:repository'),
    connectionArn: setting('pipeline:connectionArn'),
  });
}
