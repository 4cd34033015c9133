#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# mtkbak identify against the simulated watch: output content, --json, chips, bad images.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/norlog_lib.sh"
need MTKBAK
T=$tmp

# a 1 MiB flash image: SF_BOOT then zeros
{ printf 'SF_BOOT'; head -c $((1048576 - 7)) /dev/zero; } > "$T/flash.bin"
ME=f81da2153082cc5e21ac5236876844c2

out=$("$MTKBAK" identify --port "sim:$T/flash.bin,meid=$ME" 2>"$T/err"); rc=$?
[ $rc -eq 0 ] || { cat "$T/err"; fail "identify exit $rc"; }
echo "$out" | grep -q '^Chip: *MT6261 (hw code 0x6261); MT2502 and MT2503 report themselves as MT6261$' || fail "chip line: $out"
echo "$out" | grep -q '^Variant: *MT6261 (efuse 0x35C0)$' || fail "variant: $out"
echo "$out" | grep -q '^HW version: *0xCB01$' || fail "hw version: $out"
echo "$out" | grep -q '^SW version: *0x0001$' || fail "sw version: $out"
echo "$out" | grep -q "^ME ID: *$ME\$" || fail "me id: $out"
echo "$out" | grep -q '^Secure: *no' || fail "secure: $out"
echo "$out" | grep -q 'Watchdog armed again' || fail "clean state: $out"

# --json: one identify event with the fields
out=$("$MTKBAK" --json identify --port "sim:$T/flash.bin,chip=mt6260,secure,meid=$ME" --reboot) || fail "json exit $?"
echo "$out" | grep -q '"event":"identify"' || fail "json event: $out"
echo "$out" | grep -q '"chip":"MT6260","hw_code":"0x6260"' || fail "json chip: $out"
echo "$out" | grep -q '"secure":true' || fail "json secure: $out"
echo "$out" | grep -q "\"me_id\":\"$ME\"" || fail "json me id: $out"
echo "$out" | grep -q '"message":"Watch reset."' || fail "json reboot: $out"

# bad images and options: clear messages, distinct exit codes
head -c 300000 /dev/zero > "$T/odd.bin"
"$MTKBAK" identify --port "sim:$T/odd.bin" 2>"$T/err"; rc=$?
[ $rc -eq 65 ] || fail "odd-size image: exit $rc (want 65: malformed input data)"
grep -q 'power of two' "$T/err" || fail "odd-size message: $(cat "$T/err")"
"$MTKBAK" identify --port "sim:$T/missing.bin" 2>"$T/err"; rc=$?
[ $rc -eq 66 ] || fail "missing image: exit $rc"
grep -q 'missing.bin' "$T/err" || fail "missing message: $(cat "$T/err")"
"$MTKBAK" identify --port "sim:$T/flash.bin,turbo=1" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] || fail "bad option: exit $rc"
grep -q "unknown sim option 'turbo'" "$T/err" || fail "bad option message"
"$MTKBAK" identify --port bogus 2>"$T/err"; rc=$?
[ $rc -eq 2 ] || fail "bad port: exit $rc"
"$MTKBAK" identify --timeout abc --port "sim:$T/flash.bin" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "bad timeout: exit $rc"
"$MTKBAK" identify --help | grep -q -- '--reboot' || fail "help"
nor_log_empty
finish
