"""Conditional writes (If-None-Match: *, If-Match: <etag>) through boto3 against alluxio-ts workers.

Usage: python3 conditional_writes.py BUCKET ENDPOINT [ENDPOINT...]
Prints one JSON object with the results. Requests go to every endpoint in turn, so a key owned by
another worker is forwarded to its owner.
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""
import hashlib
import json
import sys
import threading

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

bucket, endpoints = sys.argv[1], sys.argv[2:]
config = Config(s3={'addressing_style': 'path'}, signature_version='s3v4', retries={'max_attempts': 1},
                read_timeout=120, max_pool_connections=32)


def client(i=0, headers=None):
    """A client of endpoint i; `headers` are added to every request before it is signed (Debian's
    botocore 1.29 predates the IfNoneMatch / IfMatch parameters of 2024)."""
    c = boto3.client('s3', endpoint_url=endpoints[i % len(endpoints)], region_name='us-east-1', config=config)
    if headers:
        def add(request, **_):
            for k, v in headers.items():
                request.headers[k] = v
        c.meta.events.register('before-sign.s3', add)
    return c


def cond(op, headers, i=0, **kwargs):
    return getattr(client(i, headers), op)(**kwargs)


s3 = client()
out = {}


def status(fn):
    """(HTTP status, S3 error code or None) of a call."""
    try:
        r = fn()
        return [r['ResponseMetadata']['HTTPStatusCode'], None]
    except ClientError as e:
        return [e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Code']]


def body_of(key):
    return s3.get_object(Bucket=bucket, Key=key)['Body'].read()


# PutObject with If-None-Match: *
a, b = b'first version', b'second version'
r = cond('put_object', {'If-None-Match': '*'}, 0, Bucket=bucket, Key='cond/k', Body=a)
out['create'] = [r['ETag'], '"%s"' % hashlib.md5(a).hexdigest()]
out['create_again'] = status(lambda: cond('put_object', {'If-None-Match': '*'}, 0, Bucket=bucket, Key='cond/k', Body=b))
out['kept_after_412'] = body_of('cond/k') == a
out['bad_if_none_match'] = status(lambda: cond('put_object', {'If-None-Match': '"abc"'}, 0, Bucket=bucket, Key='cond/k', Body=b))

# PutObject with If-Match: the current ETag replaces, a stale one or a missing key does not.
etag_a = r['ETag']
r2 = cond('put_object', {'If-Match': etag_a}, 0, Bucket=bucket, Key='cond/k', Body=b)
out['if_match_current'] = [r2['ResponseMetadata']['HTTPStatusCode'], body_of('cond/k') == b]
out['if_match_stale'] = status(lambda: cond('put_object', {'If-Match': etag_a}, 0, Bucket=bucket, Key='cond/k', Body=a))
out['kept_after_stale'] = body_of('cond/k') == b
out['if_match_missing'] = status(lambda: cond('put_object', {'If-Match': etag_a}, 0, Bucket=bucket, Key='cond/missing', Body=a))
out['missing_still_missing'] = status(lambda: s3.head_object(Bucket=bucket, Key='cond/missing'))

# A race: 8 clients (half on each endpoint) create one new key with If-None-Match: * at once,
# each with its own 3 MiB body; exactly one wins and the object is its body.
results = [None] * 8
bodies = [bytes([65 + i]) * (3 << 20) for i in range(8)]
gate = threading.Barrier(8)


def racer(i):
    c = client(i, {'If-None-Match': '*'})
    gate.wait()
    results[i] = status(lambda: c.put_object(Bucket=bucket, Key='cond/race', Body=bodies[i]))


threads = [threading.Thread(target=racer, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
winners = [i for i, s in enumerate(results) if s[0] == 200]
out['race'] = {'statuses': sorted(s[0] for s in results), 'codes': sorted({s[1] for s in results if s[1]}),
               'winner_body': len(winners) == 1 and body_of('cond/race') == bodies[winners[0]]}

# CompleteMultipartUpload with If-None-Match / If-Match.
PART = 5 << 20


def upload(key, fill):
    u = s3.create_multipart_upload(Bucket=bucket, Key=key)['UploadId']
    parts = []
    for n, data in enumerate([bytes([fill]) * PART, b'tail']):
        e = s3.upload_part(Bucket=bucket, Key=key, UploadId=u, PartNumber=n + 1, Body=data)['ETag']
        parts.append({'ETag': e, 'PartNumber': n + 1})
    return u, {'Parts': parts}


u, parts = upload('cond/k', 0x31)
out['mpu_if_none_match_exists'] = status(lambda: cond('complete_multipart_upload', {'If-None-Match': '*'}, 0, Bucket=bucket, Key='cond/k', UploadId=u, MultipartUpload=parts))
out['mpu_kept'] = body_of('cond/k') == b
out['mpu_if_match_stale'] = status(lambda: cond('complete_multipart_upload', {'If-Match': etag_a}, 0, Bucket=bucket, Key='cond/k', UploadId=u, MultipartUpload=parts))
# The refused upload is still there: completed with the current ETag it replaces the object.
out['mpu_if_match_current'] = status(lambda: cond('complete_multipart_upload', {'If-Match': r2['ETag']}, 0, Bucket=bucket, Key='cond/k', UploadId=u, MultipartUpload=parts))
out['mpu_replaced'] = body_of('cond/k') == bytes([0x31]) * PART + b'tail'

# Two uploads of one new key completed at once with If-None-Match: *: one wins.
ups = [upload('cond/mpu-race', 0x41 + i) for i in range(2)]
mpu_results = [None, None]
gate2 = threading.Barrier(2)


def completer(i):
    c = client(i, {'If-None-Match': '*'})
    gate2.wait()
    mpu_results[i] = status(lambda: c.complete_multipart_upload(Bucket=bucket, Key='cond/mpu-race', UploadId=ups[i][0], MultipartUpload=ups[i][1]))


threads = [threading.Thread(target=completer, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
won = [i for i, s in enumerate(mpu_results) if s[0] == 200]
out['mpu_race'] = {'statuses': sorted(s[0] for s in mpu_results),
                   'winner_body': len(won) == 1 and body_of('cond/mpu-race') == bytes([0x41 + won[0]]) * PART + b'tail'}

print(json.dumps(out))
