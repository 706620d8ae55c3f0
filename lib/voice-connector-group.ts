import * as fs from 'fs';
import * as path from 'path';
import {
  Annotations,
  ArnFormat,
  CfnOutput,
  CfnParameter,
  CfnResource,
  CustomResource,
  CustomResourceProvider,
  CustomResourceProviderRuntime,
  Duration,
  IResource,
  Lazy,
  Names,
  Reference,
  RemovalPolicy,
  Resource,
  Stack,
  Token,
  Tokenization,
  Validations,
} from 'aws-cdk-lib';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { CfnLogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import {
  ApiNamespace,
  CallDistribution,
  groupIdProblem,
  GroupSpec,
  HANDLER_ACTIONS,
  ItemSpec,
  LIMITS,
  Naming,
  PHONE_NUMBER_ACTIONS,
  regionWarning,
  RESOLVED_METADATA_KEY,
  RESOURCE_TYPE,
  STACK_READ_ACTIONS,
  validateGroupSpec,
  validateLocation,
  validatePhoneNumbers,
} from './rules';

/**
 * A voice connector in a group, and its place in the failover order. Give the connector either as
 * a construct (`voiceConnector`) or by its ID (`voiceConnectorId`), not both.
 */
export interface VoiceConnectorItem {
  /**
   * The voice connector, declared in this app. The group reads its ID
   * (`attrVoiceConnectorId`), in this stack or, as any reference, in another.
   * @default - the connector is given by `voiceConnectorId`
   */
  readonly voiceConnector?: CfnVoiceConnector;
  /**
   * The voice connector's ID, for a connector declared outside this app or passed as a value.
   * @default - the connector is given by `voiceConnector`
   */
  readonly voiceConnectorId?: string;
  /** The order in which calls try the voice connectors: 1 first, up to 99. */
  readonly priority: number;
}

/** Properties of a `VoiceConnectorGroup`. */
export interface VoiceConnectorGroupProps {
  /**
   * The group's name, 1 to 256 characters. With Amazon Chime SDK Voice only letters, digits,
   * spaces, `_`, `.` and `-`. Changing it renames the group in place.
   * @default - a unique name made from the stack name and construct path; an adopted group keeps its own
   */
  readonly voiceConnectorGroupName?: string;
  /**
   * The voice connectors that take the group's calls, each once, at most as many as
   * `voiceConnectorsPerGroupQuota` allows. They may be in different AWS Regions, which lets calls
   * fail over when a Region is unavailable. Changing them updates the group in place.
   * @default - no voice connectors; an adopted group keeps its own
   */
  readonly voiceConnectorItems?: VoiceConnectorItem[];
  /**
   * The account's quota of voice connectors per group, which `voiceConnectorItems` may not exceed
   * (checked at synth and at deploy time). The quota is adjustable: state it here once AWS has
   * raised it for the account.
   * @default 3, the default quota
   */
  readonly voiceConnectorsPerGroupQuota?: number;
  /**
   * The API namespace that manages the group. Changing it replaces the group (the new group is
   * created before the old one is deleted).
   * @default ApiNamespace.CHIME_SDK_VOICE
   */
  readonly apiNamespace?: ApiNamespace;
  /**
   * The Region whose Amazon Chime SDK Voice endpoint manages the group. Not allowed with
   * `ApiNamespace.CHIME`, whose only endpoint is in us-east-1. Changing it replaces the group.
   * @default - the stack's Region
   */
  readonly apiRegion?: string;
  /**
   * How calls are spread over the voice connectors. Amazon Chime SDK Voice only.
   * @default - the service's default; an adopted group keeps its own
   */
  readonly callDistribution?: CallDistribution;
  /**
   * The ID of a group that already exists (made in the console, by script or by another tool) for
   * this resource to adopt instead of creating one. The deploy reads the group, in `apiNamespace`
   * and `apiRegion`, and makes it match what the other properties declare: a name, item list or
   * call distribution left out keeps what the group has, and numbers on the group that
   * `phoneNumbers` does not declare stay on it. A group that is not there fails the deploy, and
   * nothing is changed; a deploy that fails puts the group back as it was read.
   *
   * Requires an explicit `removalPolicy`: `RemovalPolicy.RETAIN` keeps the group when the resource
   * leaves the stack, `RemovalPolicy.DESTROY` deletes it. Removing this property later changes
   * nothing; pointing it at another group adopts that one and hands the old one to CloudFormation's
   * cleanup, under the same removal policy. A group may be adopted by one resource of an app only.
   * @default - the resource creates a new group
   */
  readonly adoptVoiceConnectorGroupId?: string;
  /**
   * What happens to the group when it leaves the stack or the stack is deleted.
   * `RemovalPolicy.RETAIN` keeps it (and its voice connector items) in the account.
   * `RemovalPolicy.SNAPSHOT` is refused: a group has no snapshots.
   * `applyRemovalPolicy` sets the same thing after construction. A group given by
   * `adoptVoiceConnectorGroupId` needs one of the two, stated.
   * @default RemovalPolicy.DESTROY; required with `adoptVoiceConnectorGroupId`
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Whether the group ID is also a stack output. CloudFormation allows 200 outputs per template,
   * so a stack with more groups than that leaves the output out; the ID stays available as
   * `voiceConnectorGroupId`, which other stacks can reference as usual.
   * @default true
   */
  readonly stackOutput?: boolean;
  /**
   * Exports the group ID stack output under this name, for `Fn.importValue` in other stacks.
   * Not allowed with `stackOutput: false`.
   * @default - the output is not exported
   */
  readonly exportName?: string;
  /**
   * Phone numbers associated with the group, which routes inbound calls only for its numbers.
   *
   * E.164 numbers already in the account's inventory (product type Voice Connector), at most
   * 1,000, each once; `addPhoneNumber` adds more after construction. An empty list declares that
   * the group has none, so the numbers it declared before are disassociated.
   * @default - the group's phone numbers are left alone
   */
  readonly phoneNumbers?: string[];
  /**
   * Move numbers associated elsewhere (the API's `ForceAssociate`). Without it such a number
   * fails the deploy with a reason naming it and where it is. This resource's own numbers always
   * move with it to a replacement group.
   * @default false
   */
  readonly forceAssociate?: boolean;
  /**
   * How long the handler's log group keeps its events. One handler function serves every group of
   * a stack, so this is a setting of the stack: groups that set it must agree, and a group that
   * leaves it out takes what another group of the stack set.
   * @default RetentionDays.TWO_YEARS, the default of aws-cdk-lib's `LogGroup`
   */
  readonly handlerLogRetention?: RetentionDays;
}

/** A voice connector group, created by this stack or imported. */
export interface IVoiceConnectorGroup extends IResource {
  /** The group's ID. */
  readonly voiceConnectorGroupId: string;
  /** The API namespace that manages the group. */
  readonly apiNamespace: ApiNamespace;
  /**
   * The group's ARN, `arn:<partition>:chime:<region>:<account>:vcg/<group ID>`. Only groups in
   * `ApiNamespace.CHIME_SDK_VOICE` have one: reading it on a legacy `ApiNamespace.CHIME` group
   * throws at synth time.
   */
  readonly voiceConnectorGroupArn: string;
}

/** What identifies a group that already exists, for `VoiceConnectorGroup.fromVoiceConnectorGroupAttributes`. */
export interface VoiceConnectorGroupAttributes {
  /** The group's ID, as the API returns it. */
  readonly voiceConnectorGroupId: string;
  /**
   * The API namespace that manages the group.
   * @default ApiNamespace.CHIME_SDK_VOICE
   */
  readonly apiNamespace?: ApiNamespace;
  /**
   * The Region whose Amazon Chime SDK Voice endpoint manages the group. It goes into the
   * group's ARN. Not allowed with `ApiNamespace.CHIME`, whose only endpoint is in us-east-1.
   * @default - the stack's Region
   */
  readonly region?: string;
  /**
   * The account that owns the group. It goes into the group's ARN.
   * @default - the stack's account
   */
  readonly account?: string;
}

/** The Lambda function's time limit; the handler stops calling the API well before it. */
const HANDLER_TIMEOUT = Duration.minutes(3);
/** How long the handler's log group keeps events when no group of the stack says. */
const DEFAULT_LOG_RETENTION = RetentionDays.TWO_YEARS;
const days = (retention: RetentionDays) => (retention === RetentionDays.INFINITE ? 'RetentionDays.INFINITE' : `${retention} days`);
/** How long CloudFormation waits for an answer before failing the resource, instead of an hour. */
const SERVICE_TIMEOUT = Duration.minutes(5);

/**
 * The handler asset built by `npm run build`: one function for both namespaces, so that a group's
 * ServiceToken stays the same whatever the user changes.
 */
function handlerDirectory(): string {
  // Walk up to the package root: this file runs as lib/*.ts in this repository and as dist/lib/*.js when installed.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const codeDirectory = path.join(dir, 'dist', 'handler');
  if (!fs.existsSync(path.join(codeDirectory, 'index.js'))) {
    throw new Error(`The handler bundle is missing at ${codeDirectory}; run 'npm run build' in the package first`);
  }
  return codeDirectory;
}

/**
 * Security-tool findings on the provider that are deliberate, with the reason for each. They are
 * recorded with aws-cdk-lib's Validations API, which cdk-nag and other validation plugins read.
 */
const PROVIDER_ACKNOWLEDGEMENTS = {
  Role: [
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'CustomResourceProvider attaches AWSLambdaBasicExecutionRole so the handler can write its CloudWatch logs; it grants nothing else.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'IAM has no resource type for Amazon Chime voice connector groups or phone numbers, so the group actions the handler calls, ' +
        'and the phone number association actions granted where a group declares phone numbers, can only be granted on "*".',
    },
  ],
  Handler: [
    {
      id: 'AwsSolutions-L1',
      reason: 'The handler bundle is built and tested for nodejs22.x (esbuild target node22); a runtime change is made deliberately with its tests, not automatically.',
    },
  ],
};

