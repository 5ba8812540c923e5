#!/bin/sh
# Generates, for the top-level docker-compose.yml only, everything it mounts as files under deploy/compose/generated/
# (git-ignored, never part of an image):
#   ca.crt, ca.key                      a development CA (EC P-256), valid 30 days
#   ingest-tls.crt, ingest-tls.key      ingest's server certificate (DNS ingest, localhost; IP 127.0.0.1), signed by it
#   apiserver-client.crt/.key           the client certificate the apiserver (or curl) presents: CN=kube-apiserver
#   manifest-signing-key.pem            the archiver's Ed25519 manifest signing key (PKCS#8)
#   minio-root-user, minio-root-password, s3-credentials
#                                       random S3 keys: MinIO's root user and the same keys as an AWS credentials file
#                                       for the archiver (a development shortcut; production gives the archiver its
#                                       own narrowly scoped identity, docs/deploy.md)
#   event-hubs-connection-string        empty: for the optional source-aks (profile aks), write your hub's
#                                       connection string into it (docs/managed-clusters.md)
#   slack-webhook-url                   empty: for the optional notifier (profile notifier), write your Slack
#                                       incoming webhook's URL into it (docs/operations.md, "Alert routing")
# Re-running keeps existing files; delete the directory to start over (the archive bucket in the minio-data volume
# keeps its locked objects either way: COMPLIANCE mode cannot be undone, `docker compose down -v` drops the volume).
# Needs OpenSSL 1.1.1 or later.
set -eu
umask 077
dir="$(cd "$(dirname "$0")" && pwd)/generated"
mkdir -p "$dir"
cd "$dir"

if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 30 \
    -subj "/CN=Audit Keeper compose development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

issue() { # name subject extensions
  if [ ! -f "$1.crt" ]; then
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    printf '%s\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
  fi
}
issue ingest-tls "/CN=ingest" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:ingest,DNS:localhost,IP:127.0.0.1"
issue apiserver-client "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

[ -f manifest-signing-key.pem ] || openssl genpkey -algorithm ed25519 -out manifest-signing-key.pem
[ -f minio-root-user ] || printf 'auditkeeper-%s' "$(openssl rand -hex 6)" > minio-root-user
[ -f minio-root-password ] || openssl rand -hex 24 | tr -d '\n' > minio-root-password
[ -f s3-credentials ] || printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
  "$(cat minio-root-user)" "$(cat minio-root-password)" > s3-credentials
[ -f event-hubs-connection-string ] || : > event-hubs-connection-string
[ -f slack-webhook-url ] || : > slack-webhook-url

# Compose bind-mounts these files into containers whose users are not the file's owner (ingest and the archiver run
# as uid 65532): make the mounted files readable, and keep the directory itself closed to other local users.
chmod 0700 "$dir"
chmod 0644 ingest-tls.crt ingest-tls.key apiserver-client.crt ca.crt manifest-signing-key.pem \
  minio-root-user minio-root-password s3-credentials event-hubs-connection-string slack-webhook-url
chmod 0600 ca.key apiserver-client.key
echo "generated in $dir"
