#!/usr/bin/env bash
# Verify an Audit Keeper archive without Audit Keeper: only the AWS CLI (v1 or v2), jq, openssl (3.0 or later),
# gzip, xargs and coreutils (sha256sum, base64, od, GNU date). docs/verify-by-hand.md explains every step and why it
# matters.
#
#   docs/verify-by-hand.sh [--prefix PREFIX] [--min-years N] ENDPOINT BUCKET TOPIC[/PARTITION] PUBLIC_KEY_PEM
#
#   ENDPOINT        the S3 endpoint URL (https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:7480), or - for the
#                   AWS CLI's own choice (AWS S3 in the configured region)
#   BUCKET          the archive bucket
#   TOPIC/PARTITION one partition's chain (audit.events/0), or TOPIC for every partition that has a manifest chain
#   PUBLIC_KEY_PEM  the manifest public key, as obtained out of band (not the copy in the bucket)
#   --prefix        the archiver's s3.prefix, if it has one
#   --min-years     the shortest retention accepted after an object's last event (default 6, as HIPAA asks)
#
# Credentials and region come from the usual AWS CLI sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
# AWS_PROFILE, AWS_DEFAULT_REGION, an instance role). Read-only access is enough.
#
# Prints one line per check, "OK", "FAIL" or "INFO", the check's name, what it is about and what was found, then
# PASSED or FAILED. Exit status: 0 every check passed; 1 at least one FAIL; 2 usage error or a missing tool;
# 3 S3 could not be read (unreachable, no permission): that is not evidence of tampering, and nothing was decided.
set -u -o pipefail

usage() {
  sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

PREFIX=""
MIN_YEARS=6
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --min-years) [ $# -ge 2 ] || usage; MIN_YEARS=$2; shift 2 ;;
    --min-years=*) MIN_YEARS=${1#--min-years=}; shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -?*) echo "verify-by-hand: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 4 ] || usage
ENDPOINT=$1 BUCKET=$2 TARGET=$3 PUBKEY=$4
[[ $MIN_YEARS =~ ^[0-9]+$ ]] || { echo "verify-by-hand: --min-years must be a whole number" >&2; exit 2; }
PREFIX=${PREFIX%/}
ROOT=${PREFIX:+$PREFIX/}            # every key of the archive starts with this
TOPIC=${TARGET%%/*}
PARTITION=""
[[ $TARGET == */* ]] && PARTITION=${TARGET#*/}
[ -n "$TOPIC" ] || usage
[[ -z $PARTITION || $PARTITION =~ ^[0-9]+$ ]] || { echo "verify-by-hand: partition must be a number" >&2; exit 2; }
[ -r "$PUBKEY" ] || { echo "verify-by-hand: cannot read the public key file $PUBKEY" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------------- output
FAILS=0
line() { printf '%-4s %-10s %s\n' "$1" "$2" "$3"; }
ok() { line OK "$1" "$2"; }
fail() { line FAIL "$1" "$2"; FAILS=$((FAILS + 1)); }
info() { line INFO "$1" "$2"; }
die() { echo "verify-by-hand: $2" >&2; exit "$1"; }

# ---------------------------------------------------------------------------------------------------- tools
for tool in aws jq openssl sha256sum base64 date mktemp gzip od xargs; do
  command -v "$tool" >/dev/null 2>&1 || die 2 "$tool is not installed (Debian: apt-get install awscli jq openssl gzip coreutils findutils)"
done
aws --version >/dev/null 2>&1 || die 2 "'aws --version' fails: the AWS CLI on PATH ($(command -v aws)) does not run"
date -u -d '2026-03-01T10:00:00.5Z' +%s%N >/dev/null 2>&1 || die 2 "date cannot parse ISO-8601 times; GNU date is needed"
WORK=$(mktemp -d) || die 2 "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
# The installed openssl must verify raw Ed25519 signatures (pkeyutl -rawin, OpenSSL 3.0+): prove it on a throwaway key.
printf 'probe' > "$WORK/probe"
if ! { openssl genpkey -algorithm ed25519 -out "$WORK/probe.key" &&
       openssl pkey -in "$WORK/probe.key" -pubout -out "$WORK/probe.pub" &&
       openssl pkeyutl -sign -inkey "$WORK/probe.key" -rawin -in "$WORK/probe" -out "$WORK/probe.sig" &&
       openssl pkeyutl -verify -pubin -inkey "$WORK/probe.pub" -rawin -in "$WORK/probe" -sigfile "$WORK/probe.sig"
     } >/dev/null 2>&1; then
  die 2 "$(openssl version) cannot sign and verify Ed25519 with pkeyutl -rawin; OpenSSL 3.0 or later is needed"
fi

# ---------------------------------------------------------------------------------------------------- S3
AWS=(aws)
[ "$ENDPOINT" = "-" ] || AWS+=(--endpoint-url "$ENDPOINT")
export AWS_PAGER=""                 # the AWS CLI v2 would page JSON through less
export AWS_EC2_METADATA_DISABLED=${AWS_EC2_METADATA_DISABLED:-true}

# s3api OPERATION ARGS... > file: the JSON answer on stdout. Returns 0, or 4 with $S3_ERROR set to S3's error code
# when S3 answered that the thing does not exist (or has no lock). Anything else (unreachable, denied, a bad
# signature) ends the script with exit 3: it decides nothing about the archive.
# Never call it inside $( ): exit 3 would only leave the subshell.
S3_ERROR=""
s3api() {
  S3_ERROR=""
  if "${AWS[@]}" s3api "$@" --output json 2>"$WORK/aws.err"; then
    return 0
  fi
  S3_ERROR=$(sed -n 's/.*An error occurred (\([A-Za-z0-9]*\)).*/\1/p' "$WORK/aws.err" | head -n 1)
  if [ -z "$S3_ERROR" ] && grep -q "NoneType" "$WORK/aws.err"; then
    # Ceph 16 sends an empty <Message/> with its errors, and the AWS CLI's S3 error handler then fails with
    # "argument of type 'NoneType' is not iterable", hiding the error code: ask again with --debug and read it there.
    S3_ERROR=$("${AWS[@]}" --debug s3api "$@" --output json 2>&1 >/dev/null | grep -o '<Code>[^<]*</Code>' \
      | head -n 1 | sed 's/<[^>]*>//g')
  fi
  case "$S3_ERROR" in
    NoSuchKey|NoSuchVersion|404|NoSuchObjectLockConfiguration|ObjectLockConfigurationNotFoundError) return 4 ;;
  esac
  die 3 "aws s3api $1 failed (${S3_ERROR:-no S3 error code}): $(tr '\n' ' ' < "$WORK/aws.err")"
}

# Nanoseconds since the epoch of an ISO-8601 time (as the manifests and the AWS CLI write them).
ns() { date -u -d "$1" +%s%N; }
day_ns=$((86400 * 1000000000))
# Java's Duration.ofDays(365 * N + N / 4), as `auditkeeper verify --min-retention-years` counts a year.
MIN_RETENTION_NS=$(((365 * MIN_YEARS + MIN_YEARS / 4) * day_ns))
NOW_NS=$(date -u +%s%N)

# ---------------------------------------------------------------------------------------------------- canonical forms
# The signed bytes of a manifest entry: these fields in this order, compact, no newline (ManifestEntry's canonical
# form). jq writes numbers and strings the same way as long as the strings hold no control character and the numbers
# stay below 2^53; entry_problem refuses anything else rather than verify the wrong bytes.
# Format version 2 adds keyId (the signing key's id) after retainUntil, version 3 merkleRoot (the root over the
# object's events) after keyId; version 1 has neither.
ENTRY_FIELDS='version,topic,partition,firstOffset,lastOffset,count,firstEventTime,lastEventTime,key,versionId,sha256,previousHash,retentionMode,retainUntil'
entry_fields() {
  case "$(jq -r .version "$1")" in
    2) echo "$ENTRY_FIELDS,keyId" ;;
    3) echo "$ENTRY_FIELDS,keyId,merkleRoot" ;;
    *) echo "$ENTRY_FIELDS" ;;
  esac
}
canonical_entry() { jq -j -c "{$(entry_fields "$1")}" "$1"; }
# The entry's hash, which the next entry records as previousHash: SHA-256 of the same form with the signature last.
entry_hash() { jq -j -c "{$(entry_fields "$1"),signature}" "$1" | sha256sum | cut -d' ' -f1; }
canonical_digest() {
  jq -j -c 'if .version == 2 then {version,createdAt,heads:[.heads[]|{topic,partition,lastOffset,entryHash}],previousDigestHash,keyId}
            else {version,createdAt,heads:[.heads[]|{topic,partition,lastOffset,entryHash}],previousDigestHash} end' "$1"
}
# The signed bytes of a key record (KeyRecord's canonical form).
canonical_key_record() { jq -j -c '{version,keyId,publicKey,previousKeyId}' "$1"; }
# key_file KEY_ID: the PEM of a key trusted from the pinned one (the pinned key for format 1, which names none), or
# nothing when the key history does not lead to it.
key_file() {
  if [ -z "$1" ] || [ "$1" = null ]; then echo "$PUBKEY"; elif [ -f "$WORK/keys/$1.pem" ]; then echo "$WORK/keys/$1.pem"; fi
}

