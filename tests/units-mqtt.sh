#!/bin/sh
# SPDX-License-Identifier: MIT
# lscd-mqtt@.service, checked by systemd's own tools offline, as
# tests/units.sh checks lscd's: systemd-analyze verify of an instance, and
# systemd-analyze security with an exposure of at most 1.0; its network is
# AF_UNIX (lscd) and the broker's IP families only. TAP.
set -u

srcdir=${top_srcdir:?}
builddir=${top_builddir:?}
. "$srcdir/tests/tap.sh"
. "$builddir/tests/install-dirs.sh"
tmp=$tap_tmp
# In tenths; lower it when the sandbox gets tighter.
threshold=10

# verify needs the program that ExecStart= runs: the one just built.
units=$tmp/units
mkdir -p "$units" "$tmp/man/man8"
sed -e "s|^ExecStart=$sbindir/lscd-mqtt |ExecStart=$builddir/lscd-mqtt |" \
    "$builddir/systemd/lscd-mqtt@.service" >"$units/lscd-mqtt@.service"
ln -s "$srcdir/man/lscd-mqtt.8" "$tmp/man/man8/"
verify_opts=
command -v man >/dev/null || verify_opts=--man=no

substituted() {
    grep -n '@[A-Za-z_]*@' "$builddir/systemd/lscd-mqtt@.service"
    grep -q "^ExecStart=$sbindir/lscd-mqtt --config $sysconfdir/lscd/mqtt/%i.yaml --id %i " \
        "$builddir/systemd/lscd-mqtt@.service" || echo "no ExecStart=$sbindir/lscd-mqtt --config ... --id %i"
}
tap_check "lscd-mqtt@.service is substituted, one file and id per instance" substituted

tap_check "verify lscd-mqtt@arm1.service" \
    env MANPATH="$tmp/man" "$SYSTEMD_ANALYZE" verify $verify_opts "$units/lscd-mqtt@arm1.service"

. "$srcdir/tests/units-security.sh"
exec 3>&1
tap_check "security lscd-mqtt@arm1.service <= 1.0" security "$units/lscd-mqtt@arm1.service"

families() {
    grep -qx 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' "$units/lscd-mqtt@.service" ||
        echo "RestrictAddressFamilies= is not AF_UNIX + the broker's AF_INET AF_INET6"
    grep -c '^RestrictAddressFamilies=' "$units/lscd-mqtt@.service" | grep -qx 1 ||
        echo "more than one RestrictAddressFamilies= line"
}
tap_check "lscd-mqtt@: AF_UNIX and the broker's families only" families

tap_done
