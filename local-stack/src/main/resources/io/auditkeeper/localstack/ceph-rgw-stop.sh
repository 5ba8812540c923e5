#!/bin/bash
# Stops the daemons recorded under CEPH_DIR/run, and only those: a pid counts as ours when its command line names
# our ceph.conf (a stale pid file from an earlier boot may point at an unrelated process now).
# One at a time, clients first: radosgw hangs in shutdown if its OSD goes away under it, and an OSD whose monitor is
# already gone waits 5 s for it before exiting.
D=${CEPH_DIR:?CEPH_DIR must be set}
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' '\n' < "/proc/$1/cmdline" | grep -qxF -- "$D/ceph.conf"; }
alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1 | grep -q '[ZX]'; }
stop() {
  local pids=() f p
  for f in "$@"; do
    [ -f "$D/run/$f" ] || continue
    p=$(cat "$D/run/$f" 2>/dev/null) || continue
    [[ "$p" =~ ^[0-9]+$ ]] && ours "$p" && pids+=("$p") && kill "$p" 2>/dev/null
  done
  for i in $(seq 1 40); do
    local left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && return; sleep 0.25
  done
}
stop client.rgw.x.pid
stop osd.0.pid
stop mon.a.pid
exit 0