# What is wrong with the manifest entry in file $1 (one JSON object), or nothing.
entry_problem() {
  jq -r -s '
    def hex64: type == "string" and test("^[0-9a-f]{64}$");
    def instant: type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?Z$");
    def text: type == "string" and length > 0 and (test("[\u0000-\u001f\u007f]") | not);
    def whole: type == "number" and . == floor and . >= 0 and . < 9007199254740992;
    if length != 1 or (.[0] | type) != "object" then "the manifest object is not exactly one JSON object"
    else .[0] |
      ([keys[]] - ["version","topic","partition","firstOffset","lastOffset","count","firstEventTime",
                   "lastEventTime","key","versionId","sha256","previousHash","retentionMode","retainUntil",
                   "keyId","merkleRoot","signature"]) as $extra
      | ((["version","topic","partition","firstOffset","lastOffset","count","firstEventTime","lastEventTime","key",
           "versionId","sha256","previousHash","retentionMode","retainUntil","signature"]) - [keys[]]) as $missing
      | if ($extra | length) > 0 then "unknown field(s) \($extra | join(", "))"
        elif ($missing | length) > 0 then "missing field(s) \($missing | join(", "))"
        elif .version != 1 and .version != 2 and .version != 3
          then "version \(.version) is not 1, 2 or 3, the formats this script knows"
        elif .version == 1 and has("keyId") then "keyId is not part of format version 1"
        elif .version != 1 and ((.keyId | hex64) | not) then "keyId must be 64 lowercase hex digits"
        elif .version != 3 and has("merkleRoot") then "merkleRoot is not part of format version \(.version)"
        elif .version == 3 and ((.merkleRoot | hex64) | not) then "merkleRoot must be 64 lowercase hex digits"
        elif ([.partition, .firstOffset, .lastOffset, .count] | all(whole) | not)
          then "partition, offsets and count must be whole numbers below 2^53"
        elif ([.topic, .key, .versionId, .retentionMode, .signature] | all(text) | not)
          then "topic, key, versionId, retentionMode and signature must be non-empty strings without control characters"
        elif ((.sha256 | hex64) and (.previousHash | hex64) | not)
          then "sha256 and previousHash must be 64 lowercase hex digits"
        elif ([.firstEventTime, .lastEventTime, .retainUntil] | all(instant) | not)
          then "firstEventTime, lastEventTime and retainUntil must be ISO-8601 UTC instants"
        elif .lastOffset < .firstOffset then "offsets \(.firstOffset)-\(.lastOffset) are not a range"
        else empty end
    end' "$1" 2>/dev/null || echo "the manifest object is not JSON"
}

# verify_signature CANONICAL_FILE BASE64_SIGNATURE [KEY_PEM] -> 0 when the key's signature verifies (default: the
# key given on the command line)
verify_signature() {
  printf '%s' "$2" | base64 -d > "$WORK/sig.bin" 2>/dev/null || return 1
  [ "$(stat -c %s "$WORK/sig.bin")" -eq 64 ] || return 1
  openssl pkeyutl -verify -pubin -inkey "${3:-$PUBKEY}" -rawin -in "$1" -sigfile "$WORK/sig.bin" >/dev/null 2>&1
}

