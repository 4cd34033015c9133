# Read-only as a tested property (sourced by every e2e test that runs read, pull or identify):
#   . "$(dirname "$0")/norlog_lib.sh" DIR
# points every simulated watch this test starts at one write log, DIR/nor.log (the sim's
# nor_log option, through MTKBAK_SIM_NOR_LOG). The simulated flash appends a line for each
# program, erase, write-enable or write-status command and each write into its flash window.
# nor_log_empty (call it at the end) fails the test unless the log was created and is empty.
: "${1:?norlog_lib.sh needs the temporary folder of the test}"
export MTKBAK_SIM_NOR_LOG="$1/nor.log"
rm -f "$MTKBAK_SIM_NOR_LOG"
nor_log_empty() {
	if [ ! -f "$MTKBAK_SIM_NOR_LOG" ]; then
		echo "FAIL: no simulated watch created $MTKBAK_SIM_NOR_LOG"
		return 1
	fi
	if [ -s "$MTKBAK_SIM_NOR_LOG" ]; then
		echo "FAIL: the flash was written: $(wc -l <"$MTKBAK_SIM_NOR_LOG") command(s):"
		head -20 "$MTKBAK_SIM_NOR_LOG"
		return 1
	fi
	return 0
}
