/**
 * Stands in for `@smithy/core/event-streams` in the function bundles (an esbuild alias in
 * ORDERFLOW_BUNDLING). Every AWS SDK client's protocol imports event-stream support with a dynamic
 * `import()`, which esbuild cannot tree-shake, and the S3 client wires a marshaller into its config:
 * ~16 kB minified in every bundle. Event streams serve operations orderflow never calls (S3
 * SelectObjectContent, Lambda InvokeWithResponseStream); the clients are built as usual, and an
 * event stream, should one ever be read or written, throws rather than misbehave.
 */

const unused = (): never => {
  throw new Error(
    'AWS SDK event streams are not bundled in orderflow functions (lib/bundling/event-streams-unused)',
  );
};

/** What the S3 client's config holds as its marshaller: one that refuses both directions. */
class UnusedEventStreamMarshaller {
  deserialize(): never {
    return unused();
  }
  serialize(): never {
    return unused();
  }
}

export const eventStreamSerdeProvider = (_options?: unknown): UnusedEventStreamMarshaller =>
  new UnusedEventStreamMarshaller();

/** As the SDK's resolver: the client config gains its marshaller from the configured provider. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (input: T) => unknown }>(
  input: T,
): T & { eventStreamMarshaller: unknown } =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });

/** What a protocol loads to serialize or read an event stream. */
export class EventStreamSerde {
  constructor(_options?: unknown) {
    unused();
  }
}
