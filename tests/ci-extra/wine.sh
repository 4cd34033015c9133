#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The real mtkbak.exe under Wine, through what a Windows user does, with every output file
# compared byte for byte with the Linux build's for the same inputs:
#   --version, help, list, doctor (text and --json), pull --port sim:demo into a relative
#   folder, C:\..., drive-relative C:name, a Unix-style absolute path and a nested a\b path;
#   resume after Ctrl-C and after a killed process; check of a dump and of a kit folder;
#   extract into new, nested, existing-empty and existing folders (refused, then --force);
#   --json of pull, check and extract; the progress bar on a console without VT sequences;
#   check and extract of the corpus's real MT6260A firmware (when ../shared/corpus is there).
#
#   tests/ci-extra/wine.sh            builds mtkbak.exe (windows-cross.sh --full build-win)
#   MTKBAK_EXE=path/mtkbak.exe        ...or uses this one
#   MTKBAK=path/mtkbak                the Linux build to compare with (default build/mtkbak)
#
# Needs wine and wine64 (Debian; installed here when missing and we are root). Exit 0 all
# passed, 1 a check failed (each listed), 77 skipped (Wine cannot be installed, or the .exe
# cannot be built because a pinned source is unavailable).
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
linux=${MTKBAK:-$here/build/mtkbak}

if ! command -v wine >/dev/null 2>&1 || [ ! -x /usr/lib/wine/wine64 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
	echo "     installing wine, wine64"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		wine wine64 >/dev/null 2>&1 || true
fi
if ! command -v wine >/dev/null 2>&1 || [ ! -x /usr/lib/wine/wine64 ]; then
	echo "SKIP: Wine is not installed and could not be (apt-get install wine wine64)"
	exit 77
fi

exe=${MTKBAK_EXE:-}
if [ -z "$exe" ]; then
	rc=0
	bash "$here/tests/ci-extra/windows-cross.sh" --full "$here/build-win" || rc=$?
	[ $rc -eq 77 ] && exit 77
	[ $rc -eq 0 ] || {
		echo "FAIL: mtkbak.exe did not build"
		exit 1
	}
	exe=$here/build-win/build/mtkbak.exe
fi
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")

tmp=$(mktemp -d)
trap 'WINEPREFIX=$tmp/prefix wineserver -k >/dev/null 2>&1; rm -rf "$tmp"' EXIT
if [ ! -x "$linux" ]; then
	echo "     building the Linux mtkbak to compare with"
	cmake -S "$here" -B "$tmp/linux" -DMTKBAK_TESTS=OFF -DMTKBAK_USBSIM=OFF >/dev/null &&
		cmake --build "$tmp/linux" -j2 --target mtkbak >/dev/null || {
		echo "FAIL: the Linux build to compare with did not build"
		exit 1
	}
	linux=$tmp/linux/mtkbak
fi

export WINEPREFIX=$tmp/prefix WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
wineboot --init >/dev/null 2>&1
wineserver -w
C=$WINEPREFIX/drive_c
L=$tmp/L W=$tmp/W
mkdir -p "$L" "$W"
nfail=0 nok=0
fail() {
	echo "FAIL $*"
	nfail=$((nfail + 1))
}
ok() { nok=$((nok + 1)); }

# w NAME ARGS...: mtkbak.exe in $W; stdout in $tmp/NAME.w (CRLF -> LF), stderr in .werr
w() {
	local name=$1
	shift
	(cd "$W" && wine "$exe" "$@") >"$tmp/$name.raw" 2>"$tmp/$name.werr"
	local rc=$?
	tr -d '\r' <"$tmp/$name.raw" >"$tmp/$name.w"
	return $rc
}
# l NAME ARGS...: the Linux build in $L
l() {
	local name=$1
	shift
	(cd "$L" && "$linux" "$@") >"$tmp/$name.l" 2>"$tmp/$name.lerr"
}
# same NAME ARGS...: both, same exit code and the same stdout
same() {
	local name=$1 rw=0 rl=0
	w "$@" || rw=$?
	l "$@" || rl=$?
	# the only run-to-run difference in a pull's text: time and rate of the summary
	sed -i -E 's/^Done in [0-9.]+ s \([0-9.]+ MB\/s\)/Done in - s (- MB\/s)/' "$tmp/$name.w" "$tmp/$name.l"
	if [ $rw -ne $rl ]; then
		fail "$name: exit $rw under Wine, $rl on Linux: $(head -3 "$tmp/$name.werr")"
	elif ! cmp -s "$tmp/$name.w" "$tmp/$name.l"; then
		fail "$name: output differs from Linux: $(diff "$tmp/$name.l" "$tmp/$name.w" | head -5)"
	else
		ok
	fi
}

# same_tree WHAT LINUX-DIR WINE-DIR: the same files with the same bytes. The folder's own
# name appears in report.json, SHA256SUMS (report.json's hash) and mtkbak.log (with times):
# those are compared with the name and the times taken out.
norm() { # FILE DIRNAME
	case $(basename "$1") in
	report.json) sed -E 's/"dir": "([^"\\]|\\.)*"/"dir": "-"/' "$1" ;;
	SHA256SUMS) grep -v ' report\.json$' "$1" ;;
	mtkbak.log) cut -d' ' -f2- "$1" | grep -v -e '^state Done in ' -e 'bytes/s\|MB/s' |
		sed -e "s|$2|-|g" ;;
	*) cat "$1" ;;
	esac
}
same_tree() {
	local what=$1 a=$2 b=$3 f bad=0
	if [ ! -d "$b" ]; then
		fail "$what: Wine wrote no folder $b"
		return
	fi
	if [ "$(cd "$a" && find . -type f | sort)" != "$(cd "$b" && find . -type f | sort)" ]; then
		fail "$what: other files than Linux: $(diff <(cd "$a" && find . -type f | sort) \
			<(cd "$b" && find . -type f | sort) | grep '^[<>]' | head -5 | tr '\n' ' ')"
		return
	fi
	while IFS= read -r f; do
		if cmp -s "$a/$f" "$b/$f"; then continue; fi
		if cmp -s <(norm "$a/$f" "$4") <(norm "$b/$f" "$5"); then continue; fi
		fail "$what: $f differs from Linux's"
		bad=1
	done < <(cd "$a" && find . -type f | sort)
	[ $bad -eq 0 ] && [ -n "$(ls "$b")" ] && ok
}

