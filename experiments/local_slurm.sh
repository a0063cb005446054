#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, to try and test the cluster path
# (python run.py batch ... --executor slurm) without a real cluster.
#
#   experiments/local_slurm.sh start    # start munged, slurmctld and slurmd (does nothing if they run); prints the export line
#   experiments/local_slurm.sh status   # exit 0 if the cluster answers and its node takes jobs, 3 if not
#   experiments/local_slurm.sh stop     # stop slurmctld and slurmd (and munged, if this script started it)
#   experiments/local_slurm.sh env      # prints: export SLURM_CONF=...   (use: eval "$(experiments/local_slurm.sh env)")
#
# Needs root (the daemons run as SlurmUser=root) and Debian's packages:
#   apt-get install -y slurm-wlm munge
# Everything of this cluster lives in one folder, $SHS_SLURM_DIR (default /tmp/shs-slurm):
# its slurm.conf, state, spool, logs and pid files. Nothing under /etc/slurm is written, so a
# real Slurm's configuration is never touched; Slurm's commands (sbatch, squeue, scancel, and
# dask-jobqueue's calls to them) find this cluster through the environment variable SLURM_CONF,
# which `env` prints. No cgroups (this may run in a container): processes are tracked through
# /proc (proctrack/linuxproc) and tasks are not confined (task/none).
set -euo pipefail

DIR="${SHS_SLURM_DIR:-${TMPDIR:-/tmp}/shs-slurm}"
CONF="$DIR/slurm.conf"
NODE=localhost
PARTITION=local
export SLURM_CONF="$CONF"

say() { echo "local_slurm: $*" >&2; }
die() { say "$*"; exit 1; }

need_tools() {
    local missing=()
    for tool in munged slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        die "not installed: ${missing[*]} (on Debian or Ubuntu: apt-get install -y slurm-wlm munge)"
    fi
}

# A daemon whose pid file names a live process of that name.
running() {  # running PIDFILE NAME
    local pid
    [ -r "$1" ] || return 1
    pid="$(cat "$1" 2>/dev/null)" || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$2" ]
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
    munge_works && return 0
    local key=/etc/munge/munge.key
    if [ ! -s "$key" ]; then
        say "creating a munge key in $key"
        mkdir -p /etc/munge
        dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
    fi
    # munged refuses a key or folders that others can read or write.
    chown munge:munge /etc/munge "$key" && chmod 0700 /etc/munge && chmod 0400 "$key"
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge
    chmod 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    touch "$DIR/munged.started-here"
    wait_for munge_works 30 "munged to answer"
}

# What this machine has, as slurmd itself reports it, so the node is never drained for claiming more.
detect() {
    local line
    line="$(slurmd -C | head -n 1)"
    CPUS="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$line")"
    MEMORY="$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$line")"
    if [ -z "$CPUS" ] || [ -z "$MEMORY" ]; then die "cannot read CPUs and RealMemory from 'slurmd -C': $line"; fi
}

write_conf() {
    detect
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
    cat >"$CONF.new" <<EOF
# Written by experiments/local_slurm.sh: a single-node cluster on this machine. Do not edit; rerun the script.
ClusterName=shs-local
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
# No cgroups: processes tracked through /proc, tasks not confined (works in a container).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Cores are what jobs take: one-core worker jobs share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# A node that went down comes back as soon as its slurmd registers.
ReturnToService=2
# Seconds between SIGTERM and SIGKILL when a job is cancelled or out of time.
KillWait=5
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.new" "$CONF"
}

node_state() { sinfo --noheader --nodes="$NODE" --format=%T 2>/dev/null | head -n 1; }

registered() { [ -n "$(node_state)" ] && [[ "$(node_state)" != unknown* ]]; }

usable() {
    case "$(node_state)" in
        idle | mixed | allocated | completing) return 0 ;;  # not drained or down, and answering (sinfo marks a silent node with '*')
        *) return 1 ;;
    esac
}

wait_for() {  # wait_for COMMAND SECONDS WHAT
    local deadline=$((SECONDS + $2))
    until "$1"; do
        [ $SECONDS -lt $deadline ] || die "gave up after $2 s waiting for $3 (logs: $DIR/log)"
        sleep 0.5
    done
}

start() {
    need_tools
    [ "$(id -u)" -eq 0 ] || die "needs root: the daemons run as SlurmUser=root (try: sudo $0 start)"
    mkdir -p "$DIR"
    start_munge
    if running "$DIR/slurmctld.pid" slurmctld && running "$DIR/slurmd.pid" slurmd && usable; then
        say "already running ($CONF)"
    else
        write_conf
        running "$DIR/slurmctld.pid" slurmctld || slurmctld -f "$CONF"
        running "$DIR/slurmd.pid" slurmd || slurmd -f "$CONF" -N "$NODE"
        wait_for registered 60 "slurmd on $NODE to register with slurmctld"
        # A node drained or down from an earlier run (e.g. its slurmd was killed) takes jobs again.
        usable || scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
        wait_for usable 60 "node $NODE to take jobs (state: $(node_state))"
        say "running: node $NODE, $CPUS CPUs, $MEMORY MB, partition $PARTITION ($CONF)"
    fi
    echo "export SLURM_CONF=$CONF"
}

stop_daemon() {  # stop_daemon PIDFILE NAME
    running "$1" "$2" || return 0
    local pid deadline=$((SECONDS + 30))
    pid="$(cat "$1")"
    kill "$pid" 2>/dev/null || true
    while [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; do
        if [ $SECONDS -ge $deadline ]; then kill -9 "$pid" 2>/dev/null || true; fi
        sleep 0.2
    done
}

stop() {
    if running "$DIR/slurmctld.pid" slurmctld; then
        scancel --full --partition="$PARTITION" 2>/dev/null || true  # no worker job outlives its cluster
    fi
    stop_daemon "$DIR/slurmd.pid" slurmd
    stop_daemon "$DIR/slurmctld.pid" slurmctld
    if [ -e "$DIR/munged.started-here" ]; then
        stop_daemon /run/munge/munged.pid munged
        rm -f "$DIR/munged.started-here"
    fi
    say "stopped"
}

status() {
    if running "$DIR/slurmctld.pid" slurmctld && running "$DIR/slurmd.pid" slurmd && usable; then
        say "running ($CONF): node $NODE $(node_state)"
        squeue --noheader --format='%i %j %T %M' || true
        return 0
    fi
    say "not running (start it: $0 start)"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) echo "export SLURM_CONF=$CONF" ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
