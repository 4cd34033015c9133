# SPDX-License-Identifier: GPL-3.0-or-later
# bash completion for mtkbak                                     -*- shell-script -*-
# Installed as <datadir>/bash-completion/completions/mtkbak. Needs nothing from the
# bash-completion package (works when sourced from ~/.bashrc too).

_mtkbak_commands="pull read restore check extract identify list doctor udev help"
_mtkbak_common="--json --verbose --quiet --help -v -q -h"

_mtkbak_options() { # COMMAND: its options
	case $1 in
	pull) echo "--auto --port --output -o --timeout --loop --length --no-da --compress --no-fallback --force --reconnect-timeout $_mtkbak_common" ;;
	read) echo "--output -o --port --length --no-da --compress --no-fallback --force --timeout --reconnect-timeout --no-reboot $_mtkbak_common" ;;
	restore) echo "--port --auto --dry-run --yes --only --keep-nvram --with-nvram --other-watch --unprotect --force --undo-dir --timeout $_mtkbak_common" ;;
	check) echo "$_mtkbak_common" ;;
	extract) echo "--output -o --force -f --platform --memory-type $_mtkbak_common" ;;
	identify) echo "--port --timeout --reboot $_mtkbak_common" ;;
	list) echo "$_mtkbak_common" ;;
	doctor) echo "$_mtkbak_common" ;;
	udev) echo "--install --root --force --no-reload $_mtkbak_common" ;;
	help) echo "" ;;
	esac
}

# Watches in boot-ROM mode (0E8D:0003) on this machine, as BUS-PORT paths.
_mtkbak_usb_paths() {
	local d
	for d in /sys/bus/usb/devices/*; do
		[ -r "$d/idVendor" ] && [ -r "$d/idProduct" ] || continue
		[ "$(cat "$d/idVendor" 2>/dev/null)" = 0e8d ] || continue
		[ "$(cat "$d/idProduct" 2>/dev/null)" = 0003 ] || continue
		echo "${d##*/}"
	done
}

_mtkbak_port_values() { # CUR: candidates for --port
	local cur=$1 p
	case $cur in
	usb:*)
		for p in $(_mtkbak_usb_paths); do echo "usb:$p"; done
		;;
	serial:*)
		for p in /dev/ttyACM* /dev/ttyUSB* /dev/cu.usbmodem* /dev/cu.usbserial*; do
			[ -e "$p" ] && echo "serial:$p"
		done
		compgen -f -- "${cur#serial:}" | sed 's/^/serial:/'
		;;
	sim:*)
		echo "sim:demo"
		compgen -f -- "${cur#sim:}" | sed 's/^/sim:/'
		;;
	*)
		echo "auto usb usb: serial: sim: sim:demo"
		;;
	esac
}

_mtkbak() {
	local line=${COMP_LINE:0:COMP_POINT} cur prev cmd="" i
	local -a words

	# Split the line ourselves so that "sim:demo" and "usb:1-2" stay one word whatever
	# COMP_WORDBREAKS says.
	read -r -a words <<<"$line"
	if [[ $line =~ [[:space:]]$ ]] || [ ${#words[@]} -eq 0 ]; then
		words+=("")
	fi
	cur=${words[${#words[@]} - 1]}
	prev=""
	[ ${#words[@]} -ge 2 ] && prev=${words[${#words[@]} - 2]}
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		case ${words[i]} in
		-*) ;;
		*)
			cmd=${words[i]}
			break
			;;
		esac
	done

	local -a reply=()
	case $prev in
	--port)
		mapfile -t reply < <(compgen -W "$(_mtkbak_port_values "$cur")" -- "$cur")
		;;
	--length)
		mapfile -t reply < <(compgen -W "auto 4M 8M 16M" -- "$cur")
		;;
	--compress)
		mapfile -t reply < <(compgen -W "auto off" -- "$cur")
		;;
	--platform)
		mapfile -t reply < <(compgen -W "MT6250 MT6260 MT6261 MT2502 MT2503" -- "$cur")
		;;
	--memory-type)
		mapfile -t reply < <(compgen -W "PSRAM_166MHz PSRAM_130MHz" -- "$cur")
		;;
	--timeout | --reconnect-timeout)
		reply=()
		;;
	-o | --output | --root)
		if [ "$cmd" = read ] && [ "$prev" != --root ]; then
			mapfile -t reply < <(compgen -f -- "$cur")
		else
			mapfile -t reply < <(compgen -d -- "$cur")
		fi
		compopt -o filenames 2>/dev/null || true
		;;
	*)
		if [ -z "$cmd" ]; then
			if [[ $cur == -* ]]; then
				mapfile -t reply < <(compgen -W "-v -q -V --json --verbose --quiet --help --version" -- "$cur")
			else
				mapfile -t reply < <(compgen -W "$_mtkbak_commands" -- "$cur")
			fi
		elif [ "$cmd" = help ] && [[ $cur == -* ]]; then
			mapfile -t reply < <(compgen -W "-v -q --json --verbose --quiet --help" -- "$cur")
		elif [ "$cmd" = help ]; then
			mapfile -t reply < <(compgen -W "$_mtkbak_commands" -- "$cur")
		elif [[ $cur == -* ]]; then
			mapfile -t reply < <(compgen -W "$(_mtkbak_options "$cmd")" -- "$cur")
		elif [ "$cmd" = check ] || [ "$cmd" = extract ]; then
			mapfile -t reply < <(compgen -f -- "$cur")
			compopt -o filenames 2>/dev/null || true
		fi
		;;
	esac

	# Readline replaces only the part after the last COMP_WORDBREAKS character (usually ':'),
	# so drop that prefix from each candidate.
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local prefix=${cur%"${cur##*:}"}
		for i in "${!reply[@]}"; do
			reply[i]=${reply[i]#"$prefix"}
		done
	fi
	COMPREPLY=("${reply[@]}")
	# "usb:" and "serial:" need more text: no space after them.
	if [ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} == *: ]]; then
		compopt -o nospace 2>/dev/null || true
	fi
	return 0
}
complete -F _mtkbak mtkbak
