"""boto3 checks against an alluxio-ts worker's S3 API; prints one JSON object with the results.

Usage: python3 boto3_checks.py ENDPOINT BUCKET PREFIX
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""
import json
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, bucket, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
s3 = boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1',
                  config=Config(s3={'addressing_style': 'path'}, signature_version='s3v4', retries={'max_attempts': 1}))
out = {}

# Paginated listing with a delimiter: every key once, common prefixes once, pages of at most 1000.
keys, prefixes, pages = [], [], 0
for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix=prefix, Delimiter='/'):
    pages += 1
    keys += [o['Key'] for o in page.get('Contents', [])]
    prefixes += [p['Prefix'] for p in page.get('CommonPrefixes', [])]
out['listing'] = {'keys': len(keys), 'unique': len(set(keys)), 'sorted': keys == sorted(keys), 'prefixes': prefixes, 'pages': pages,
                  'first': keys[:2], 'last': keys[-1:]}

# Listing v1 through the paginator as well (marker-based).
v1 = 0
for page in s3.get_paginator('list_objects').paginate(Bucket=bucket, Prefix=prefix):
    v1 += len(page.get('Contents', []))
out['listing_v1_recursive'] = v1

# Put / get / presigned GET.
body = bytes(range(256)) * 1000
s3.put_object(Bucket=bucket, Key='boto/obj.bin', Body=body)
got = s3.get_object(Bucket=bucket, Key='boto/obj.bin')
etag = got['ETag']
out['get_equal'] = got['Body'].read() == body
url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'boto/obj.bin'}, ExpiresIn=300)
with urllib.request.urlopen(url) as r:
    out['presigned_equal'] = r.read() == body

# An expired presigned URL.
expired = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'boto/obj.bin'}, ExpiresIn=1)
time.sleep(2)
try:
    urllib.request.urlopen(expired)
    out['expired'] = 'accepted'
except urllib.error.HTTPError as e:
    out['expired'] = [e.code, e.read().decode()]

# A presigned URL with its signature altered.
tampered = url.replace('X-Amz-Signature=', 'X-Amz-Signature=0') [:-1]
try:
    urllib.request.urlopen(tampered)
    out['tampered_presigned'] = 'accepted'
except urllib.error.HTTPError as e:
    out['tampered_presigned'] = [e.code, e.read().decode()]

# Conditional GET.
def status_of(**kw):
    try:
        s3.get_object(Bucket=bucket, Key='boto/obj.bin', **kw)
        return 200
    except ClientError as e:
        return int(e.response['ResponseMetadata']['HTTPStatusCode'])
out['if_none_match_same'] = status_of(IfNoneMatch=etag)
out['if_none_match_other'] = status_of(IfNoneMatch='"x"')
out['if_match_other'] = status_of(IfMatch='"x"')
out['if_match_same'] = status_of(IfMatch=etag)
out['range'] = s3.get_object(Bucket=bucket, Key='boto/obj.bin', Range='bytes=256-511')['Body'].read() == bytes(range(256))

# Unversioned bucket: list_object_versions lists each key once with VersionId null.
vs = s3.list_object_versions(Bucket=bucket, Prefix='boto/')
out['versions'] = [(v['Key'], v['VersionId']) for v in vs.get('Versions', [])]
s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': 'boto/obj.bin'}]})
try:
    s3.head_object(Bucket=bucket, Key='boto/obj.bin')
    out['deleted'] = False
except ClientError as e:
    out['deleted'] = e.response['ResponseMetadata']['HTTPStatusCode'] == 404

print(json.dumps(out))
