import * as real from '@smithy/core/event-streams';
import { ORDERFLOW_BUNDLING } from '../../../lib/bundling/bundle';
import {
  EventStreamSerde,
  eventStreamSerdeProvider,
  resolveEventStreamSerdeConfig,
} from '../../../lib/bundling/event-streams-unused';
import { PROJECT_ROOT } from '../../../lib/project-root';

describe('the event-stream stand-in of the function bundles (lib/bundling/event-streams-unused)', () => {
  it('exports every name the bundled SDK clients import from @smithy/core/event-streams', () => {
    // S3Client and its runtime config import these two; every protocol's dynamic import takes EventStreamSerde
    // and eventStreamSerdeProvider. esbuild fails the bundle on any other named import.
    expect(typeof real.resolveEventStreamSerdeConfig).toBe('function');
    expect(typeof real.eventStreamSerdeProvider).toBe('function');
    expect(typeof real.EventStreamSerde).toBe('function');
    expect(typeof resolveEventStreamSerdeConfig).toBe('function');
    expect(typeof eventStreamSerdeProvider).toBe('function');
    expect(typeof EventStreamSerde).toBe('function');
  });

  it('resolves a client config as the SDK does: the same object, with the marshaller its provider makes', () => {
    const marshaller = { made: true };
    const input = { region: 'us-east-1', eventStreamSerdeProvider: () => marshaller };
    const ours = resolveEventStreamSerdeConfig({ ...input });
    type SdkInput = Parameters<typeof real.resolveEventStreamSerdeConfig>[0];
    const sdk = real.resolveEventStreamSerdeConfig({ ...input } as unknown as SdkInput);
    expect(ours).toStrictEqual(sdk);
    const same = { ...input };
    expect(resolveEventStreamSerdeConfig(same)).toBe(same);
    expect(same).toHaveProperty('eventStreamMarshaller', marshaller);
  });

  it('refuses to read or write an event stream, saying why', () => {
    const marshaller = eventStreamSerdeProvider({});
    expect(() => marshaller.deserialize()).toThrow(/event streams are not bundled/);
    expect(() => marshaller.serialize()).toThrow(/event streams are not bundled/);
    expect(() => new EventStreamSerde({})).toThrow(/event streams are not bundled/);
  });

  it('is what the bundles get for @smithy/core/event-streams', () => {
    expect(ORDERFLOW_BUNDLING.alias['@smithy/core/event-streams']).toBe(
      `${PROJECT_ROOT}/lib/bundling/event-streams-unused.ts`,
    );
  });
});
