# SPDX-License-Identifier: GPL-3.0-or-later
# Read-only as a tested property: sourced right after lib.sh by every e2e test that runs
# read, pull or identify. It points every simulated watch the test starts at one write log,
# $tmp/nor.log (the sim's nor_log option, through MTKBAK_SIM_NOR_LOG): the simulated flash
# appends a line for each program, erase, write-enable or write-status command and each write
# into its flash window. nor_log_empty (call it before finish) fails the test unless the log
# was created and is empty.
export MTKBAK_SIM_NOR_LOG="$tmp/nor.log"
rm -f "$MTKBAK_SIM_NOR_LOG"
nor_log_empty() {
	if [ ! -f "$MTKBAK_SIM_NOR_LOG" ]; then
		fail "no simulated watch created $MTKBAK_SIM_NOR_LOG"
	elif [ -s "$MTKBAK_SIM_NOR_LOG" ]; then
		fail "the flash was written: $(wc -l <"$MTKBAK_SIM_NOR_LOG") command(s): $(head -20 "$MTKBAK_SIM_NOR_LOG")"
	fi
	return 0
}
