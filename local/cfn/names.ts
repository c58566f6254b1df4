/**
 * Physical names the local runtime gives resources that the template leaves unnamed.
 * CloudFormation would generate `<stack>-<logicalId>-<random>`; locally the random part is left
 * out, so names stay the same from run to run and a kept --state-dir finds its tables again.
 */
interface NameRule {
  readonly maxLength: number;
  readonly lowercase?: boolean;
  /** Characters outside this class become `-`. */
  readonly invalid: RegExp;
  /** Appended to FIFO queues and topics, and counted in maxLength. */
  readonly fifoSuffix?: boolean;
}

const RULES: Readonly<Record<string, NameRule>> = {
  'AWS::S3::Bucket': { maxLength: 63, lowercase: true, invalid: /[^a-z0-9.-]/g },
  'AWS::SQS::Queue': { maxLength: 80, invalid: /[^A-Za-z0-9_-]/g, fifoSuffix: true },
  'AWS::SNS::Topic': { maxLength: 256, invalid: /[^A-Za-z0-9_-]/g, fifoSuffix: true },
  'AWS::DynamoDB::Table': { maxLength: 255, invalid: /[^A-Za-z0-9_.-]/g },
  'AWS::DynamoDB::GlobalTable': { maxLength: 255, invalid: /[^A-Za-z0-9_.-]/g },
  'AWS::Lambda::Function': { maxLength: 64, invalid: /[^A-Za-z0-9_-]/g },
  'AWS::StepFunctions::StateMachine': { maxLength: 80, invalid: /[^A-Za-z0-9_-]/g },
  'AWS::Events::Rule': { maxLength: 64, invalid: /[^A-Za-z0-9_.-]/g },
};

const DEFAULT_RULE: NameRule = { maxLength: 128, invalid: /[^A-Za-z0-9_.-]/g };

export const generatedName = (
  type: string,
  stackName: string,
  logicalId: string,
  options: { readonly fifo?: boolean } = {},
): string => {
  const rule = RULES[type] ?? DEFAULT_RULE;
  const suffix = rule.fifoSuffix && options.fifo ? '.fifo' : '';
  const clean = (text: string) => {
    const cased = rule.lowercase ? text.toLowerCase() : text;
    return cased.replace(rule.invalid, '-');
  };
  const id = clean(logicalId);
  // The logical id is what makes the name unique: shorten the stack part, never the id.
  const room = rule.maxLength - suffix.length - id.length - 1;
  const prefix =
    room > 0
      ? clean(stackName)
          .slice(0, room)
          .replace(/[-.]+$/, '')
      : '';
  const name = prefix ? `${prefix}-${id}` : id.slice(0, rule.maxLength - suffix.length);
  return `${name}${suffix}`;
};

/** The property that names a resource explicitly, per type. */
export const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::Rule': 'Name',
  'AWS::SSM::Parameter': 'Name',
};
