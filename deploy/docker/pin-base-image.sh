#!/bin/sh
# Pins the base image of every Dockerfile under deploy/docker by digest: resolves the tag on the registry (needs
# network and either `crane` or `docker buildx`) and rewrites `FROM image:tag` to `FROM image:tag@sha256:<digest>`.
# Review and commit the result; rerun it to take a patched base image (distroless rebuilds its tags often).
set -eu
cd "$(dirname "$0")"
for f in */Dockerfile; do
  ref=$(sed -n 's/^FROM \([^ @]*\).*/\1/p' "$f" | head -n 1)
  if command -v crane >/dev/null 2>&1; then
    digest=$(crane digest "$ref")
  else
    digest=$(docker buildx imagetools inspect "$ref" --format '{{json .Manifest}}' | sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p')
  fi
  case "$digest" in sha256:*) ;; *) echo "cannot resolve the digest of $ref" >&2; exit 1 ;; esac
  sed -i "s|^FROM [^ ]*|FROM $ref@$digest|" "$f"
  echo "$f: FROM $ref@$digest"
done