/**
 * The construct ID of the stack's one provider. Released stacks depend on it: the handler's logical
 * ID, and so every group's ServiceToken, is derived from it, and CloudFormation refuses to change
 * a custom resource's ServiceToken. It keeps the name it had when each namespace had its own
 * provider, so groups deployed then keep theirs.
 */
const PROVIDER_ID = 'VoiceConnectorGroupChimeSDKVoiceProvider';

/** The construct ID of the stack-wide provider object below; it adds nothing to the template. */
const STACK_PROVIDER_ID = 'VoiceConnectorGroupStackProvider';

/**
 * What every group of a stack shares: the one handler function (CDK's `CustomResourceProvider`),
 * the acknowledgements on it, the phone number grant and the names taken. Found once per stack
 * under a fixed ID, so each of these is done once per stack however many groups it holds.
 */
class StackProvider extends Construct {
  /** The stack's provider object, created on first use. */
  public static of(scope: Construct): StackProvider {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(STACK_PROVIDER_ID) as StackProvider | undefined) ?? new StackProvider(stack);
  }

  /** The handler function and its role, as a direct child of the stack under `PROVIDER_ID`. */
  public readonly provider: CustomResourceProvider;
  /** The handler's log group: `CustomResourceProvider` leaves logs to Lambda's default group, kept forever. */
  private readonly logGroup: CfnLogGroup;
  /** The group that set the log retention, if one did. */
  private logRetentionSetBy?: string;
  private phoneNumbersGranted = false;
  /** The groups of the stack by namespace, Region and name, to find two that share a name. */
  private readonly names = new Map<string, string>();

  private constructor(stack: Stack) {
    super(stack, STACK_PROVIDER_ID);
    this.provider = CustomResourceProvider.getOrCreateProvider(stack, PROVIDER_ID, {
      codeDirectory: handlerDirectory(),
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      timeout: HANDLER_TIMEOUT,
      description: 'Manages Amazon Chime voice connector groups through the ChimeSDKVoice and Chime APIs',
      // The handler answers CloudFormation itself: it needs the presigned URL's issue time, which
      // CDK's entrypoint hides. Only the function's Handler changes; its logical ID and ServiceToken stay.
      useCfnResponseWrapper: false,
      policyStatements: [
        { Effect: 'Allow', Action: [...HANDLER_ACTIONS], Resource: '*' },
        { Effect: 'Allow', Action: [...STACK_READ_ACTIONS], Resource: stack.stackId },
      ],
    });
    for (const [child, acknowledgements] of Object.entries(PROVIDER_ACKNOWLEDGEMENTS)) {
      for (const a of acknowledgements) Validations.of(this.provider.node.findChild(child)).acknowledge(a);
    }
    // A child of the provider, so its logical ID sits beside the role's and the handler's. Kept when
    // it leaves the stack, as aws-cdk-lib's LogGroup is by default, so the logs of a failed delete stay readable.
    this.logGroup = new CfnLogGroup(this.provider, 'Logs', { retentionInDays: DEFAULT_LOG_RETENTION });
    this.logGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
    (this.provider.node.findChild('Handler') as CfnResource).addPropertyOverride('LoggingConfig', { LogGroup: this.logGroup.ref });
  }

  /** Sets the handler's log retention for the stack, refusing a second group that asks for another. */
  public setLogRetention(group: VoiceConnectorGroup, retention: RetentionDays): void {
    const current = this.logGroup.retentionInDays ?? RetentionDays.INFINITE;
    if (this.logRetentionSetBy !== undefined && current !== retention) {
      throw new Error(
        `VoiceConnectorGroup ${group.node.path}: handlerLogRetention: ${days(retention)} given, but ${this.logRetentionSetBy} gives ${days(current)}; ` +
          "one handler function serves every group of the stack, so give the same value to every group that sets it, or set it on one group only",
      );
    }
    this.logRetentionSetBy ??= group.node.path;
    // RetentionDays.INFINITE is CloudFormation's absent property.
    this.logGroup.retentionInDays = retention === RetentionDays.INFINITE ? undefined : retention;
  }

  /**
   * Lets the handler associate and disassociate phone numbers. Stacks where no group declares
   * numbers keep the narrower policy; the statement is added to the role rather than decided when
   * the provider is created, so a group declared later in the stack still gets it.
   */
  public grantPhoneNumberActions(): void {
    if (this.phoneNumbersGranted) return;
    this.phoneNumbersGranted = true;
    this.provider.addToRolePolicy({ Effect: 'Allow', Action: [...PHONE_NUMBER_ACTIONS], Resource: '*' });
  }

  /**
   * Refuses a second group with the same name in the same namespace and Region of a stack. Groups
   * have no tags, so after an ambiguous failure the handler recognises the group a Create made by
   * its name and connectors; two groups of one stack must not be mistaken for each other.
   */
  public claimName(group: VoiceConnectorGroup, spec: GroupSpec): void {
    const key = JSON.stringify([spec.apiNamespace, spec.apiRegion ?? '', spec.voiceConnectorGroupName]);
    const other = this.names.get(key);
    if (other) {
      throw new Error(
        `VoiceConnectorGroup ${group.node.path}: voiceConnectorGroupName ${nameValue(group, spec.voiceConnectorGroupName)} is already the name of ${other} in the same ` +
          'API namespace and Region; give each group its own name (the handler tells groups apart by name and voice connectors when it reconciles a Create)',
      );
    }
    this.names.set(key, group.node.path);
  }
}

