#!/bin/bash
# Single-node Ceph (1 mon, 1 memstore OSD, 1 radosgw) on loopback, no systemd, no docker.
# Everything lives under CEPH_DIR, which is wiped first. Ports come from the caller so that two runs never collide.
set -euo pipefail
D=${CEPH_DIR:?CEPH_DIR must be set}
MON_PORT=${MON_PORT:?MON_PORT must be set}
RGW_PORT=${RGW_PORT:?RGW_PORT must be set}
AK=${S3_ACCESS_KEY:?S3_ACCESS_KEY must be set}
SK=${S3_SECRET_KEY:?S3_SECRET_KEY must be set}
rm -rf "$D"; mkdir -p "$D"/{run,log,mon.a,osd.0,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
C="$D/ceph.conf"
cat > "$C" <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind ipv4 = true
public network = 127.0.0.0/8
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
mon max pg per osd = 1000
# one node: propose map changes at once instead of batching them per second (pool creation is map change)
paxos propose interval = 0.05
paxos min wait = 0.01
osd crush chooseleaf type = 0
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
keyring = $D/keyring
mon data = $D/mon.\$id
osd data = $D/osd.\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd memory target = 536870912
[client.rgw.x]
# radosgw defaults to ms_mon_client_mode=secure, which is impossible with auth=none
ms mon client mode = crc secure
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $D/rgw
rgw dns name = localhost
CONF
ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$D/keyring" --gen-key -n client.rgw.x --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
ceph-authtool "$D/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$D/monmap" >/dev/null
ceph-mon -c "$C" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring"
ceph-mon -c "$C" -i a
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
ceph --connect-timeout 30 -c "$C" osd new "$OSD_UUID" >/dev/null
ceph-osd -c "$C" -i 0 --mkfs --osd-uuid "$OSD_UUID" 2>>"$D/log/osd-mkfs.log"
ceph-osd -c "$C" -i 0
for i in $(seq 1 60); do ceph --connect-timeout 10 -c "$C" osd stat 2>/dev/null | grep -q "1 up" && break; sleep 0.5; done
# The user first, and only then the gateway: started together, both set up the default zone and its pools, and once
# (CI, 2026-11-28) the gateway then never answered a request.
radosgw-admin -c "$C" user create --uid=auditkeeper --display-name=auditkeeper --access-key="$AK" --secret-key="$SK" >/dev/null
radosgw -c "$C" -n client.rgw.x
for i in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$RGW_PORT") 2>/dev/null && break; sleep 0.5; done
echo "ceph rgw ready on http://127.0.0.1:$RGW_PORT (mon 127.0.0.1:$MON_PORT)"
