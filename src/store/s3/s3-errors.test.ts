import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeS3Error, redactEndpoint } from './s3-errors.js';

const target = { endpoint: 'http://minio:9000', bucket: 'data' };
const sdkError = (name: string, status?: number, code?: string) =>
  Object.assign(new Error(`${name} from the SDK`), {
    name,
    ...(code ? { code } : {}),
    $metadata: { ...(status ? { httpStatusCode: status } : {}), attempts: 3 },
  });

describe('describeS3Error', () => {
  it('maps each kind of request failure to its code', () => {
    const cases: [unknown, string][] = [
      [sdkError('Error', undefined, 'ECONNREFUSED'), 'E_STORE_UNREACHABLE'],
      [sdkError('TimeoutError'), 'E_STORE_UNREACHABLE'],
      [sdkError('InternalError', 500), 'E_STORE_UNREACHABLE'],
      [sdkError('SlowDown', 503), 'E_STORE_UNREACHABLE'],
      [sdkError('SignatureDoesNotMatch', 403), 'E_STORE_AUTH'],
      [sdkError('InvalidAccessKeyId', 403), 'E_STORE_AUTH'],
      [sdkError('Forbidden', 403), 'E_STORE_AUTH'],
      [
        Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
        'E_STORE_AUTH',
      ],
      [sdkError('NoSuchBucket', 404), 'E_STORE_NOT_FOUND'],
      [sdkError('InvalidArgument', 400), 'E_STORE_REFUSED'],
    ];
    for (const [err, code] of cases) {
      const mapped = describeS3Error(err, target, 'PutObject');
      assert.equal(mapped?.code, code, String(err));
      assert.match(mapped!.message, /^S3 store http:\/\/minio:9000, bucket data: /);
    }
    assert.equal(describeS3Error(sdkError('NotFound', 404), target, 'HeadBucket')?.code, 'E_STORE_NOT_FOUND');
    assert.match(
      describeS3Error(sdkError('Error', undefined, 'ECONNREFUSED'), target, 'x')!.message,
      /ECONNREFUSED/,
    );
  });

  it('leaves errors that did not come from a request alone', () => {
    assert.equal(describeS3Error(new TypeError('x is not a function'), target, 'PutObject'), undefined);
    assert.equal(
      describeS3Error(Object.assign(new Error('disk full'), { code: 'ENOSPC' }), target, 'GetObject'),
      undefined,
    );
  });

  it('removes user info from endpoints', () => {
    assert.equal(redactEndpoint('http://key:secret@minio:9000/'), 'http://minio:9000');
    assert.equal(redactEndpoint('https://s3.example.com'), 'https://s3.example.com');
  });
});