/**
 * An Amazon Chime voice connector group, managed by a CloudFormation custom resource.
 *
 * CloudFormation has `AWS::Chime::VoiceConnector` but no voice connector group type; this
 * construct fills that gap. All groups of a stack share one handler function, whichever API
 * namespace they use, and the group ID is also emitted as a stack output.
 */
export class VoiceConnectorGroup extends Resource implements IVoiceConnectorGroup {
  /**
   * Refers to a group that already exists, by its ID, managed through Amazon Chime SDK Voice in
   * the stack's Region and account. For a legacy group, or one elsewhere, use
   * `VoiceConnectorGroup.fromVoiceConnectorGroupAttributes`.
   * @param scope the construct the imported group is defined in
   * @param id the imported group's construct ID, unique within `scope`
   * @param voiceConnectorGroupId the group's ID, as the API returns it, for example `'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842'`
   */
  public static fromVoiceConnectorGroupId(scope: Construct, id: string, voiceConnectorGroupId: string): IVoiceConnectorGroup {
    return VoiceConnectorGroup.fromVoiceConnectorGroupAttributes(scope, id, { voiceConnectorGroupId });
  }

  /**
   * Refers to a group that already exists, by its ID, namespace, Region and account.
   * @param scope the construct the imported group is defined in
   * @param id the imported group's construct ID, unique within `scope`
   * @param attrs what identifies the group
   */
  public static fromVoiceConnectorGroupAttributes(scope: Construct, id: string, attrs: VoiceConnectorGroupAttributes): IVoiceConnectorGroup {
    const apiNamespace = attrs.apiNamespace ?? ApiNamespace.CHIME_SDK_VOICE;
    const legacy = apiNamespace === ApiNamespace.CHIME;
    const { voiceConnectorGroupId, region } = attrs;
    const problems: string[] = [];
    const idProblem = Token.isUnresolved(voiceConnectorGroupId) ? undefined : groupIdProblem('voiceConnectorGroupId', voiceConnectorGroupId);
    if (idProblem) problems.push(idProblem);
    problems.push(...validateLocation(apiNamespace, region, 'region', Token.isUnresolved, namingFor(scope)));
    if (problems.length > 0) {
      throw new Error(`VoiceConnectorGroup ${scope.node.path}/${id}: ${problems.join('; ')}`);
    }

    class Imported extends Resource implements IVoiceConnectorGroup {
      public readonly voiceConnectorGroupId = voiceConnectorGroupId;
      public readonly apiNamespace = apiNamespace;
      public get voiceConnectorGroupArn(): string {
        refuseLegacyArn(this, this.apiNamespace);
        return Stack.of(this).formatArn({
          service: 'chime',
          resource: 'vcg',
          resourceName: voiceConnectorGroupId,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          region: this.env.region,
          account: this.env.account,
        });
      }
    }
    return new Imported(scope, id, { region: legacy ? undefined : region, account: attrs.account });
  }

