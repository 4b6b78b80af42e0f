#!/usr/bin/env bash
# Starts a one-node SLURM cluster on this machine from Debian's packages (munge, slurmctld,
# slurmd), for nsbi's SLURM tests and for trying the sbatch scripts on a workstation. As root.
#
#   scripts/slurm/start-local-cluster.sh [--cpus N]     (default 4: more than exist is fine)
#   scripts/slurm/start-local-cluster.sh --stop
#
# The node and the control host are `hostname -s`; SlurmdParameters=config_overrides lets the node
# declare more CPUs than it has, so `sbatch -n 4` runs on a 2-core machine. It writes
# /etc/slurm/slurm.conf only when that file is absent or was written by this script (a real
# cluster's configuration is never touched) and exits 0 once `sinfo` shows the node idle.
set -euo pipefail
cpus=4
case "${1:-}" in
  --cpus) cpus=$2 ;;
  --stop)
    pkill -x slurmd 2> /dev/null || true
    pkill -x slurmctld 2> /dev/null || true
    exit 0 ;;
  "") ;;
  *) echo "start-local-cluster: unknown argument $1" >&2; exit 2 ;;
esac
[[ $(id -u) -eq 0 ]] || { echo "start-local-cluster: run as root" >&2; exit 2; }
here=$(cd "$(dirname "$0")/../.." && pwd)
bash "$here/scripts/install-deps.sh" --with-slurm
host=$(hostname -s)
conf=/etc/slurm/slurm.conf
marker="# written by nsbi scripts/slurm/start-local-cluster.sh"
if [[ -f $conf ]] && ! grep -qF "$marker" "$conf"; then
  echo "start-local-cluster: $conf exists and was not written by this script; not touching it" >&2
  exit 2
fi
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
old=$(cat "$conf" 2> /dev/null || true)
cat > "$conf" <<CONF
$marker
ClusterName=nsbi-local
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=cred_expire=10
SlurmUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
JobRequeue=1
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SlurmdParameters=config_overrides
KillWait=30
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
chown munge:munge /run/munge 2> /dev/null || true
# Daemons already running with another configuration are restarted with this one.
if [[ $old != "$(cat "$conf")" ]] && { pgrep -x slurmctld || pgrep -x slurmd; } > /dev/null; then
  pkill -x slurmd 2> /dev/null || true
  pkill -x slurmctld 2> /dev/null || true
  for _ in $(seq 50); do { pgrep -x slurmctld || pgrep -x slurmd; } > /dev/null || break; sleep 0.2; done
fi
if ! pgrep -x munged > /dev/null; then
  [[ -s /etc/munge/munge.key ]] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none; chmod 400 /etc/munge/munge.key; }
  munged --force
fi
pgrep -x slurmctld > /dev/null || slurmctld
pgrep -x slurmd > /dev/null || slurmd
for _ in $(seq 60); do
  state=$(sinfo -h -n "$host" -o %T 2> /dev/null || true)
  if [[ $state == idle* || $state == mixed* || $state == allocated* ]]; then
    echo "start-local-cluster: node $host is $state ($cpus CPUs declared)"
    exit 0
  fi
  [[ $state == down* || $state == drain* ]] && scontrol update nodename="$host" state=resume 2> /dev/null || true
  sleep 1
done
echo "start-local-cluster: the node did not become idle; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
exit 1