pe=$(x86_64-w64-mingw32-objdump -p "$exe")
pe_imports=$(sed -n 's/^\s*DLL Name: //p' <<<"$pe" | LC_ALL=C sort | tr '\n' ' ')
if [ "$pe_imports" = "ADVAPI32.dll KERNEL32.dll SETUPAPI.dll msvcrt.dll " ] &&
	grep -q '^Magic.*(PE32+)' <<<"$pe" && grep -q '^Subsystem.*(Windows CUI)' <<<"$pe"; then
	ok
else
	fail "mtkbak.exe is not one console PE32+ importing only KERNEL32, ADVAPI32, msvcrt, SETUPAPI: $pe_imports"
fi

# ---- the simple commands ----
same version --version
same help help
same help-opt --help
for c in pull read check extract list doctor; do same "help-$c" "$c" --help; done

w list list && grep -q '^USB devices in boot-ROM mode (0E8D:0003):$' "$tmp/list.w" &&
	grep -q '^Serial ports:$' "$tmp/list.w" && ok || fail "list: $(cat "$tmp/list.w" "$tmp/list.werr")"

# a COM port that does not exist: libserialport's Win32 error (ERROR_FILE_NOT_FOUND) is "no
# device" (exit 69), as on Linux, not an I/O error
rc=0
w nocom identify --port serial:COM9 --timeout 1 || rc=$?
[ $rc -eq 69 ] && grep -q 'cannot open COM9' "$tmp/nocom.werr" && ok ||
	fail "identify --port serial:COM9: exit $rc, $(cat "$tmp/nocom.werr")"

# doctor under Wine: no watch anywhere, SetupAPI answers with nothing; nothing blocks
if w doctor doctor && grep -q '^info  win-driver    Windows has never seen a watch' "$tmp/doctor.w" &&
	grep -q "should work here" "$tmp/doctor.w"; then ok; else
	fail "doctor: $(cat "$tmp/doctor.w" "$tmp/doctor.werr")"
fi
if w doctor-json doctor --json && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ids = [c["id"] for c in d["checks"]]
assert d["ok"] is True and d["exit_code"] == 0, d
assert "win-driver" in ids and "system" in ids, ids
' "$tmp/doctor-json.w"; then ok; else fail "doctor --json: $(cat "$tmp/doctor-json.w")"; fi

# ---- pull: into every kind of path ----
demo=sim:demo,plug=0,link=none
same pull-rel pull --port "$demo" -o kit1
same_tree "pull -o kit1" "$L/kit1" "$W/kit1" kit1 kit1