  public readonly voiceConnectorGroupId: string;
  /** The group's name, as given or as made up from the construct path. An adopted group's own name when none is given. */
  public readonly voiceConnectorGroupName: string;
  /** The API namespace that manages the group. */
  public readonly apiNamespace: ApiNamespace;
  /** The stack output that carries the group ID. Undefined with `stackOutput: false`. */
  public readonly idOutput?: CfnOutput;
  private readonly resource: CustomResource;
  /** The numbers the group declares; undefined while it leaves its numbers alone. */
  private declaredPhoneNumbers?: string[];
  /** Whether a removal policy was stated (the prop, or applyRemovalPolicy), as adoption requires. */
  private removalPolicyStated = false;

  /**
   * Declares a group in `scope`'s stack, with the stack's one handler function.
   * @param scope the construct the group is defined in
   * @param id the group's construct ID, unique within `scope`; it also makes the default name
   * @param props the group's properties
   */
  constructor(scope: Construct, id: string, props: VoiceConnectorGroupProps = {}) {
    super(scope, id);
    this.apiNamespace = props.apiNamespace ?? ApiNamespace.CHIME_SDK_VOICE;
    const legacy = this.apiNamespace === ApiNamespace.CHIME;
    const itemProblems: string[] = [];
    const adopt = props.adoptVoiceConnectorGroupId;
    // An adopted group keeps what the props leave out, so nothing is made up for it.
    const name =
      props.voiceConnectorGroupName ??
      (adopt !== undefined ? undefined : Names.uniqueResourceName(this, { maxLength: LIMITS.nameMaxLength, separator: '-', allowedSpecialCharacters: '-_.' }));

    const spec: GroupSpec = {
      apiNamespace: this.apiNamespace,
      apiRegion: legacy ? props.apiRegion : props.apiRegion ?? Stack.of(this).region,
      voiceConnectorGroupName: name,
      voiceConnectorItems: adopt !== undefined && props.voiceConnectorItems === undefined ? undefined : itemSpecs(props.voiceConnectorItems ?? [], itemProblems),
      adoptVoiceConnectorGroupId: adopt,
      callDistribution: props.callDistribution,
      phoneNumbers: props.phoneNumbers,
      forceAssociate: props.forceAssociate,
      voiceConnectorsPerGroupQuota: props.voiceConnectorsPerGroupQuota,
    };
    // An item that names no connector, or two, is reported once, not again as a bad ID.
    const unnamed = itemProblems.map((p) => `${p.split(':')[0]}.voiceConnectorId:`);
    const problems = [...itemProblems, ...validateGroupSpec(spec, Token.isUnresolved, namingFor(this, props.voiceConnectorItems)).filter((p) => !unnamed.some((prefix) => p.startsWith(prefix)))];
    if (props.stackOutput === false && props.exportName !== undefined) {
      problems.push('exportName: an export needs the stack output, which stackOutput: false leaves out; remove exportName or stackOutput');
    }
    if (problems.length > 0) {
      throw new Error(`VoiceConnectorGroup ${this.node.path}: ${problems.join('; ')}`);
    }
    for (const warning of regionWarnings(spec, props)) Annotations.of(this).addWarningV2(REGION_WARNING, warning);

    if (adopt !== undefined && !Token.isUnresolved(adopt)) claimAdoption(this, adopt);
    const shared = StackProvider.of(this);
    if (name !== undefined) shared.claimName(this, spec);
    if (props.handlerLogRetention !== undefined) shared.setLogRetention(this, props.handlerLogRetention);

    const serviceToken = shared.provider.serviceToken;
    if (props.phoneNumbers !== undefined) {
      // A copy, so that addPhoneNumber never changes the caller's array.
      this.declaredPhoneNumbers = Token.isUnresolved(props.phoneNumbers) ? props.phoneNumbers : [...props.phoneNumbers];
      shared.grantPhoneNumberActions();
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken,
      resourceType: RESOURCE_TYPE,
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        ...spec,
        // Lazy, so numbers added after construction are written too; undefined leaves the key out.
        phoneNumbers: Lazy.list({ produce: () => this.declaredPhoneNumbers }),
      },
    });
    // What the template cannot give resolved, resolved by CloudFormation, for the drift command.
    // Source: AWS CloudFormation Template Reference, "Intrinsic function reference" ("you can use
    // intrinsic functions in resource properties, outputs, metadata attributes, and update policy
    // attributes", every function that page lists, Fn::GetStackOutput and Fn::ImportValue among
    // them) and "Metadata attribute" ("you can use intrinsic functions ..., parameters, and pseudo
    // parameters within the Metadata attribute to add those interpreted values"; DescribeStackResource
    // returns them). Lazy, so numbers added after construction are in it too.
    (this.resource.node.defaultChild as CfnResource).addMetadata(
      RESOLVED_METADATA_KEY,
      Lazy.any({ produce: () => deployTimeValues({ ...spec, phoneNumbers: this.declaredPhoneNumbers }) }),
    );
    if (props.removalPolicy !== undefined || adopt === undefined) this.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    if (adopt !== undefined) {
      // Checked at synth, so that applyRemovalPolicy after construction counts too.
      this.node.addValidation({
        validate: () =>
          this.removalPolicyStated
            ? []
            : [
                `VoiceConnectorGroup ${this.node.path}: removalPolicy: a group given by adoptVoiceConnectorGroupId needs a stated removal policy, since it was not made by this stack: ` +
                  'RemovalPolicy.RETAIN keeps the group when the resource leaves the stack or the stack is deleted, RemovalPolicy.DESTROY deletes it then; give removalPolicy, or call applyRemovalPolicy',
              ],
      });
    }
    this.voiceConnectorGroupId = this.resource.ref;
    // The name the API answers: an adopted group's own when the props leave it out.
    this.voiceConnectorGroupName = name ?? this.resource.getAttString('VoiceConnectorGroupName');

    if (props.stackOutput ?? true) {
      // A name known only at deploy time (a token, or an adopted group's own) cannot go into a description, which is a literal.
      const named = name === undefined || Token.isUnresolved(name) ? '' : ` '${name}'`;
      const what = adopt === undefined ? 'Amazon Chime voice connector group' : 'adopted Amazon Chime voice connector group';
      this.idOutput = new CfnOutput(this, 'VoiceConnectorGroupId', {
        value: this.voiceConnectorGroupId,
        description: `ID of the ${what}${named} (${this.node.path})`,
        exportName: props.exportName,
      });
    }
  }

  /**
   * The group's ARN, as the API returns it. Amazon Chime SDK Voice groups only: reading it on an
   * `ApiNamespace.CHIME` group throws at synth time.
   */
  public get voiceConnectorGroupArn(): string {
    refuseLegacyArn(this, this.apiNamespace);
    return this.resource.getAttString('VoiceConnectorGroupArn');
  }

  /**
   * Associates more phone numbers with the group, as if they were in the `phoneNumbers` prop.
   *
   * The same rules apply: E.164 numbers from the account's inventory, each once across the prop
   * and every call, at most 1,000 in all; a call that breaks one throws and adds none. A group
   * without the prop declares its numbers from the first number added on, and the stack's handler
   * is then allowed to associate them. With no numbers, nothing changes.
   * @param phoneNumbers the numbers, for example `'+12065550100'`
   */
  public addPhoneNumber(...phoneNumbers: string[]): void {
    if (phoneNumbers.length === 0) return;
    const current = this.declaredPhoneNumbers ?? [];
    if (Token.isUnresolved(current)) {
      throw new Error(
        `VoiceConnectorGroup ${this.node.path}: phoneNumbers: the prop is a token (a list known only at deploy time), so numbers cannot be added to it; ` +
          'give every number in the prop, or give the prop a plain array whose elements may be tokens',
      );
    }
    const combined = [...current, ...phoneNumbers];
    const problems = validatePhoneNumbers(combined, Token.isUnresolved);
    if (problems.length > 0) {
      throw new Error(`VoiceConnectorGroup ${this.node.path}: addPhoneNumber: ${problems.join('; ')}`);
    }
    this.declaredPhoneNumbers = combined;
    StackProvider.of(this).grantPhoneNumberActions();
  }

  /**
   * Sets what happens to the group when it leaves the stack or the stack is deleted, like the
   * `removalPolicy` prop. `RemovalPolicy.SNAPSHOT` is refused: a group has no snapshots.
   * @param policy `RemovalPolicy.DESTROY` to delete the group, `RemovalPolicy.RETAIN` to keep it in the account
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    // Checked here rather than left to CDK, whose own check depends on a feature flag in the app's cdk.json.
    if (policy === RemovalPolicy.SNAPSHOT) {
      throw new Error(
        `VoiceConnectorGroup ${this.node.path}: removalPolicy: RemovalPolicy.SNAPSHOT is not possible, a voice connector group has no snapshots; use RemovalPolicy.RETAIN to keep the group or RemovalPolicy.DESTROY to delete it`,
      );
    }
    // The custom resource is an L2 of its own, so the policy goes to it rather than to a CfnResource child of this construct.
    this.resource.applyRemovalPolicy(policy);
    this.removalPolicyStated = true;
  }
}

/** The groups adopted in each app (by its root construct): group ID to the path of the group that adopts it. */
const ADOPTIONS = new WeakMap<IConstruct, Map<string, string>>();

