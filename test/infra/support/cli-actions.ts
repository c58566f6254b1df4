import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The IAM service prefix of each SDK package the CLI uses. */
const SERVICES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-cloudformation': 'cloudformation',
  '@aws-sdk/lib-storage': 's3',
};

/** Commands whose IAM action is not their name (the document client's, batch forms, S3's v2 names). */
const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'dynamodb:Get': ['dynamodb:GetItem'],
  'dynamodb:Put': ['dynamodb:PutItem'],
  'dynamodb:Update': ['dynamodb:UpdateItem'],
  'dynamodb:Delete': ['dynamodb:DeleteItem'],
  'dynamodb:BatchGet': ['dynamodb:BatchGetItem'],
  'dynamodb:BatchWrite': ['dynamodb:BatchWriteItem'],
  'sqs:ChangeMessageVisibilityBatch': ['sqs:ChangeMessageVisibility'],
  'sqs:DeleteMessageBatch': ['sqs:DeleteMessage'],
  'sqs:SendMessageBatch': ['sqs:SendMessage'],
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:HeadObject': ['s3:GetObject'],
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
  // lib-storage's Upload: PutObject, or CreateMultipartUpload/UploadPart/Complete (s3:PutObject) and Abort.
  's3:Upload': ['s3:PutObject', 's3:AbortMultipartUpload'],
};

/** Folders of cli/ that only ever talk to the local runtime (local up, demo, chaos). */
const LOCAL_ONLY = ['cli/local/', 'cli/chaos/'];

const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });

const resolveImport = (root: string, from: string, specifier: string): string | undefined => {
  const base = specifier.startsWith('#shared/')
    ? join(root, 'functions', 'shared', specifier.slice('#shared/'.length))
    : specifier.startsWith('.')
      ? resolve(dirname(from), specifier)
      : undefined;
  if (base === undefined) return undefined;
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
};

/**
 * Every IAM action the operator CLI's code can call against a deployed stage: the `new XCommand(…)`
 * (and lib-storage `new Upload(…)`) of cli/ (but its local-only folders) and of every module of ours
 * it imports, its service read from the package the command is imported from. Imports into local/
 * and lib/ are not followed: the one is the local runtime, the other constants for the CDK.
 */
export const cliActions = (root: string): string[] => {
  const seen = new Set<string>();
  const actions = new Set<string>();
  const queue = tsFiles(join(root, 'cli')).filter(
    (file) => !LOCAL_ONLY.some((folder) => relative(root, file).startsWith(folder)),
  );
  queue.push(join(root, 'bin', 'orderflow.ts'));
  while (queue.length > 0) {
    const file = queue.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const serviceOf = new Map<string, string>();
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const [, names = '', specifier = ''] = match;
      const service = SERVICES[specifier];
      if (service) {
        for (const name of names.split(',').map((part) => part.replace(/^\s*type\s+/, '').trim())) {
          if (name) serviceOf.set(name, service);
        }
      }
    }
    // A type-only import loads nothing at run time.
    const loaded = source.replace(/import type [^;]*;/g, '');
    for (const match of loaded.matchAll(/(?:import|from)\s*\(?\s*'([^']+)'/g)) {
      const target = resolveImport(root, file, match[1] ?? '');
      if (
        target &&
        !relative(root, target).startsWith('local/') &&
        !relative(root, target).startsWith('lib/')
      ) {
        queue.push(target);
      }
    }
    for (const match of source.matchAll(/new ([A-Z][A-Za-z0-9]*?)(Command)?\(/g)) {
      const [, name = '', command] = match;
      const service = serviceOf.get(`${name}${command ?? ''}`);
      if (!service || (command === undefined && name !== 'Upload')) continue;
      const action = `${service}:${name}`;
      for (const mapped of ACTIONS[action] ?? [action]) actions.add(mapped);
    }
  }
  return [...actions].sort();
};