mkdir -p "$C/mtkbak-wine"
w pull-c pull --port "$demo" -o 'C:\mtkbak-wine\kit2' || fail "pull -o C:\\mtkbak-wine\\kit2: $(cat "$tmp/pull-c.werr")"
same_tree 'pull -o C:\mtkbak-wine\kit2' "$L/kit1" "$C/mtkbak-wine/kit2" kit1 'C:\\mtkbak-wine\\kit2'
grep -q '^Output folder: C:\\mtkbak-wine\\kit2' "$tmp/pull-c.w" && ok || fail "pull C:\\: $(head -3 "$tmp/pull-c.w")"

w pull-drive pull --port "$demo" -o 'C:kit3' || fail "pull -o C:kit3: $(cat "$tmp/pull-drive.werr")"
same_tree "pull -o C:kit3 (drive-relative)" "$L/kit1" "$C/kit3" kit1 'C:kit3'

w pull-unix pull --port "$demo" -o "$W/abs/kit4" || fail "pull -o $W/abs/kit4: $(cat "$tmp/pull-unix.werr")"
same_tree "pull -o /unix/style/kit4" "$L/kit1" "$W/abs/kit4" kit1 "$W/abs/kit4"

w pull-nested pull --port "$demo" -o 'sub\deeper\kit5' || fail "pull -o sub\\deeper\\kit5: $(cat "$tmp/pull-nested.werr")"
same_tree 'pull -o sub\deeper\kit5' "$L/kit1" "$W/sub/deeper/kit5" kit1 'sub\\deeper\\kit5'

# a second pull into a finished folder is refused the same way on both
same pull-again pull --port "$demo" -o kit1

# ---- resume: Ctrl-C (SIGINT becomes the console's Ctrl-C event) and a killed process ----
# link=fs: the demo watch's USB full-speed pace (about 3.5 s for 4 MiB), time to stop it
interrupt() { # NAME SIGNAL DIR
	local name=$1 sig=$2 dir=$3 s=0 pid
	(cd "$W" && exec wine "$exe" pull --port sim:demo,plug=0 -o "$dir") >"$tmp/$name.raw" 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do # up to 30 s on a loaded machine
		s=$(stat -c %s "$W/$dir/readback.bin.part" 2>/dev/null || echo 0)
		[ "$s" -ge 1048576 ] && break
		sleep 0.05
	done
	kill "-$sig" "$(pgrep -f "mtkbak.exe pull --port sim:demo,plug=0 -o $dir" | head -1)" 2>/dev/null
	wait $pid
	echo $?
}
rc=$(interrupt ctrlc INT r1)
if [ "$rc" -eq 130 ] && tr -d '\r' <"$tmp/ctrlc.raw" | grep -q 'run the same command again to continue' &&
	[ -f "$W/r1/readback.bin.part.state" ] && [ ! -f "$W/r1/readback.bin" ]; then ok; else
	fail "Ctrl-C during the read: exit $rc, $(tr -d '\r' <"$tmp/ctrlc.raw" | tail -2)"
fi
w resume1 pull --json --port sim:demo,plug=0,link=none -o r1 || fail "resume after Ctrl-C: $(tail -3 "$tmp/resume1.w")"
grep -q '"event":"result".*"resumed":true' "$tmp/resume1.w" && ok ||
	fail "resume after Ctrl-C did not resume: $(grep result "$tmp/resume1.w")"
cmp -s "$W/r1/readback.bin" "$L/kit1/readback.bin" && ok || fail "resumed readback.bin differs from Linux's"
for f in BOOTLOADER EXT_BOOTLOADER ROM VIVA FAT.bin MT6261.cfg report.txt; do
	cmp -s "$W/r1/$f" "$L/kit1/$f" || fail "resumed kit: $f differs from Linux's"
done

rc=$(interrupt killed KILL r2)
[ -f "$W/r2/readback.bin.part" ] && [ ! -f "$W/r2/readback.bin" ] && ok ||
	fail "killed during the read: exit $rc, no .part kept"
w resume2 pull --json --port sim:demo,plug=0,link=none -o r2 || fail "resume after kill: $(tail -3 "$tmp/resume2.w")"
grep -q '"resumed":true' "$tmp/resume2.w" && cmp -s "$W/r2/readback.bin" "$L/kit1/readback.bin" && ok ||
	fail "resume after a killed process: $(grep result "$tmp/resume2.w")"

# ---- check ----
same check-dump check kit1/readback.bin
same check-kit check kit1
same check-json check --json kit1/readback.bin
w check-bs check 'kit1\readback.bin' && grep -q '^health: 100%$' "$tmp/check-bs.w" && ok ||
	fail "check kit1\\readback.bin: $(tail -2 "$tmp/check-bs.w" "$tmp/check-bs.werr")"