/** Refuses a second resource of the app adopting the same group: each would change it, and either could delete it. */
function claimAdoption(group: VoiceConnectorGroup, groupId: string): void {
  const root = group.node.root;
  let adopted = ADOPTIONS.get(root);
  if (!adopted) ADOPTIONS.set(root, (adopted = new Map()));
  const other = adopted.get(groupId);
  if (other !== undefined) {
    throw new Error(
      `VoiceConnectorGroup ${group.node.path}: adoptVoiceConnectorGroupId: group '${groupId}' is already adopted by ${other}; a group can be managed by one resource only, ` +
        'so remove adoptVoiceConnectorGroupId from one of them, and refer to the group there with VoiceConnectorGroup.fromVoiceConnectorGroupId',
    );
  }
  adopted.set(groupId, group.node.path);
}

/**
 * The items as the custom resource writes them: each with the ID of its connector, given or read
 * from the construct. An item that names its connector twice or not at all adds a problem.
 */
function itemSpecs(items: VoiceConnectorItem[], problems: string[]): ItemSpec[] {
  if (Token.isUnresolved(items)) return items as ItemSpec[];
  return items.map((item, i) => {
    const { voiceConnector, voiceConnectorId, priority } = item;
    if (voiceConnector !== undefined && voiceConnectorId !== undefined) {
      problems.push(`voiceConnectorItems[${i}]: both voiceConnector and voiceConnectorId given; give the connector once, by one of them`);
    } else if (voiceConnector === undefined && voiceConnectorId === undefined) {
      problems.push(`voiceConnectorItems[${i}]: no voice connector given; give voiceConnector (a CfnVoiceConnector) or voiceConnectorId`);
    }
    return { voiceConnectorId: voiceConnector?.attrVoiceConnectorId ?? voiceConnectorId ?? '', priority };
  });
}

