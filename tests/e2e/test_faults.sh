#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults through the real binary: each ends fast with a message naming what happened, a
# hint, and its own exit code.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK
T=$tmp
{ printf 'SF_BOOT'; head -c $((65536 - 7)) /dev/zero; } > "$T/flash.bin"

# case NAME OPTIONS WANT_EXIT MESSAGE_REGEX HINT_REGEX [identify args...]
case_() {
	local name=$1 opts=$2 want=$3 msg=$4 hint=$5
	shift 5
	local t0=$(date +%s%N)
	"$MTKBAK" identify --port "sim:$T/flash.bin$opts" "$@" >"$T/out" 2>"$T/err"
	local rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
	[ $rc -eq "$want" ] || { cat "$T/err"; fail "$name: exit $rc, want $want"; }
	grep -Eq "error: .*$msg" "$T/err" || { cat "$T/err"; fail "$name: message"; }
	grep -Eq "hint: .*$hint" "$T/err" || { cat "$T/err"; fail "$name: hint"; }
	[ $ms -lt 8000 ] || fail "$name: took $ms ms"
	echo "ok $name ($ms ms, exit $rc)"
}

case_ never-answers ",stall=1,stallms=60000" 75 "handshake: no answer" "switch it off"
case_ garbage ",corrupt=1" 76 "not like a MediaTek boot ROM" "unplug the watch"
case_ wrong-echo ",corrupt=5,corruptcount=1" 76 "wrong echo of READ16 \(A2\): sent A2" "unplug the watch"
case_ error-status ",fail=d1:1d07" 76 "READ32 \(D1\): status 0x1D07 \(read address is not 4-byte aligned\)" "unplug the watch"
case_ secure-refusal ",fail=d8:1d0d" 77 "status 0x1D0D \(secure part" "secure part"
case_ stall-mid-command ",stall=20,stallms=30000" 75 "waiting for .*: no answer" "switch it off"
case_ disconnect-mid-command ",disconnect=30" 69 "went away" "connect USB"
case_ lost-byte ",drop=12" 76 "wrong echo of READ16 \(A2\) count" "unplug the watch"
case_ no-watch ",plug=600000" 69 "no watch in boot-ROM mode" "connect USB" --timeout 0.5

# a watch that comes back after a drop during the handshake is waited for again
"$MTKBAK" identify --port "sim:$T/flash.bin,window=40,stall=1,stallms=150" >"$T/out" 2>&1 || { cat "$T/out"; fail "window: exit $?"; }
grep -q '^Chip: *MT6261' "$T/out" || fail "window: no chip line"
nor_log_empty
finish "ok window-reenumeration"