# merkle FILE: sets MERKLE_LINES and MERKLE_ROOT to the number of the file's lines and the root of the RFC 6962 tree
# (SHA-256) over them, as format 3's merkleRoot: a leaf is a line without its \n (a last line without one counts too),
# hashed as SHA-256(0x00 || line); a node is SHA-256(0x01 || left || right) of the raw hashes; at each level
# neighbours pair up, left to right, and a last node without a partner moves up as it is. The bytes go through od
# and printf as \xHH escapes, so a NUL in a line is hashed too; each leaf and node is written to a file and a level
# hashed by one sha256sum, so that the processes grow with the tree's height, not with the events.
merkle() {
  local d=$WORK/merkle esc=() hashes=() next=() names=() i
  rm -rf "$d" && mkdir "$d" || die 2 "cannot write to $d"
  # one line of escapes per line of the file: \x0a can only match at an escape's start, where every \ is
  mapfile -t esc < <(od -An -v -tx1 "$1" | tr -d ' \n' | sed 's/../\\x&/g; s/\\x0a/\n/g')
  MERKLE_LINES=${#esc[@]}
  if [ "$MERKLE_LINES" -eq 0 ]; then
    MERKLE_ROOT=$(sha256sum < /dev/null | cut -c1-64)
    return
  fi
  for i in "${!esc[@]}"; do
    printf "\\x00${esc[i]}" > "$d/$i"
    names+=("$i")
  done
  merkle_level hashes
  while [ "${#hashes[@]}" -gt 1 ]; do
    mapfile -t esc < <(printf '%s\n' "${hashes[@]}" | sed 's/../\\x&/g')
    names=()
    for ((i = 0; i + 1 < ${#esc[@]}; i += 2)); do
      printf "\\x01${esc[i]}${esc[i + 1]}" > "$d/$i"
      names+=("$i")
    done
    merkle_level next
    [ $(( ${#hashes[@]} % 2 )) -eq 1 ] && next+=("${hashes[-1]}")
    hashes=("${next[@]}")
  done
  MERKLE_ROOT=${hashes[0]}
}
# merkle_level ARRAY: the SHA-256 of each file of merkle's $names, in order, into the array named
merkle_level() {
  local -n into=$1
  mapfile -t into < <(cd "$d" && printf '%s\0' "${names[@]}" | xargs -0 -r sha256sum | cut -c1-64)
  [ "${#into[@]}" -eq "${#names[@]}" ] || die 2 "sha256sum of ${#names[@]} files in $d failed"
}

# ---------------------------------------------------------------------------------------------------- 1. the key
echo "verify-by-hand: s3://$BUCKET/$ROOT, topic $TOPIC${PARTITION:+, partition $PARTITION}, endpoint $ENDPOINT"
if ! openssl pkey -pubin -in "$PUBKEY" -noout -text 2>/dev/null | head -n 1 | grep -q '^ED25519 Public-Key'; then
  die 2 "$PUBKEY is not an Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----)"
fi
KEY_FP=$(openssl pkey -pubin -in "$PUBKEY" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
ok key "$PUBKEY: Ed25519, SHA-256 of the key (DER) $KEY_FP; compare it with the fingerprint you were given"
if s3api get-object --bucket "$BUCKET" --key="${ROOT}manifests/public-key.pem" "$WORK/bucket-key.pem" >/dev/null; then
  bucket_fp=$(openssl pkey -pubin -in "$WORK/bucket-key.pem" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ "$bucket_fp" = "$KEY_FP" ]; then
    info key "s3://$BUCKET/${ROOT}manifests/public-key.pem is the same key"
  else
    info key "s3://$BUCKET/${ROOT}manifests/public-key.pem is another key ($bucket_fp); only $PUBKEY is trusted here"
  fi
else
  info key "s3://$BUCKET/${ROOT}manifests/public-key.pem does not exist"
fi

# The key history: one record per signing key under keys/, each signed by the key before it; the first names none and
# must be the key given here. A key is trusted only through records that lead to it from that key.
mkdir -p "$WORK/keys" "$WORK/records"
cp "$PUBKEY" "$WORK/keys/$KEY_FP.pem"
s3api list-object-versions --bucket "$BUCKET" --prefix="${ROOT}keys/" > "$WORK/keyversions.json"
while IFS= read -r rkey <&5; do
  # written once; the same bytes twice (two archivers starting together) are no finding
  etags=$(jq -r --arg k "$rkey" '[(.Versions // [])[] | select(.Key == $k) | .ETag] | unique | length' "$WORK/keyversions.json")
  markers=$(jq -r --arg k "$rkey" '[(.DeleteMarkers // [])[] | select(.Key == $k)] | length' "$WORK/keyversions.json")
  [ "$etags" -le 1 ] && [ "$markers" -eq 0 ] || fail keys "$rkey: versions with other bytes, or a delete marker; something was written on top"
  rversion=$(jq -r --arg k "$rkey" '[(.Versions // [])[] | select(.Key == $k)] | last | .VersionId // empty' "$WORK/keyversions.json")
  [ -n "$rversion" ] || continue
  s3api get-object --bucket "$BUCKET" --key="$rkey" --version-id="$rversion" "$WORK/records/$(basename "$rkey")" >/dev/null
  jq -r --arg k "$rkey" '[(.Versions // [])[] | select(.Key == $k)] | last | .LastModified' "$WORK/keyversions.json" \
    > "$WORK/records/$(basename "$rkey" .json).written"
done 5< <(jq -r '[(.Versions // [])[], (.DeleteMarkers // [])[] | .Key] | unique | .[]' "$WORK/keyversions.json")
progress=1
while [ "$progress" -eq 1 ]; do
  progress=0
  for record in "$WORK"/records/*.json; do
    [ -f "$record" ] || continue
    IFS=$'\t' read -r r_id r_prev r_b64 < <(jq -r '[.keyId, (.previousKeyId // "null"), .publicKey] | @tsv' "$record")
    if [ "$r_prev" = null ]; then
      [ "$r_id" = "$KEY_FP" ] || continue
      signer="$WORK/record.pem"
    else
      signer=$(key_file "$r_prev")
      [ -n "$signer" ] || continue
    fi
    printf -- '-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n' "$r_b64" > "$WORK/record.pem"
    actual=$(openssl pkey -pubin -in "$WORK/record.pem" -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
    canonical_key_record "$record" > "$WORK/record.canonical"
    name="${ROOT}keys/$(basename "$record")"
    if [ "$actual" != "$r_id" ]; then
      fail keys "$name: keyId $r_id is not the SHA-256 of its public key ($actual)"
    elif verify_signature "$WORK/record.canonical" "$(jq -r '.signature // ""' "$record")" "$signer"; then
      [ -f "$WORK/keys/$r_id.pem" ] || cp "$WORK/record.pem" "$WORK/keys/$r_id.pem"
      printf '%s\t%s\t%s\n' "$r_id" "$r_prev" "$(cat "${record%.json}.written")" >> "$WORK/trusted.tsv"
      ok keys "$name: key $r_id, signed by $([ "$r_prev" = null ] && echo "itself (the pinned key)" || echo "key $r_prev")"
    else
      fail keys "$name: the record of key $r_id is not signed by $([ "$r_prev" = null ] && echo itself || echo "key $r_prev")"
    fi
    rm -f "$record"
    progress=1
  done
done
for record in "$WORK"/records/*.json; do
  [ -f "$record" ] || continue
  fail keys "${ROOT}keys/$(basename "$record"): key $(jq -r .keyId "$record") is not reached from the pinned key $KEY_FP"
done
touch "$WORK/trusted.tsv"

# Revocations: key-revocations/<keyId>.json, {version,keyId,revokedFrom,signedBy,signature}. One counts when its
# signer is trusted, descends from the revoked key, and every key on the way back was introduced before revokedFrom
# (a key introduced later may be the thief's). What the revoked key signed in objects S3 wrote from then on is refused.
: > "$WORK/revoked.tsv"
s3api list-object-versions --bucket "$BUCKET" --prefix="${ROOT}key-revocations/" > "$WORK/revocations.json"
while IFS= read -r vkey <&6; do
  vversion=$(jq -r --arg k "$vkey" '[(.Versions // [])[] | select(.Key == $k)] | last | .VersionId // empty' "$WORK/revocations.json")
  [ -n "$vversion" ] || { fail keys "$vkey: only delete marker(s)"; continue; }
  s3api get-object --bucket "$BUCKET" --key="$vkey" --version-id="$vversion" "$WORK/revocation.json" >/dev/null
  IFS=$'\t' read -r v_id v_from v_by < <(jq -r '[.keyId, .revokedFrom, .signedBy] | @tsv' "$WORK/revocation.json")
  v_key=$(key_file "$v_by")
  jq -j -c '{version,keyId,revokedFrom,signedBy}' "$WORK/revocation.json" > "$WORK/revocation.canonical"
  fault=""
  if [ -z "$v_key" ] || [ "$v_by" = "$v_id" ]; then
    fault="signed by key $v_by, which is not trusted"
  else
    k=$v_by
    while [ -n "$k" ] && [ "$k" != "$v_id" ]; do
      line=$(awk -F'\t' -v k="$k" '$1 == k' "$WORK/trusted.tsv" | head -n 1)
      [ -n "$line" ] || { k=""; break; }
      written=$(cut -f3 <<< "$line")
      if [ "$(ns "$written")" -ge "$(ns "$v_from")" ]; then
        fault="signed by key $v_by, but key $k on its way back to the revoked key was introduced at $written, not before the revocation's $v_from"
        break
      fi
      k=$(cut -f2 <<< "$line")
      [ "$k" = null ] && k=""
    done
    if [ -z "$fault" ] && [ "$k" != "$v_id" ]; then
      fault="signed by key $v_by, which does not descend from the revoked key $v_id"
    fi
  fi
  if [ -z "$fault" ] && ! verify_signature "$WORK/revocation.canonical" "$(jq -r '.signature // ""' "$WORK/revocation.json")" "$v_key"; then
    fault="the signature does not verify with key $v_by"
  fi
  if [ -n "$fault" ]; then
    fail keys "$vkey: revocation: $fault"
  else
    printf '%s\t%s\n' "$v_id" "$v_from" >> "$WORK/revoked.tsv"
    info keys "$vkey: key $v_id revoked from $v_from by key $v_by"
  fi
done 6< <(jq -r '[(.Versions // [])[], (.DeleteMarkers // [])[] | .Key] | unique | .[]' "$WORK/revocations.json")
# revoked_from KEY_ID: the time it is revoked from, or nothing
revoked_from() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$WORK/revoked.tsv" | sort | head -n 1; }
# a key introduced by a revoked key after the revocation is not trusted
while IFS=$'\t' read -r t_id t_prev t_written; do
  from=$(revoked_from "$t_prev")
  if [ -n "$from" ] && [ "$(ns "$t_written")" -ge "$(ns "$from")" ]; then
    fail keys "${ROOT}keys/$t_id.json: the record of key $t_id was signed by key $t_prev, revoked from $from, and written at $t_written"
    rm -f "$WORK/keys/$t_id.pem"
  fi
done < "$WORK/trusted.tsv"

# ---------------------------------------------------------------------------------------------------- 2. the bucket
if s3api get-object-lock-configuration --bucket "$BUCKET" > "$WORK/lock.json"; then
  lock=$(jq -r '.ObjectLockConfiguration | [.ObjectLockEnabled // "-", .Rule.DefaultRetention.Mode // "-",
                .Rule.DefaultRetention.Years // 0, .Rule.DefaultRetention.Days // 0] | @tsv' "$WORK/lock.json")
  IFS=$'\t' read -r enabled mode years days <<< "$lock"
  if [ "$enabled" = Enabled ] && [ "$mode" = COMPLIANCE ] && { [ "$years" -ge "$MIN_YEARS" ] || [ "$days" -ge $((365 * MIN_YEARS)) ]; }; then
    ok bucket "Object Lock enabled, default retention $mode $([ "$years" -gt 0 ] && echo "$years years" || echo "$days days")"
  else
    fail bucket "Object Lock $enabled, default retention $mode years=$years days=$days; the archiver requires COMPLIANCE for at least $MIN_YEARS years"
  fi
else
  fail bucket "the bucket has no Object Lock configuration ($S3_ERROR): nothing stops its objects from being deleted"
fi
s3api get-bucket-versioning --bucket "$BUCKET" > "$WORK/versioning.json"
versioning=$(jq -r '.Status // "never enabled"' "$WORK/versioning.json")
if [ "$versioning" = Enabled ]; then
  ok bucket "versioning Enabled"
else
  fail bucket "versioning is $versioning"
fi

# ---------------------------------------------------------------------------------------------------- 3. the digest
# The latest digest signs the head (last entry) of every partition's chain; a chain whose newest entries are gone no
# longer reaches that head, which the chain alone cannot show.
DIGEST_KEY=""
s3api list-object-versions --bucket "$BUCKET" --prefix="${ROOT}digests/" > "$WORK/digests.json"
DIGEST_KEY=$(jq -r '[.Versions // [] | .[].Key] | sort | last // empty' "$WORK/digests.json")
if [ -z "$DIGEST_KEY" ]; then
  info digest "no digest under ${ROOT}digests/ yet (the first is written after digest.interval-ms): a deleted tail of a chain cannot be detected"
else
  # Every digest is written once: any key with a second version or a delete marker was written on top.
  while IFS=$'\t' read -r dkey dcount <&4; do
    fail digest "$dkey: $dcount versions or delete markers; something was written on top"
  done 4< <(jq -r '[(.Versions // [])[], (.DeleteMarkers // [])[] | .Key] | group_by(.) | .[]
                   | select(length > 1) | [.[0], (length | tostring)] | @tsv' "$WORK/digests.json")
  digest_version=$(jq -r --arg k "$DIGEST_KEY" '[(.Versions // [])[] | select(.Key == $k)] | last | .VersionId' "$WORK/digests.json")
  s3api get-object --bucket "$BUCKET" --key="$DIGEST_KEY" --version-id="$digest_version" "$WORK/digest.json" >/dev/null
  digest_key=$(key_file "$(jq -r '.keyId // empty' "$WORK/digest.json")")
  if [ -n "$digest_key" ] && canonical_digest "$WORK/digest.json" > "$WORK/digest.canonical" 2>/dev/null &&
     verify_signature "$WORK/digest.canonical" "$(jq -r '.signature // ""' "$WORK/digest.json")" "$digest_key"; then
    ok digest "$DIGEST_KEY: signature verifies (created $(jq -r .createdAt "$WORK/digest.json"))"
  else
    d_key_id=$(jq -r '.keyId // empty' "$WORK/digest.json")
    if [ -n "$d_key_id" ] && [ -z "$digest_key" ]; then
      fail digest "$DIGEST_KEY: signed with key $d_key_id, which the key history trusted from $PUBKEY does not name; its heads are not used"
    else
      fail digest "$DIGEST_KEY: the signature does not verify with ${d_key_id:+key $d_key_id, trusted from }$PUBKEY; its heads are not used"
    fi
    DIGEST_KEY=""
  fi
fi

# ---------------------------------------------------------------------------------------------------- 4. the chains
ENTRIES_TOTAL=0
RECORDS_TOTAL=0

# verify_object ENTRY_FILE: the archived object the entry names, at the recorded version.
verify_object() {
  local entry=$1 key version sha256 mode until last_event
  key=$(jq -r .key "$entry") version=$(jq -r .versionId "$entry") sha256=$(jq -r .sha256 "$entry")
  mode=$(jq -r .retentionMode "$entry") until=$(jq -r .retainUntil "$entry") last_event=$(jq -r .lastEventTime "$entry")

  s3api list-object-versions --bucket "$BUCKET" --prefix="$key" > "$WORK/object-versions.json"
  local present
  present=$(jq -r --arg k "$key" --arg v "$version" '[(.Versions // [])[] | select(.Key == $k and .VersionId == $v)] | length' "$WORK/object-versions.json")
  if [ "$present" -ne 1 ]; then
    verify_versions "$entry" 0
    local lawful=""
    [ "$(ns "$until")" -lt "$NOW_NS" ] && lawful="; its retention ended at $until, so it may have been deleted lawfully"
    fail sha256 "$key: version $version does not exist$lawful"
    return
  fi

  # The bytes: SHA-256 of that exact version.
  local intact=0
  if s3api get-object --bucket "$BUCKET" --key="$key" --version-id="$version" "$WORK/object" > "$WORK/object.json"; then
    local actual fails_before=$FAILS
    actual=$(sha256sum "$WORK/object" | cut -d' ' -f1)
    if [ "$actual" = "$sha256" ]; then
      ok sha256 "$key: $actual, as recorded"
      [ "$(jq -r .version "$entry")" = 3 ] && verify_events "$entry"
      [ "$FAILS" -eq "$fails_before" ] && intact=1
    else
      fail sha256 "$key: version $version has SHA-256 $actual, the manifest recorded $sha256"
    fi
  else
    fail sha256 "$key: version $version cannot be read ($S3_ERROR)"
  fi
  verify_versions "$entry" "$intact"

  # The lock: COMPLIANCE, until at least the recorded date, which is at least MIN_YEARS after the last event.
  if s3api get-object-retention --bucket "$BUCKET" --key="$key" --version-id="$version" > "$WORK/retention.json"; then
    local omode ountil problems=""
    omode=$(jq -r '.Retention.Mode // "none"' "$WORK/retention.json")
    ountil=$(jq -r '.Retention.RetainUntilDate // ""' "$WORK/retention.json")
    [ "$omode" = COMPLIANCE ] || problems+="; object retention mode is $omode, not COMPLIANCE"
    if [ -z "$ountil" ]; then
      problems+="; the object has no retain-until date"
    elif [ "$(ns "$ountil")" -lt "$(ns "$until")" ]; then
      problems+="; object is locked until $ountil, before the recorded $until"
      [ "$(ns "$ountil")" -lt "$NOW_NS" ] && problems+=" (the lock has already run out)"
    fi
    [ "$mode" = COMPLIANCE ] || problems+="; the manifest records retention mode $mode, not COMPLIANCE"
    if [ "$(ns "$until")" -lt $(( $(ns "$last_event") + MIN_RETENTION_NS )) ]; then
      problems+="; the manifest records retention until $until, less than $MIN_YEARS years after the last event $last_event"
    fi
    if [ -z "$problems" ]; then
      ok retention "$key: COMPLIANCE until $ountil (recorded $until, last event $last_event + $MIN_YEARS years)"
    else
      fail retention "$key: ${problems#; }"
    fi
  else
    fail retention "$key: version $version has no Object Lock retention ($S3_ERROR)"
  fi
}

# verify_versions ENTRY_FILE INTACT: nothing written on top. Every other version of the entry's key must be the
# recorded bytes again (a retried PUT, or a second archiver writing the same batch), or, when the recorded version is
# intact (INTACT 1: $WORK/object has the recorded SHA-256 and Merkle root), the same events compressed differently (the
# same batch gzipped at another level, or by another zlib): their gunzipped bytes are the recorded version's. Those
# are explained leftovers (auditkeeper verify's DUPLICATE_VERSION), not tampering; any other version, or a delete
# marker, fails.
verify_versions() {
  local entry=$1 intact=$2 key version sha256 other other_sha explained=0 unexplained=() markers=()
  key=$(jq -r .key "$entry") version=$(jq -r .versionId "$entry") sha256=$(jq -r .sha256 "$entry")
  while IFS= read -r other <&4; do
    if ! s3api get-object --bucket "$BUCKET" --key="$key" --version-id="$other" "$WORK/other" > /dev/null; then
      unexplained+=("$other")
      continue
    fi
    other_sha=$(sha256sum "$WORK/other" | cut -d' ' -f1)
    if [ "$other_sha" = "$sha256" ]; then
      info versions "$key: version $other has the recorded SHA-256 $sha256: the same bytes written again (a retried PUT, or a second archiver writing the same batch); a leftover, not tampering"
      explained=$((explained + 1))
    elif [ "$intact" = 1 ] && same_events "$WORK/object" "$WORK/other"; then
      info versions "$key: version $other has SHA-256 $other_sha, not the recorded $sha256, but gunzips to the recorded version's bytes: the same events, compressed differently (the same batch at another gzip level, or by another zlib); a leftover, not tampering"
      explained=$((explained + 1))
    else
      unexplained+=("$other")
    fi
  done 4< <(jq -r --arg k "$key" --arg v "$version" '(.Versions // [])[] | select(.Key == $k and .VersionId != $v)
              | .VersionId' "$WORK/object-versions.json")
  mapfile -t markers < <(jq -r --arg k "$key" '(.DeleteMarkers // [])[] | select(.Key == $k) | .VersionId' \
    "$WORK/object-versions.json")
  unexplained+=("${markers[@]}")
  if [ "${#unexplained[@]}" -gt 0 ]; then
    local others
    others=$(printf '%s, ' "${unexplained[@]}")
    fail versions "$key: versions or delete markers [${others%, }] besides the recorded $version; something was written on top (checked against the recorded version)"
  elif [ "$(jq -r --arg k "$key" --arg v "$version" '[(.Versions // [])[] | select(.Key == $k and .VersionId == $v)]
             | length' "$WORK/object-versions.json")" -ne 1 ]; then
    :
  elif [ "$explained" -eq 0 ]; then
    ok versions "$key: only the recorded version $version"
  else
    ok versions "$key: the recorded version $version, and besides it only the same events again ($explained leftover(s))"
  fi
}

# same_events GZIP_A GZIP_B: both are gzip (gzip exits 1 on an error, 2 on a warning it ignores as Java does) and
# decompress to the same bytes.
same_events() {
  gzip -dc < "$1" > "$WORK/events-a" 2>/dev/null
  [ $? -eq 1 ] && return 1
  gzip -dc < "$2" > "$WORK/events-b" 2>/dev/null
  [ $? -eq 1 ] && return 1
  [ "$(sha256sum < "$WORK/events-a")" = "$(sha256sum < "$WORK/events-b")" ]
}

# verify_events ENTRY_FILE: the events of $WORK/object, which has the entry's SHA-256, are the ones its count and
# merkleRoot sign for.
verify_events() {
  local entry=$1 key version count recorded
  IFS=$'\t' read -r key version count recorded < <(jq -r '[.key, .versionId, .count, .merkleRoot] | @tsv' "$entry")
  # gzip exits 2 on a warning (trailing garbage, which it ignores as Java's GZIPInputStream does), 1 on an error
  gzip -dc < "$WORK/object" > "$WORK/events" 2> "$WORK/gzip.err"
  if [ $? -eq 1 ]; then
    fail merkle "$key: version $version is not gzip ($(tr '\n' ' ' < "$WORK/gzip.err" | sed 's/ *$//')), so its events cannot be checked against the Merkle root"
    return
  fi
  merkle "$WORK/events"
  if [ "$MERKLE_LINES" -ne "$count" ]; then
    fail merkle "$key: version $version holds $MERKLE_LINES events, the entry counts $count"
  elif [ "$MERKLE_ROOT" != "$recorded" ]; then
    fail merkle "$key: the events of version $version have the Merkle root $MERKLE_ROOT, the entry records $recorded"
  else
    ok merkle "$key: $MERKLE_LINES events, Merkle root ${MERKLE_ROOT:0:16}..., as recorded"
  fi
}

verify_partition() {
  local topic=$1 partition=$2 dir
  dir="${ROOT}manifests/$topic/$(printf '%04d' "$partition")/"
  echo "-- $topic-$partition: s3://$BUCKET/$dir"
  # Every version of every manifest object, delete markers included: a delete marker hides an entry from a plain
  # listing, and a version written on top would be read instead of the original.
  s3api list-object-versions --bucket "$BUCKET" --prefix="$dir" > "$WORK/manifests.json"
  jq -r '(.Versions // [])[] | [.Key, .VersionId, .LastModified] | @tsv' "$WORK/manifests.json" > "$WORK/mversions.tsv"
  jq -r '(.DeleteMarkers // [])[] | [.Key, .VersionId] | @tsv' "$WORK/manifests.json" > "$WORK/mmarkers.tsv"
  local keys
  keys=$(cut -f1 "$WORK/mversions.tsv" "$WORK/mmarkers.tsv" | LC_ALL=C sort -u)
  if [ -z "$keys" ]; then
    fail chain "$topic-$partition: no manifest object under $dir"
    return
  fi

  local prev_hash="" prev_last="" prev_key="" entries=0 records=0 first_offset="" hashes=() lasts=()
  local mkey
  while IFS= read -r mkey <&3; do
    local name=${mkey#"$dir"} name_first name_last
    if ! [[ $name =~ ^([0-9]{20})-([0-9]{20})\.json$ ]]; then
      fail manifest "$mkey: not a manifest object name (<firstOffset>-<lastOffset>.json, 20 digits each)"
      continue
    fi
    name_first=$((10#${BASH_REMATCH[1]})) name_last=$((10#${BASH_REMATCH[2]}))
    # The version to read: the only one, or, when something was written on top, the oldest (the archiver writes a
    # manifest object once).
    local nversions nmarkers mversion
    nversions=$(awk -F'\t' -v k="$mkey" '$1 == k' "$WORK/mversions.tsv" | wc -l)
    nmarkers=$(awk -F'\t' -v k="$mkey" '$1 == k' "$WORK/mmarkers.tsv" | wc -l)
    if [ "$nversions" -eq 0 ]; then
      fail manifest "$mkey: only delete marker(s), no version"
      continue
    fi
    mversion=$(awk -F'\t' -v k="$mkey" '$1 == k { print $3 "\t" $2 }' "$WORK/mversions.tsv" \
      | while IFS=$'\t' read -r modified id; do printf '%s\t%s\n' "$(ns "$modified")" "$id"; done \
      | sort -s -n -k1,1 | head -n 1 | cut -f2)
    if [ "$nversions" -gt 1 ] || [ "$nmarkers" -gt 0 ]; then
      fail manifest "$mkey: $nversions versions and $nmarkers delete marker(s); something was written on top (reading the oldest version, $mversion)"
    fi
    s3api get-object --bucket "$BUCKET" --key="$mkey" --version-id="$mversion" "$WORK/entry.json" >/dev/null
    if s3api get-object-retention --bucket "$BUCKET" --key="$mkey" --version-id="$mversion" > "$WORK/mretention.json"; then
      local m_mode m_until
      m_mode=$(jq -r '.Retention.Mode // "none"' "$WORK/mretention.json")
      m_until=$(jq -r '.Retention.RetainUntilDate // "none"' "$WORK/mretention.json")
      if [ "$m_mode" = COMPLIANCE ]; then
        ok manifest "$mkey: version $mversion, COMPLIANCE until $m_until"
      else
        fail manifest "$mkey: version $mversion is locked in mode $m_mode, not COMPLIANCE"
      fi
    else
      fail manifest "$mkey: version $mversion has no Object Lock retention ($S3_ERROR)"
    fi

    # The entry itself: well-formed, of this partition, under the key its offsets give.
    local problem
    problem=$(entry_problem "$WORK/entry.json")
    if [ -z "$problem" ]; then
      local e_topic e_partition e_first e_last
      IFS=$'\t' read -r e_topic e_partition e_first e_last < <(jq -r '[.topic, .partition, .firstOffset, .lastOffset] | @tsv' "$WORK/entry.json")
      if [ "$e_topic" != "$topic" ] || [ "$e_partition" != "$partition" ]; then
        problem="the entry is of $e_topic-$e_partition, not of $topic-$partition"
      elif [ "$name_first" != "$e_first" ] || [ "$name_last" != "$e_last" ]; then
        problem="the entry holds offsets $e_first-$e_last, its object name says otherwise"
      fi
    fi
    if [ -n "$problem" ]; then
      fail entry "$mkey: $problem"
      continue
    fi
    local e_first e_last e_count e_prev signature
    IFS=$'\t' read -r e_first e_last e_count e_prev signature < <(jq -r '[.firstOffset, .lastOffset, .count, .previousHash, .signature] | @tsv' "$WORK/entry.json")

    # The signature, over the canonical form, with the key given (not the bucket's).
    canonical_entry "$WORK/entry.json" > "$WORK/entry.canonical"
    local e_key_id e_key
    e_key_id=$(jq -r '.keyId // empty' "$WORK/entry.json")
    e_key=$(key_file "$e_key_id")
    local e_from e_written
    e_from=$(revoked_from "${e_key_id:-$KEY_FP}")
    if [ -n "$e_from" ]; then
      e_written=$(awk -F'\t' -v k="$mkey" -v v="$mversion" '$1 == k && $2 == v { print $3 }' "$WORK/mversions.tsv")
      if [ -z "$e_written" ] || [ "$(ns "$e_written")" -ge "$(ns "$e_from")" ]; then
        fail revoked "$mkey: signed with key ${e_key_id:-$KEY_FP}, revoked from $e_from, in a manifest object written at ${e_written:-an unknown time}"
      fi
    fi
    if [ -z "$e_key" ]; then
      fail signature "$mkey: signed with key $e_key_id, which the key history trusted from $PUBKEY does not name"
    elif verify_signature "$WORK/entry.canonical" "$signature" "$e_key"; then
      ok signature "$mkey: Ed25519 signature verifies${e_key_id:+ (key ${e_key_id:0:16}...)}"
    else
      fail signature "$mkey: the signature does not verify with ${e_key_id:+key $e_key_id, trusted from }$PUBKEY"
    fi

    # The chain: previousHash is the hash of the entry before (64 zeros before the first one).
    local expected=${prev_hash:-0000000000000000000000000000000000000000000000000000000000000000}
    if [ "$e_prev" = "$expected" ]; then
      ok chain "$mkey: previousHash ${expected:0:16}... is the hash of ${prev_key:-nothing (the first entry)}"
    else
      fail chain "$mkey: previousHash $e_prev is not $expected, the hash of ${prev_key:-the start of the chain (64 zeros)}"
    fi

    # Offsets: this entry starts right after the previous one ended; count fits the range.
    local span=$((e_last - e_first + 1)) offsets_ok=1
    if [ -n "$prev_last" ] && [ "$e_first" -gt $((prev_last + 1)) ]; then
      fail offsets "$mkey: offsets $((prev_last + 1))-$((e_first - 1)) are in no entry: $prev_key ends at $prev_last"
      offsets_ok=0
    elif [ -n "$prev_last" ] && [ "$e_first" -lt $((prev_last + 1)) ]; then
      fail offsets "$mkey: offsets $e_first-$((prev_last < e_last ? prev_last : e_last)) are also in $prev_key, which ends at $prev_last"
      offsets_ok=0
    fi
    if [ "$e_count" -lt 1 ] || [ "$e_count" -gt "$span" ]; then
      fail offsets "$mkey: count $e_count is outside 1..$span (offsets $e_first-$e_last)"
      offsets_ok=0
    fi
    [ "$offsets_ok" -eq 1 ] && ok offsets "$mkey: offsets $e_first-$e_last, $e_count records${prev_last:+, right after $prev_last}"

    verify_object "$WORK/entry.json"

    prev_hash=$(entry_hash "$WORK/entry.json")
    prev_last=$e_last
    prev_key=$mkey
    hashes+=("$prev_hash")
    lasts+=("$e_last")
    [ -n "$first_offset" ] || first_offset=$e_first
    entries=$((entries + 1))
    records=$((records + e_count))
  done 3<<< "$keys"

  # The digest's head for this partition must be an entry of the chain.
  if [ -n "$DIGEST_KEY" ]; then
    local head_hash head_last
    IFS=$'\t' read -r head_hash head_last < <(jq -r --arg t "$topic" --argjson p "$partition" \
      '.heads[] | select(.topic == $t and .partition == $p) | [.entryHash, .lastOffset] | @tsv' "$WORK/digest.json")
    if [ -z "${head_hash:-}" ]; then
      info digest "$topic-$partition: the latest digest has no head for this partition (archived after it)"
    else
      local i found=""
      for i in "${!hashes[@]}"; do
        [ "${hashes[$i]}" = "$head_hash" ] && found=$i
      done
      if [ -n "$found" ] && [ "${lasts[$found]}" = "$head_last" ]; then
        ok digest "$topic-$partition: the latest digest's head (offset $head_last) is in the chain"
      elif [ -z "$found" ] && [ -n "$prev_last" ] && [ "$prev_last" -lt "$head_last" ]; then
        fail digest "$topic-$partition: the latest digest vouches for offsets up to $head_last, but the chain ends at $prev_last: its newest entries are gone"
      else
        fail digest "$topic-$partition: the latest digest's head (offset $head_last, entry hash $head_hash) is not in the chain: the chain was rewritten"
      fi
    fi
  fi
  info summary "$topic-$partition: $entries entries, offsets ${first_offset:--}-${prev_last:--}, $records records"
  ENTRIES_TOTAL=$((ENTRIES_TOTAL + entries))
  RECORDS_TOTAL=$((RECORDS_TOTAL + records))
}

if [ -n "$PARTITION" ]; then
  verify_partition "$TOPIC" "$((10#$PARTITION))"
else
  s3api list-object-versions --bucket "$BUCKET" --prefix="${ROOT}manifests/$TOPIC/" --delimiter=/ > "$WORK/partitions.json"
  partitions=$(jq -r '(.CommonPrefixes // [])[].Prefix | rtrimstr("/") | split("/") | last' "$WORK/partitions.json" | LC_ALL=C sort -u)
  if [ -z "$partitions" ]; then
    fail chain "$TOPIC: no manifest chain under ${ROOT}manifests/$TOPIC/"
  fi
  for p in $partitions; do
    if [[ $p =~ ^[0-9]{4,}$ ]]; then
      verify_partition "$TOPIC" "$((10#$p))"
    else
      fail manifest "${ROOT}manifests/$TOPIC/$p/: not a partition folder"
    fi
  done
fi

# ---------------------------------------------------------------------------------------------------- objects
# Every version and delete marker under the prefix must have a key the archiver writes: an archived batch, a manifest
# entry, the public key, a digest, a key record or a revocation. Anything else was written by someone else.
s3api list-object-versions --bucket "$BUCKET" --prefix="$ROOT" > "$WORK/everything.json"
LAYOUT="^$(sed 's/[].[\*^$()+?{}|]/\\&/g' <<< "$ROOT")((events|dead-letters)/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}/[^/]+_[0-9]{4,}_[0-9]{20}-[0-9]{20}[.]ndjson[.]gz|manifests/public-key[.]pem|manifests/[^/]+/[0-9]{4,}/[0-9]{20}-[0-9]{20}[.]json|digests/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{6}[.][0-9]{3}[.]json|(keys|key-revocations)/[0-9a-f]{64}[.]json)$"
unexplained=0
while IFS=$'\t' read -r key what; do
  fail objects "$key: $what is nothing an archiver writes; look at who wrote it in the S3 access logs"
  unexplained=$((unexplained + 1))
done < <(jq -r --arg re "$LAYOUT" '((.Versions // [])[] | select(.Key | test($re) | not) | [.Key, "version \(.VersionId)"]),
  ((.DeleteMarkers // [])[] | select(.Key | test($re) | not) | [.Key, "a delete marker"]) | @tsv' "$WORK/everything.json")
[ "$unexplained" -eq 0 ] && ok objects "s3://$BUCKET/$ROOT: every object under the prefix is one an archiver writes"

if [ "$FAILS" -eq 0 ]; then
  echo "PASSED: $ENTRIES_TOTAL entries, $RECORDS_TOTAL records; every check passed"
  exit 0
fi
echo "FAILED: $FAILS check(s) failed"
exit 1