/**
 * The values of `properties` known only at deploy time (tokens), by their path (`a.0.b`);
 * undefined when there are none, so that a group declared with plain values adds no Metadata.
 */
function deployTimeValues(properties: object): Record<string, unknown> | undefined {
  const found: Record<string, unknown> = {};
  const visit = (value: unknown, at: string): void => {
    if (Token.isUnresolved(value)) found[at] = value;
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${at}.${i}`));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, at ? `${at}.${k}` : k);
  };
  visit(properties, '');
  return Object.keys(found).length > 0 ? found : undefined;
}

/** The ID of the synth-time warning about a Region where Amazon Chime SDK Voice has no voice connectors. */
const REGION_WARNING = 'cdk-chime-voice-connector-group:region';

/**
 * Warnings for the group's Region and each connector's `awsRegion` (not its stack's Region), when
 * known and not a Region where Amazon Chime SDK Voice has voice connectors. A connector is known
 * when given as `voiceConnector` or by a reference to a `CfnVoiceConnector`'s attribute.
 */
function regionWarnings(spec: GroupSpec, props: VoiceConnectorGroupProps): string[] {
  const warnings: (string | undefined)[] = [];
  if (spec.apiNamespace === ApiNamespace.CHIME_SDK_VOICE && spec.apiRegion !== undefined && !Token.isUnresolved(spec.apiRegion)) {
    warnings.push(regionWarning(props.apiRegion === undefined ? "apiRegion (the stack's Region)" : 'apiRegion', spec.apiRegion));
  }
  const items = props.voiceConnectorItems ?? [];
  if (!Token.isUnresolved(items)) {
    items.forEach((item, i) => {
      const connector = item.voiceConnector ?? connectorOf(item.voiceConnectorId);
      const region = connector?.awsRegion;
      if (connector === undefined || typeof region !== 'string' || Token.isUnresolved(region)) return;
      const property = item.voiceConnector ? 'voiceConnector' : 'voiceConnectorId';
      warnings.push(regionWarning(`voiceConnectorItems[${i}].${property} (voice connector ${connector.node.path}) awsRegion`, region));
    });
  }
  return warnings.filter((w): w is string => w !== undefined);
}

/** The voice connector whose attribute a token refers to, if it does. */
function connectorOf(value: string | undefined): CfnVoiceConnector | undefined {
  const token = value !== undefined && Token.isUnresolved(value) ? Tokenization.reverseCompleteString(value) : undefined;
  return token !== undefined && Reference.isReference(token) && CfnVoiceConnector.isCfnVoiceConnector(token.target) ? token.target : undefined;
}

/** The naming of the construct's messages: values as `nameValue` shows them, each item's connector by the property that gives it. */
function namingFor(scope: IConstruct, items?: VoiceConnectorItem[]): Naming {
  const given = (i: number) => (items !== undefined && !Token.isUnresolved(items) && items[i]?.voiceConnector !== undefined ? 'voiceConnector' : 'voiceConnectorId');
  return { value: (value) => nameValue(scope, value), connectorProperty: (i) => `voiceConnectorItems[${i}].${given(i)}` };
}

/**
 * How the construct's messages show a value. A token's text (`${Token[TOKEN.43]}`) means nothing
 * to the reader, so a token is named by what it refers to: a voice connector or a parameter by its
 * construct path, another reference by its attribute and path, anything else by the CloudFormation
 * expression it stands for.
 */
function nameValue(scope: IConstruct, value: unknown): string {
  if (!Token.isUnresolved(value)) return typeof value === 'string' ? `'${value}'` : String(value);
  const token = typeof value === 'string' ? Tokenization.reverseCompleteString(value) : Tokenization.reverse(value);
  if (token !== undefined && Reference.isReference(token)) {
    const { target, displayName } = token;
    if (CfnVoiceConnector.isCfnVoiceConnector(target)) return `voice connector ${target.node.path}`;
    if (target instanceof CfnParameter) return `the value of parameter ${target.node.path}`;
    return `${displayName} of ${target.node.path}`;
  }
  return `the deploy-time value ${JSON.stringify(Stack.of(scope).resolve(value))}`;
}

/**
 * The ARN is offered for Amazon Chime SDK Voice groups only: the legacy namespace, no longer
 * supported by AWS, is not relied on to return one, and a template that read a missing attribute
 * would fail at deploy time rather than here.
 */
function refuseLegacyArn(group: IVoiceConnectorGroup, namespace: ApiNamespace): void {
  if (namespace === ApiNamespace.CHIME) {
    throw new Error(
      `VoiceConnectorGroup ${group.node.path}: voiceConnectorGroupArn: a group in ApiNamespace.CHIME has no ARN attribute; refer to it by voiceConnectorGroupId, or manage the group through ApiNamespace.CHIME_SDK_VOICE`,
    );
  }
}
