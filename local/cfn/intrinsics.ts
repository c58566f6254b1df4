import { generatedName, NAME_PROPERTIES } from './names';
import { isJsonMap, type Json, type ResourceRef, resourcesOfType, type SynthesizedStack } from './template';

/** Where local resources live: the values CloudFormation's pseudo parameters and ARNs take locally. */
export interface LocalScope {
  readonly region: string;
  readonly accountId: string;
  /** The URL the SQS stand-in gives a queue of this name. */
  queueUrl(queueName: string): string;
}

/** A template the local runtime cannot interpret: say which value and where. */
export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

const SSM_PARAMETER_TYPE = /^AWS::SSM::Parameter::Value<String>$/;

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split,
 * Fn::ImportValue) to the values the resources have locally. Template parameters of type
 * `AWS::SSM::Parameter::Value<String>` resolve to the value of the SSM parameter some stack of the
 * same app creates: that is how the pipeline stack reads the stateful stack's names.
 */
export class IntrinsicResolver {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly stacks: readonly SynthesizedStack[],
    private readonly scope: LocalScope,
  ) {}

  resolve(value: Json, stack: SynthesizedStack): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, stack));
    if (!isJsonMap(value)) return value;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    const argument = only === undefined ? undefined : value[only];
    if (only !== undefined && argument !== undefined) {
      const intrinsic = this.intrinsic(only, argument, stack);
      if (intrinsic !== undefined) return intrinsic;
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item, stack)]));
  }

  resolveString(value: Json | undefined, stack: SynthesizedStack, what: string): string {
    const resolved = value === undefined ? undefined : this.resolve(value, stack);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new TopologyError(
      `${stack.stackName}: ${what} does not resolve to a string (${JSON.stringify(value)})`,
    );
  }

  /** The resource's name: its name property if the template sets one, else a stable generated name. */
  physicalName(ref: ResourceRef): string {
    const key = `${ref.stack.stackName}/${ref.logicalId}`;
    const known = this.names.get(key);
    if (known !== undefined) return known;
    const property = NAME_PROPERTIES[ref.resource.Type];
    const explicit = property === undefined ? undefined : ref.resource.Properties?.[property];
    const fifo = ref.resource.Properties?.FifoQueue === true || ref.resource.Properties?.FifoTopic === true;
    const name =
      explicit === undefined
        ? generatedName(ref.resource.Type, ref.stack.stackName, ref.logicalId, { fifo })
        : this.resolveString(explicit, ref.stack, `${ref.logicalId}.${property}`);
    this.names.set(key, name);
    return name;
  }

  resource(stack: SynthesizedStack, logicalId: string): ResourceRef {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) throw new TopologyError(`${stack.stackName}: no resource ${logicalId}`);
    return { stack, logicalId, resource };
  }

  arn(ref: ResourceRef): string {
    const { region, accountId } = this.scope;
    const name = this.physicalName(ref);
    switch (ref.resource.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${accountId}:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${accountId}:rule/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${accountId}:policy/${name}`;
      case 'AWS::SSM::Parameter':
        return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      default:
        throw new TopologyError(
          `${ref.stack.stackName}: no local ARN for ${ref.logicalId} (${ref.resource.Type})`,
        );
    }
  }

  /** What `Ref` returns for each type, as CloudFormation documents it. */
  ref(ref: ResourceRef): string {
    switch (ref.resource.Type) {
      case 'AWS::SQS::Queue':
        return this.scope.queueUrl(this.physicalName(ref));
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::IAM::ManagedPolicy':
        return this.arn(ref);
      default:
        return this.physicalName(ref);
    }
  }

  getAtt(ref: ResourceRef, attribute: string): string {
    if (attribute === 'Arn' || attribute === 'TopicArn') return this.arn(ref);
    if (['QueueName', 'TopicName', 'Name'].includes(attribute)) return this.physicalName(ref);
    if (attribute === 'QueueUrl') return this.ref(ref);
    if (attribute === 'Value' && ref.resource.Type === 'AWS::SSM::Parameter') {
      return this.resolveString(ref.resource.Properties?.Value, ref.stack, `${ref.logicalId}.Value`);
    }
    throw new TopologyError(
      `${ref.stack.stackName}: Fn::GetAtt ${ref.logicalId}.${attribute} (${ref.resource.Type}) has no local value`,
    );
  }

  private intrinsic(name: string, argument: Json, stack: SynthesizedStack): Json | undefined {
    switch (name) {
      case 'Ref':
        return this.refValue(this.str(argument, stack, 'Ref'), stack);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? argument.map((part) => this.str(part, stack, 'Fn::GetAtt'))
          : this.str(argument, stack, 'Fn::GetAtt').split(/\.(.*)/s);
        if (!logicalId || !attribute) throw new TopologyError(`bad Fn::GetAtt ${JSON.stringify(argument)}`);
        return this.getAtt(this.resource(stack, logicalId), attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = this.pair(argument, name);
        const list = this.resolve(parts, stack);
        if (!Array.isArray(list))
          throw new TopologyError(`Fn::Join needs a list: ${JSON.stringify(argument)}`);
        return list.map((part) => this.str(part, stack, 'Fn::Join')).join(this.str(separator, stack, name));
      }
      case 'Fn::Select': {
        const [index, list] = this.pair(argument, name);
        const items = this.resolve(list, stack);
        const item = Array.isArray(items) ? items[Number(this.resolve(index, stack))] : undefined;
        if (item === undefined)
          throw new TopologyError(`Fn::Select out of range: ${JSON.stringify(argument)}`);
        return item;
      }
      case 'Fn::Split': {
        const [separator, source] = this.pair(argument, name);
        return this.str(source, stack, name).split(this.str(separator, stack, name));
      }
      case 'Fn::Sub':
        return this.sub(argument, stack);
      case 'Fn::ImportValue':
        return this.importValue(this.str(argument, stack, name));
      default:
        return undefined;
    }
  }

  private refValue(target: string, stack: SynthesizedStack): string {
    const pseudo = this.pseudoParameter(target, stack);
    if (pseudo !== undefined) return pseudo;
    const parameter = stack.template.Parameters?.[target];
    if (parameter) return this.parameterValue(target, parameter.Type, parameter.Default, stack);
    return this.ref(this.resource(stack, target));
  }

  private pseudoParameter(name: string, stack: SynthesizedStack): string | undefined {
    const values: Record<string, string> = {
      'AWS::StackName': stack.stackName,
      // A stack id's last part is unique per creation; locally one fixed id per stack is enough.
      'AWS::StackId': `arn:aws:cloudformation:${this.scope.region}:${this.scope.accountId}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`,
      'AWS::Region': this.scope.region,
      'AWS::AccountId': this.scope.accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::NoValue': '',
    };
    return values[name];
  }

  private parameterValue(
    name: string,
    type: string,
    fallback: Json | undefined,
    stack: SynthesizedStack,
  ): string {
    if (SSM_PARAMETER_TYPE.test(type)) {
      const parameterName = this.str(fallback ?? null, stack, `parameter ${name}`);
      const owner = resourcesOfType(this.stacks, 'AWS::SSM::Parameter').find(
        (candidate) => this.physicalName(candidate) === parameterName,
      );
      if (!owner) {
        throw new TopologyError(
          `${stack.stackName}: parameter ${name} reads SSM parameter ${parameterName}, which no stack of the app creates`,
        );
      }
      return this.getAtt(owner, 'Value');
    }
    if (fallback === undefined || fallback === null) {
      throw new TopologyError(`${stack.stackName}: parameter ${name} has no default to use locally`);
    }
    return this.str(fallback, stack, `parameter ${name}`);
  }

  private sub(argument: Json, stack: SynthesizedStack): string {
    const [text, variables] = Array.isArray(argument) ? this.pair(argument, 'Fn::Sub') : [argument, {}];
    const template = this.str(text, stack, 'Fn::Sub');
    const vars = isJsonMap(variables) ? variables : {};
    return template.replace(/\$\{([^}!][^}]*)\}/g, (_match, expression: string) => {
      const variable = vars[expression];
      if (variable !== undefined) return this.str(variable, stack, 'Fn::Sub');
      const [logicalId, attribute] = expression.split(/\.(.*)/s);
      if (attribute && logicalId) return this.getAtt(this.resource(stack, logicalId), attribute);
      return this.refValue(expression, stack);
    });
  }

  private importValue(exportName: string): string {
    for (const stack of this.stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export && this.str(output.Export.Name, stack, 'Export.Name') === exportName) {
          return this.str(output.Value, stack, `export ${exportName}`);
        }
      }
    }
    throw new TopologyError(`Fn::ImportValue ${exportName}: no stack of the app exports it`);
  }

  private str(value: Json, stack: SynthesizedStack, what: string): string {
    return this.resolveString(value, stack, what);
  }

  private pair(argument: Json, name: string): [Json, Json] {
    if (!Array.isArray(argument) || argument.length !== 2) {
      throw new TopologyError(`${name} takes two arguments: ${JSON.stringify(argument)}`);
    }
    return [argument[0] ?? null, argument[1] ?? null];
  }
}