printf 'not a dump' >"$W/junk.bin"
printf 'not a dump' >"$L/junk.bin"
same check-junk check junk.bin
same check-missing check nothere.bin

# ---- extract: new, nested, existing empty, existing (refused, then --force) ----
same extract-new extract kit1/readback.bin -o new1
same_tree "extract -o new1" "$L/new1" "$W/new1" new1 new1
w extract-nested extract kit1/readback.bin -o 'a\b\new2' || fail "extract -o a\\b\\new2: $(cat "$tmp/extract-nested.werr")"
same_tree 'extract -o a\b\new2' "$L/new1" "$W/a/b/new2" new1 'a\\b\\new2'
w extract-c extract kit1/readback.bin -o 'C:\mtkbak-wine\x\y\new3' || fail "extract -o C:\\...\\new3: $(cat "$tmp/extract-c.werr")"
same_tree 'extract -o C:\mtkbak-wine\x\y\new3' "$L/new1" "$C/mtkbak-wine/x/y/new3" new1 'C:\\mtkbak-wine\\x\\y\\new3'
mkdir -p "$W/empty" "$L/empty"
same extract-empty extract kit1/readback.bin -o empty
same_tree "extract -o an existing empty folder" "$L/empty" "$W/empty" empty empty
same extract-exists extract kit1/readback.bin -o new1
[ -f "$W/new1/ROM" ] && ok || fail "a refused extract touched the folder"
echo old >"$W/new1/stale.txt"
echo old >"$L/new1/stale.txt"
same extract-force extract --force kit1/readback.bin -o new1
same_tree "extract --force over an existing kit" "$L/new1" "$W/new1" new1 new1
same extract-json extract --json kit1/readback.bin -o new4

# ---- the real MT6260A firmware kit from the corpus, placed in a 16 MiB flash ----
corpus=${MTKBAK_CORPUS:-$here/../shared/corpus}
fwimg=$(dirname "$linux")/tests/fwimg
if [ -f "$corpus/mt6260a-kids-phone/MAUI" ] && [ -x "$fwimg" ]; then
	"$fwimg" kit "$corpus/mt6260a-kids-phone" --size 16M -o "$L/real.bin" >/dev/null &&
		cp "$L/real.bin" "$W/real.bin" || fail "fwimg could not build the corpus dump"
	same check-real check real.bin
	same extract-real extract real.bin -o realkit
	same_tree "extract of the real MT6260A firmware" "$L/realkit" "$W/realkit" realkit realkit
	cmp -s "$W/realkit/ROM" "$corpus/mt6260a-kids-phone/MAUI" && ok ||
		fail "the real kit's ROM does not come back byte for byte under Wine"
else
	echo "     (no corpus kit or no fwimg: the real-firmware comparison is left out)"
fi

# ---- pull --json: the same events and result, times and rates aside ----
w pull-json pull --json --port "$demo" -o kit6
l pull-json pull --json --port "$demo" -o kit6
jnorm() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "progress":
        continue
    for k in ("seconds", "bytes_per_second", "mb_per_second"):
        e.pop(k, None)
    if "message" in e and e["message"].startswith("Done in "):
        e["message"] = "Done"
    print(json.dumps(e, sort_keys=True))
' "$1"
}
if cmp -s <(jnorm "$tmp/pull-json.l") <(jnorm "$tmp/pull-json.w"); then ok; else
	fail "pull --json differs: $(diff <(jnorm "$tmp/pull-json.l") <(jnorm "$tmp/pull-json.w") | head -4)"
fi
same_tree "pull --json -o kit6" "$L/kit6" "$W/kit6" kit6 kit6

# ---- the progress bar on Wine's console (it prints VT sequences as text) ----
if command -v script >/dev/null 2>&1; then
	(cd "$W" && timeout 120 script -qec "wine '$exe' pull --port sim:demo,plug=0 -o bar" /dev/null) \
		>"$tmp/bar.raw" 2>&1
	plain=$(sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' "$tmp/bar.raw" | tr '\r' '\n')
	if grep -q '\[K' <<<"$plain"; then
		fail "the progress bar printed a literal ESC[K on the console"
	elif ! grep -q 'Reading.*\[#' <<<"$plain"; then
		fail "no progress bar on the console: $(tail -c 300 <<<"$plain")"
	else
		ok
	fi
	cmp -s "$W/bar/readback.bin" "$L/kit1/readback.bin" && ok || fail "pull on a console: readback differs"
fi

echo "wine: $nok checks passed, $nfail failed ($(wine --version), $(basename "$exe"))"
[ $nfail -eq 0 ]
