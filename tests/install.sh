#!/bin/sh
# SPDX-License-Identifier: MIT
# make install DESTDIR=<scratch>, then check that every file a user gets is
# there and works: programs whose libraries resolve, the library through
# pkg-config (a program is compiled, linked and run against the installed
# copy), units, sysusers.d, udev rule, the environment file, every man page
# in man/, bash completion, the Python package. Then a reinstall keeps a
# local edit of the environment file, and make uninstall leaves nothing else
# behind. TAP.
set -u

srcdir=${top_srcdir:?}
builddir=${top_builddir:?}
. "$srcdir/tests/tap.sh"
. "$builddir/tests/install-dirs.sh"
tmp=$tap_tmp
dest=$tmp/dest
out=$tap_out

# make in the build tree; not as part of the caller's jobserver.
run_make() {
    (cd "$builddir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make "$@" DESTDIR="$dest")
}

run_make install >"$out" 2>&1
rc=$?
tap_point $rc "make install DESTDIR=..."
if [ $rc -ne 0 ]; then
    echo "Bail out! make install failed"
    exit 1
fi

# installed PATH [-x|-L|-s]: PATH exists below DESTDIR (and is executable, a
# link to an existing file, or not empty).
installed() {
    path=$dest$1
    case ${2:--s} in
    -x) [ -f "$path" ] && [ -x "$path" ] ;;
    -L) [ -L "$path" ] && [ -e "$path" ] ;;
    -s) [ -s "$path" ] ;;
    esac
    rc=$?
    [ $rc -ne 0 ] && ls -l "$path" >"$out" 2>&1
    tap_point $rc "installed $1"
}

# Programs: installed, executable, every shared library found (liblsc in
# the DESTDIR, the rest on the system).
for prog in "$sbindir/lscd" "$bindir/lscctl" "$bindir/lsc-sim" "$sbindir/lscd-web"; do
    installed "$prog" -x
    LD_LIBRARY_PATH=$dest$libdir ldd "$dest$prog" >"$tmp/ldd" 2>&1
    rc=$?
    if grep -q 'not found' "$tmp/ldd"; then rc=1; fi
    [ $rc -ne 0 ] && cp "$tmp/ldd" "$out"
    tap_point $rc "${prog##*/}: shared libraries resolve"
done

# The library, its headers and its pkg-config file.
installed "$libdir/liblsc.so" -L
installed "$includedir/lsc/frame.h"
installed "$includedir/lsc/client.h"
installed "$includedir/lsc/protocol.h"
installed "$pkgconfigdir/liblsc.pc"

flags=$(PKG_CONFIG_PATH=$dest$pkgconfigdir PKG_CONFIG_SYSROOT_DIR=$dest \
        $PKG_CONFIG --cflags --libs liblsc 2>"$out")
rc=$?
case " $flags " in
*" -I$dest$includedir "*) ;;
*) rc=1; echo "no -I$dest$includedir in: $flags" >>"$out" ;;
esac
case " $flags " in
*" -L$dest$libdir "*) ;;
*) rc=1; echo "no -L$dest$libdir in: $flags" >>"$out" ;;
esac
case " $flags " in
*" -llsc "*) ;;
*) rc=1; echo "no -llsc in: $flags" >>"$out" ;;
esac
tap_point $rc "pkg-config --cflags --libs liblsc points into DESTDIR"

# A client of the installed library: both headers, one codec call, run.
cat >"$tmp/t.c" <<'EOF'
#include <stdio.h>
#include <lsc/frame.h>
#include <lsc/client.h>

int main(void)
{
        unsigned char buf[LSC_FRAME_SIZE_STOP];
        int n = lsc_frame_encode_group_stop(buf, sizeof buf);

        if (n != 4 || buf[0] != 0x55 || buf[1] != 0x55 || buf[2] != 2 || buf[3] != 7) {
                fprintf(stderr, "unexpected STOP frame (%d bytes)\n", n);
                return 1;
        }
        return 0;
}
EOF
$CC $SANITIZER_CFLAGS -std=gnu11 -Wall -Werror $flags -o "$tmp/t" "$tmp/t.c" $flags >"$out" 2>&1 &&
    LD_LIBRARY_PATH=$dest$libdir "$tmp/t" >>"$out" 2>&1
