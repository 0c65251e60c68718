// The Balint wire messages this suite reads and writes (which body a
// ServerMessage carries, the request id and code of a CommandResult, a
// ClientMessage envelope that holds only a request id and padding), through
// the types the TypeScript SDK generates from proto/balint/v1/balint.proto
// with protoc-gen-es: nothing here knows a field number but the padding's.
//
// They come from the SDK's build (client-sdk/ts/dist), and @bufbuild/protobuf
// from the SDK's own node_modules, the very copy its generated code imports
// (this suite does not depend on it). Without that build the suite stops at
// start and says so.
import { existsSync, readFileSync } from 'node:fs';

const sdkRoot = new URL('../../../client-sdk/ts/', import.meta.url);
const generated = new URL('dist/src/gen/balint/v1/balint_pb.js', sdkRoot);
const runtimeRoot = new URL('node_modules/@bufbuild/protobuf/', sdkRoot);
if (!existsSync(generated) || !existsSync(new URL('package.json', runtimeRoot))) {
  throw new Error(
    `the TypeScript SDK is not built (${existsSync(generated) ? runtimeRoot.pathname : generated.pathname} is missing): ` +
      'build it first: cd client-sdk/ts && npm ci && npm run build',
  );
}

// An entry point of @bufbuild/protobuf ('.', './wire') as `import` resolves
// it from the SDK: its ESM build, through the package's exports.
function runtime(subpath) {
  const { exports } = JSON.parse(readFileSync(new URL('package.json', runtimeRoot), 'utf8'));
  return new URL(exports[subpath].import, runtimeRoot).href;
}

const v1 = await import(generated.href);
const { create, fromBinary, toBinary } = await import(runtime('.'));
const { BinaryWriter, WireType } = await import(runtime('./wire'));

const { ClientMessageSchema, ServerMessageSchema } = v1;
export const ERROR_CODE_MALFORMED = v1.ErrorCode.MALFORMED;

// An unknown field of ClientMessage that carries padding: the server parses
// the envelope (protobuf keeps unknown fields), finds no body and answers
// MALFORMED with the request id echoed.
const PADDING_FIELD = 2047;
if (ClientMessageSchema.fields.some((f) => f.number === PADDING_FIELD))
  throw new Error(`ClientMessage now has a field ${PADDING_FIELD}, which this suite uses as padding`);

const asBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const encodedLength = (write) => write(new BinaryWriter()).finish().length;

// A ServerMessage: { body: 'result' | 'state' | ..., requestId, code } (the
// last two for a result; body is the generated oneof case, e.g. 'senderKey'),
// { body: 'none' } without a body, or { body: 'undecodable', error }.
export function decodeServerMessage(bytes) {
  let message;
  try {
    message = fromBinary(ServerMessageSchema, bytes);
  } catch (error) {
    return { body: 'undecodable', error: error.message };
  }
  const { case: body, value } = message.body;
  if (body === undefined) return { body: 'none' };
  if (body !== 'result') return { body };
  return { body, requestId: Number(value.requestId), code: value.code };
}

// A binary message of exactly `length` bytes that the server answers with
// MALFORMED and `requestId` (a ClientMessage with only a request id and an
// unknown field of 0xfe padding). Returns { bytes, requestId }: a message too
// short for that is 0xfe bytes (field 31, wire type 6: not protobuf), and the
// empty one is an empty ClientMessage, both answered with request id 0.
export function binaryMessage(length, requestId) {
  if (length === 0) return { bytes: asBuffer(toBinary(ClientMessageSchema, create(ClientMessageSchema))), requestId: 0 };
  const head = toBinary(ClientMessageSchema, create(ClientMessageSchema, { requestId: BigInt(requestId) })).length;
  const tag = encodedLength((w) => w.tag(PADDING_FIELD, WireType.LengthDelimited));
  for (let pad = length - head - tag - 1; pad >= 0; pad--) {
    if (head + tag + encodedLength((w) => w.uint32(pad)) + pad !== length) continue;
    const message = create(ClientMessageSchema, { requestId: BigInt(requestId) });
    // An unknown field's data is its value as on the wire: here the length and the bytes.
    const data = new BinaryWriter().bytes(new Uint8Array(pad).fill(0xfe)).finish();
    message.$unknown = [{ no: PADDING_FIELD, wireType: WireType.LengthDelimited, data }];
    const bytes = asBuffer(toBinary(ClientMessageSchema, message));
    if (bytes.length !== length) throw new Error(`a padded ClientMessage of ${bytes.length} bytes, not ${length}`);
    return { bytes, requestId };
  }
  return { bytes: Buffer.alloc(length, 0xfe), requestId: 0 };
}
