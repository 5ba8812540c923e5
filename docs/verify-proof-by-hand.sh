#!/usr/bin/env bash
# Check a proof of one event (written by `auditkeeper prove`) without Audit Keeper: only jq, openssl (3.0 or later),
# sha256sum and base64. docs/verify-by-hand.md ("A proof for one event") explains every step.
#
#   docs/verify-proof-by-hand.sh PROOF_JSON PUBLIC_KEY_PEM
#
#   PROOF_JSON      the proof file
#   PUBLIC_KEY_PEM  the archive's pinned public key, as obtained out of band (not a copy from the proof or the bucket)
#
# Prints one line per part, "OK" or "FAIL", the part (keys, event, path, entry, chain, digest) and what was found,
# then PASSED or FAILED. Exit status: 0 the proof holds; 1 a part does not; 2 usage error or a missing tool.
set -u -o pipefail

[ $# -eq 2 ] || { sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
PROOF=$1 PUBKEY=$2
[ -r "$PROOF" ] || { echo "verify-proof-by-hand: cannot read $PROOF" >&2; exit 2; }
[ -r "$PUBKEY" ] || { echo "verify-proof-by-hand: cannot read $PUBKEY" >&2; exit 2; }
for tool in jq openssl sha256sum base64; do
  command -v "$tool" >/dev/null || { echo "verify-proof-by-hand: $tool is not installed" >&2; exit 2; }
done
jq -e '.proofVersion == 1' "$PROOF" >/dev/null 2>&1 \
  || { echo "verify-proof-by-hand: $PROOF is not a proof of format 1" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILS=0
ok() { printf '%-4s %-7s %s\n' OK "$1" "$2"; }
fail() { printf '%-4s %-7s %s\n' FAIL "$1" "$2"; FAILS=$((FAILS + 1)); }

sha() { sha256sum | cut -d' ' -f1; }
# The raw bytes of a lowercase hex string.
bytes() { printf "$(sed 's/../\\x&/g' <<< "$1")"; }
# An RFC 6962 inner node: SHA-256(0x01 || left || right).
node() { { printf '\x01'; bytes "$1"; bytes "$2"; } | sha; }
# A PEM file for the base64 DER of a public key.
pem() { { echo '-----BEGIN PUBLIC KEY-----'; fold -w 64 <<< "$1"; echo '-----END PUBLIC KEY-----'; } > "$2"; }
# verify KEY_PEM CANONICAL_FILE SIGNATURE_BASE64: an Ed25519 signature over the canonical bytes.
verify() {
  base64 -d <<< "$3" > "$WORK/sig.bin" 2>/dev/null || return 1
  openssl pkeyutl -verify -pubin -inkey "$1" -rawin -in "$2" -sigfile "$WORK/sig.bin" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------------- keys
# The pinned key's id is the SHA-256 of its DER. A record is trusted when the key before it is trusted and signed it
# (the first, when it is the pinned key's own, signed by itself), and its keyId is the SHA-256 of its key.
mkdir -p "$WORK/keys"
PINNED=$(openssl pkey -pubin -in "$PUBKEY" -outform DER 2>/dev/null | sha) \
  || { echo "verify-proof-by-hand: $PUBKEY is not a public key" >&2; exit 2; }
cp "$PUBKEY" "$WORK/keys/$PINNED.pem"
count=$(jq '.keys | length' "$PROOF")
progress=1
while [ "$progress" = 1 ]; do
  progress=0
  for ((i = 0; i < count; i++)); do
    IFS=$'\t' read -r id prev key < <(jq -r --argjson i "$i" '.keys[$i] | [.keyId, (.previousKeyId // "null"), .publicKey] | @tsv' "$PROOF")
    [ -f "$WORK/keys/$id.pem.trusted" ] && continue
    if [ "$prev" = null ]; then signer=$([ "$id" = "$PINNED" ] && echo "$WORK/keys/$PINNED.pem"); else
      signer=$([ -f "$WORK/keys/$prev.pem.trusted" ] || [ "$prev" = "$PINNED" ] && echo "$WORK/keys/$prev.pem"); fi
    [ -n "$signer" ] && [ -f "$signer" ] || continue
    [ "$(base64 -d <<< "$key" | sha)" = "$id" ] || continue
    jq -j -c --argjson i "$i" '.keys[$i] | {version,keyId,publicKey,previousKeyId}' "$PROOF" > "$WORK/record.json"
    verify "$signer" "$WORK/record.json" "$(jq -r --argjson i "$i" '.keys[$i].signature' "$PROOF")" || continue
    pem "$key" "$WORK/keys/$id.pem"
    touch "$WORK/keys/$id.pem.trusted"
    progress=1
  done
done
touch "$WORK/keys/$PINNED.pem.trusted"
ok keys "$(ls "$WORK/keys"/*.trusted | wc -l) key(s) trusted from the pinned key $PINNED"
key_of() { [ -f "$WORK/keys/$1.pem.trusted" ] && echo "$WORK/keys/$1.pem"; }

# ---------------------------------------------------------------------------------------------------- event
# The leaf is the event's line in the object, byte for byte; its hash is SHA-256(0x00 || leaf).
jq -r .leaf "$PROOF" | base64 -d > "$WORK/leaf" 2>/dev/null || fail event "leaf is not base64"
LEAF_HASH=$({ printf '\x00'; cat "$WORK/leaf"; } | sha)
if [ "$LEAF_HASH" != "$(jq -r .leafHash "$PROOF")" ]; then
  fail event "the event's bytes hash to leaf hash $LEAF_HASH, the proof says $(jq -r .leafHash "$PROOF"): the event was altered"
elif [ "$(jq -S -c . "$WORK/leaf" 2>/dev/null)" != "$(jq -S -c .event "$PROOF")" ]; then
  fail event "the readable event is not the archived bytes (leaf): one of the two was altered"
else
  ok event "$(jq -r '"audit-id \(.auditID) stage \(.stage) cluster \(.cluster)"' "$WORK/leaf"), leaf hash $LEAF_HASH"
fi

# ---------------------------------------------------------------------------------------------------- path
# RFC 9162 section 2.1.3.2: the side of each sibling follows from the leaf's index and the tree's size (the entry's
# count); the proof's own "side" must agree.
fn=$(jq -r .leafIndex "$PROOF") sn=$(($(jq -r .entry.count "$PROOF") - 1)) r=$LEAF_HASH fit=1
while IFS=$'\t' read -r side hash; do
  [ -n "$side" ] || continue
  if [ "$sn" -eq 0 ]; then fit=0; break; fi
  if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
    [ "$side" = LEFT ] || fit=0
    r=$(node "$hash" "$r")
    if [ $((fn & 1)) -eq 0 ]; then
      while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn >> 1)) sn=$((sn >> 1)); done
    fi
  else
    [ "$side" = RIGHT ] || fit=0
    r=$(node "$r" "$hash")
  fi
  fn=$((fn >> 1)) sn=$((sn >> 1))
done < <(jq -r '.auditPath[] | [.side, .hash] | @tsv' "$PROOF")
ROOT=$(jq -r .entry.merkleRoot "$PROOF")
if [ "$fit" = 0 ] || [ "$sn" -ne 0 ]; then
  fail path "the audit path does not fit leaf $(jq -r .leafIndex "$PROOF") of a tree of $(jq -r .entry.count "$PROOF") events: wrong length or side"
elif [ "$r" != "$ROOT" ]; then
  fail path "the audit path leads from leaf $(jq -r .leafIndex "$PROOF") to root $r, the entry records $ROOT"
else
  ok path "leaf $(jq -r .leafIndex "$PROOF") of $(jq -r .entry.count "$PROOF") events leads to the entry's Merkle root $ROOT"
fi

# ---------------------------------------------------------------------------------------------------- entry
# An entry's signed bytes (format 3) and its hash, which the next entry records as previousHash.
ENTRY_FIELDS='version,topic,partition,firstOffset,lastOffset,count,firstEventTime,lastEventTime,key,versionId,sha256,previousHash,retentionMode,retainUntil,keyId,merkleRoot'
entry_ok() { # JQ_PATH: signature valid with the key it names
  local key; key=$(key_of "$(jq -r "$1.keyId" "$PROOF")")
  jq -j -c "$1 | {$ENTRY_FIELDS}" "$PROOF" > "$WORK/entry.json"
  [ -n "$key" ] && verify "$key" "$WORK/entry.json" "$(jq -r "$1.signature" "$PROOF")"
}
entry_hash() { jq -j -c "$1 | {$ENTRY_FIELDS,signature}" "$PROOF" | sha; }
if [ "$(jq -r .entry.version "$PROOF")" != 3 ]; then
  fail entry "the entry is of format $(jq -r .entry.version "$PROOF"); a proof needs format 3"
elif entry_ok .entry; then
  ok entry "$(jq -r '.entry | "\(.topic)-\(.partition) offsets \(.firstOffset)-\(.lastOffset) in \(.key)"' "$PROOF"), signed by key $(jq -r .entry.keyId "$PROOF")"
else
  fail entry "the entry's signature does not verify with key $(jq -r .entry.keyId "$PROOF") (or the key is not trusted): the entry was altered"
fi

# ---------------------------------------------------------------------------------------------------- chain
prev=$(entry_hash .entry) prev_last=$(jq -r .entry.lastOffset "$PROOF") chain_ok=1
for ((i = 0; i < $(jq '.chain | length' "$PROOF"); i++)); do
  e=".chain[$i]"
  if [ "$(jq -r "$e.previousHash" "$PROOF")" != "$prev" ] || [ "$(jq -r "$e.firstOffset" "$PROOF")" -ne $((prev_last + 1)) ]; then
    fail chain "chain[$i] ($(jq -r "$e.key" "$PROOF")) does not follow the entry before it"; chain_ok=0; break
  fi
  if ! entry_ok "$e"; then fail chain "chain[$i]: its signature does not verify"; chain_ok=0; break; fi
  prev=$(entry_hash "$e") prev_last=$(jq -r "$e.lastOffset" "$PROOF")
done
if [ "$chain_ok" = 1 ]; then
  head=$(jq -r '.entry as $e | .digest.heads[] | select(.topic == $e.topic and .partition == $e.partition) | "\(.entryHash) \(.lastOffset)"' "$PROOF")
  if [ "$head" = "$prev $prev_last" ]; then
    ok chain "$(jq '.chain | length' "$PROOF") later entries link the entry to the head the digest names"
  else
    fail chain "the digest names head ${head:-none} of the partition, the chain ends at $prev $prev_last"
  fi
fi

# ---------------------------------------------------------------------------------------------------- digest
jq -j -c '.digest | {version,createdAt,heads:[.heads[]|{topic,partition,lastOffset,entryHash}],previousDigestHash,keyId}' "$PROOF" > "$WORK/digest.json"
dkey=$(key_of "$(jq -r .digest.keyId "$PROOF")")
if [ -n "$dkey" ] && verify "$dkey" "$WORK/digest.json" "$(jq -r .digest.signature "$PROOF")"; then
  ok digest "created $(jq -r .digest.createdAt "$PROOF"), signed by key $(jq -r .digest.keyId "$PROOF"): the event was sealed by then"
else
  fail digest "the digest's signature does not verify with key $(jq -r .digest.keyId "$PROOF") (or the key is not trusted)"
fi

if [ "$FAILS" -eq 0 ]; then echo PASSED; exit 0; fi
echo "FAILED: $FAILS part(s) do not hold"; exit 1