tap_point $? "a program builds, links and runs against the installed liblsc"

# systemd, sysusers.d, udev, the environment file.
for unit in lscd.service lscd@.service lscd.socket lscd@.socket lscd-observe.socket \
        lscd-observe@.socket lscd-web.service; do
    installed "$systemdsystemunitdir/$unit"
done
grep -qx "ExecStart=$sbindir/lscd --device \${LSCD_DEVICE} --robot \${LSCD_ROBOT} --state /run/lscd/state.json --realtime \${LSCD_REALTIME} \$LSCD_OPTIONS" \
    "$dest$systemdsystemunitdir/lscd.service" >"$out" 2>&1
tap_point $? "installed lscd.service runs $sbindir/lscd"
installed "$sysusersdir/lscd.conf"
installed "$sysusersdir/lscd-web.conf"
installed "$udevrulesdir/60-lscd.rules"
installed "$sysconfdir/default/lscd"
installed "$docdir/robot.yaml.example"

# Man pages: the ones the project promises, and every page in man/.
pages="lscd.8 lsc-sim.1 lscctl.1 lscd-protocol.7 lscd-robot.5 liblsc.3"
for page in "$srcdir"/man/*.[1-8]; do
    [ -e "$page" ] || continue
    case " $pages " in *" ${page##*/} "*) ;; *) pages="$pages ${page##*/}" ;; esac
done
for page in $pages; do
    installed "$mandir/man${page##*.}/$page"
done

# The Python package, where the configured python3 finds it: imported from
# DESTDIR, and, when the interpreter searches a directory under the prefix
# (Debian's python3: /usr/local/lib/python3.X/dist-packages, or
# /usr/lib/python3/dist-packages), installed into that one.
for file in "$srcdir"/client/python/lsc/*.py "$srcdir"/client/python/lsc/py.typed; do
    installed "$pythondir/lsc/${file##*/}"
done
PYTHONPATH=$dest$pythondir "$PYTHON" -c 'import lsc, sys; assert lsc.__file__ == sys.argv[1], lsc.__file__' \
    "$dest$pythondir/lsc/__init__.py" >"$out" 2>&1
tap_point $? "$PYTHON imports lsc from DESTDIR$pythondir"
searched=$("$PYTHON" -c 'import site, sys
prefix = sys.argv[1].rstrip("/") + "/lib/"
print(next((d for d in site.getsitepackages() if d.startswith(prefix)), ""))' "$prefix")
if [ -n "$searched" ]; then
    [ "$searched" = "$pythondir" ] || echo "$PYTHON searches $searched, not $pythondir" >"$out"
    tap_point $? "installed where $PYTHON looks under $prefix: $searched"
else
    tap_skip "installed where $PYTHON looks" "$PYTHON searches nothing under $prefix"
fi

# Bash completion for lscctl, and bash can parse it.
installed "$bashcompletiondir/lscctl"
bash -n "$dest$bashcompletiondir/lscctl" >"$out" 2>&1
tap_point $? "bash -n on the lscctl completion"

# A reinstall keeps the local edit of the environment file...
echo 'LSCD_DEVICE=/dev/lsc0' >>"$dest$sysconfdir/default/lscd"
run_make install >"$out" 2>&1 &&
    grep -qx 'LSCD_DEVICE=/dev/lsc0' "$dest$sysconfdir/default/lscd" >>"$out" 2>&1
tap_point $? "make install again keeps an edited $sysconfdir/default/lscd"

# ... and uninstall removes every file but that edited one.
run_make uninstall >"$out" 2>&1
rc=$?
(cd "$dest" && find . ! -type d) >"$tmp/left"
if [ "$(cat "$tmp/left")" != "./${sysconfdir#/}/default/lscd" ]; then
    rc=1
    echo "left after uninstall:" >>"$out"
    cat "$tmp/left" >>"$out"
fi
tap_point $rc "make uninstall removes all but the edited environment file"

tap_done
