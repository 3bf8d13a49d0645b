import protobuf from 'protobufjs/light.js';

/**
 * TensorFlow's Event and Summary messages (tensorflow/core/util/event.proto, framework/summary.proto,
 * tensor.proto), only the fields TensorBoard's scalar and text plugins read, with their field
 * numbers; encoded by protobufjs.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['file_version', 'summary'] } },
          fields: {
            wall_time: { type: 'double', id: 1 }, step: { type: 'int64', id: 2 },
            file_version: { type: 'string', id: 3 }, summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simple_value', 'tensor'] } },
              fields: {
                tag: { type: 'string', id: 1 }, simple_value: { type: 'float', id: 2 },
                tensor: { type: 'TensorProto', id: 8 }, metadata: { type: 'SummaryMetadata', id: 9 },
              },
            },
          },
        },
        SummaryMetadata: {
          fields: { plugin_data: { type: 'PluginData', id: 1 } },
          nested: { PluginData: { fields: { plugin_name: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } } },
        },
        TensorProto: {
          fields: { dtype: { type: 'int32', id: 1 }, tensor_shape: { type: 'TensorShapeProto', id: 2 }, string_val: { rule: 'repeated', type: 'bytes', id: 8 } },
        },
        TensorShapeProto: { fields: {} },
      },
    },
  },
});
const Event = root.lookupType('tensorflow.Event');
const DT_STRING = 7;

function encode(message: Record<string, unknown>): Uint8Array {
  const b = Event.encode(Event.fromObject(message)).finish();
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The first record of every event file. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return encode({ wall_time: wallTime, file_version: 'brain.Event:2' });
}

/** One scalar: summary.value { tag, simple_value } at a step. */
export function scalarEvent(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  return encode({ wall_time: wallTime, step, summary: { value: [{ tag, simple_value: value }] } });
}

/** Markdown for TensorBoard's Text tab: a rank-0 DT_STRING tensor tagged for the text plugin. */
export function textEvent(tag: string, markdown: string, step: number, wallTime: number): Uint8Array {
  return encode({
    wall_time: wallTime, step,
    summary: { value: [{ tag, metadata: { plugin_data: { plugin_name: 'text' } }, tensor: { dtype: DT_STRING, tensor_shape: {}, string_val: [new TextEncoder().encode(markdown)] } }] },
  });
}

/** Decodes an Event (tests read files back with it). */
export function decodeEvent(bytes: Uint8Array): Record<string, unknown> {
  return Event.toObject(Event.decode(bytes), { longs: Number }) as Record<string, unknown>;
}
