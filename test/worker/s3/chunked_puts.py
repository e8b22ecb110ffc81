"""PUTs keys with boto3: with Transfer-Encoding: chunked (signed, as botocore signs every header
but Expect and User-Agent), through upload_fileobj, and plainly; then reads each back.
Prints {"key": "ok" | "<error>"} as JSON. Usage: chunked_puts.py ENDPOINT BUCKET PREFIX COUNT"""
import hashlib
import io
import json
import sys

import boto3
from botocore.config import Config


def send_chunked(request, **_):
    """Makes botocore send the body with Transfer-Encoding: chunked (and sign that header)."""
    request.headers['Transfer-Encoding'] = 'chunked'
    if 'Content-Length' in request.headers:
        del request.headers['Content-Length']


def main():
    endpoint, bucket, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    config = Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1})
    s3 = boto3.client('s3', endpoint_url=endpoint, config=config)
    chunked = boto3.client('s3', endpoint_url=endpoint, config=config)
    chunked.meta.events.register('before-sign.s3.PutObject', send_chunked)
    out = {}
    for i in range(count):
        key = f'{prefix}/k{i}'
        data = hashlib.sha256(key.encode()).digest() * (1000 + 37 * i)
        try:
            if i % 3 == 0:
                chunked.put_object(Bucket=bucket, Key=key, Body=data)
            elif i % 3 == 1:
                s3.upload_fileobj(io.BytesIO(data), bucket, key)
            else:
                s3.put_object(Bucket=bucket, Key=key, Body=data)
            got = s3.get_object(Bucket=bucket, Key=key)['Body'].read()
            out[key] = 'ok' if got == data else f'read back {len(got)} bytes, wrote {len(data)}'
        except Exception as e:  # noqa: BLE001 - reported to the test
            out[key] = f'{type(e).__name__}: {e}'
    print(json.dumps(out))


if __name__ == '__main__':
    main()
