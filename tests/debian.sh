#!/bin/sh
# SPDX-License-Identifier: MIT
# The Debian packages as a Debian 12 user gets them: built with
# dpkg-buildpackage from a clean clone of HEAD, linted, installed with apt
# into a scratch root, checked there (every file where the units expect it,
# the user, the enabled socket, nothing started, lscd --version, and the
# programs working together), reinstalled, purged, and nothing left behind.
# build-aux/test-all runs it where dpkg-buildpackage is installed (its
# packages come from build-aux/deps). Needs root. TAP.
#   tests/debian.sh [OUTDIR]      default _build/debian; the .debs, build.log
#                                 and lintian.log stay there
#
# The scratch root is an overlay of this machine's own root in a private
# mount namespace: its Debian 12 packages meet the dependencies with no
# network, the packages' own maintainer scripts run in it as in a chroot,
# and what the installation changed is exactly the overlay's upper layer.
# dpkg --root with chrootless scripts cannot do it on Debian 12: the
# py3compile script dh_python3 gives python3-lsc ignores DPKG_ROOT and
# compiles in the machine's own /usr.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/_build/debian}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root: mounts and a chroot"
    exit 0
fi
if [ -z "${LSC_DEBIAN_NAMESPACE:-}" ]; then
    LSC_DEBIAN_NAMESPACE=1 exec unshare --mount --propagation private "$0" "$out"
fi
. "$top/tests/tap.sh"
tmp=$tap_tmp
root=$tmp/root
layers=$tmp/layers
upper=$layers/upper
# Unmount before removing: rm must never reach into a mount.
trap 'umount -R "$root" 2>/dev/null; umount "$layers" 2>/dev/null
      rm -rf --one-file-system "$tmp"' EXIT
packages="lscd lsc-tools liblsc0 liblsc-dev python3-lsc lscd-web lscd-mqtt"

# step NAME COMMAND...: a test point; on failure, the end of what it said.
step() {
    name=$1
    shift
    "$@" >"$tmp/step.log" 2>&1
    rc=$?
    [ $rc -ne 0 ] && tail -n 40 "$tmp/step.log" >"$tap_out"
    tap_point $rc "$name"
    return $rc
}

# inroot COMMAND...: COMMAND in the scratch root, with a clean environment.
inroot() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        chroot "$root" "$@"
}

# --- build and lint ---
rm -rf "$out" && mkdir -p "$out" || exit 1
step "a clean clone of HEAD" git clone -q "$top" "$out/src" || { echo "Bail out!"; exit 1; }
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
    echo "# the tree has uncommitted changes: the packages are built from HEAD, without them"
fi
version=$(cd "$out/src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
step "dpkg-checkbuilddeps: the build dependencies are installed" \
    sh -c "cd '$out/src' && dpkg-checkbuilddeps -Pnocheck"
# make check runs in test-all's own steps; here the packaging is tested.
(cd "$out/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b -Pnocheck) \
    >"$out/build.log" 2>&1
rc=$?
[ $rc -ne 0 ] && tail -n 40 "$out/build.log" >"$tap_out"
tap_point $rc "dpkg-buildpackage -us -uc -b"
[ $rc -eq 0 ] || { echo "Bail out! see $out/build.log"; exit 1; }

debs=
for p in $packages; do
    deb=$(ls "$out/${p}_${version}_$arch.deb" "$out/${p}_${version}_all.deb" 2>/dev/null)
    [ -n "$deb" ] || ls "$out" >"$tap_out"
    tap_point $([ -n "$deb" ]; echo $?) "built $p"
    [ -n "$deb" ] && echo "# ${deb##*/}: $(stat -c %s "$deb") bytes" && debs="$debs $deb"
done

# No tag at all, informational and pedantic ones included: each override in
# debian/*.lintian-overrides says why it is there.
lintian --display-info --pedantic "$out/lscd_${version}_$arch.changes" >"$out/lintian.log" 2>&1
rc=$?
grep -v '^running with root privileges is not recommended!$' "$out/lintian.log" >"$tap_out"
[ -s "$tap_out" ] && rc=1
tap_point $rc "lintian --display-info --pedantic: no tag"

# --- the scratch root ---
mkdir "$layers" "$root" && mount -t tmpfs lsc-layers "$layers" &&
    mkdir "$upper" "$layers/work" &&
    mount -t overlay lsc-root -o "lowerdir=/,upperdir=$upper,workdir=$layers/work" "$root" &&
    mount -t proc proc "$root/proc" &&
    mount -t tmpfs -o mode=0755 lsc-dev "$root/dev" &&
    mknod -m 666 "$root/dev/null" c 1 3 && mknod -m 666 "$root/dev/zero" c 1 5 &&
    mknod -m 666 "$root/dev/urandom" c 1 9 && mknod -m 666 "$root/dev/random" c 1 8 &&
    mkdir "$root/dev/pts" && mount -t devpts -o newinstance,ptmxmode=0666 lsc-pts "$root/dev/pts" &&
    ln -s pts/ptmx "$root/dev/ptmx" >"$tap_out" 2>&1
rc=$?
tap_point $rc "a scratch root: an overlay of / in a private mount namespace"
[ $rc -eq 0 ] || { echo "Bail out! cannot make the scratch root"; exit 1; }
mkdir "$root/tmp/lsc-debs" && cp $debs "$root/tmp/lsc-debs/"

# --- install, as the README says ---
# Every dependency is a package of the machine: apt has nothing to fetch
# (and no network to fetch it from).
step "apt-get install ./*.deb: the dependencies are Debian 12's" \
    inroot sh -c 'apt-get install -y /tmp/lsc-debs/*.deb'
rm -rf "$root/tmp/lsc-debs"

# Every path the units name, and the units as systemd reads them.
# (An instance's own environment file, %i, is the administrator's.)
unit_paths() {
    sed -n -e 's/^Exec[A-Za-z]*=-\{0,1\}\([^ ]*\).*/\1/p' \
        -e 's/^EnvironmentFile=-\{0,1\}\(.*\)/\1/p' "$root/lib/systemd/system/$1" |
        grep -v % | sort -u
}
for unit in lscd.service lscd@.service lscd-web.service lscd-mqtt@.service; do
    for path in $(unit_paths $unit); do
        [ -e "$root$path" ] || echo "$unit: $path is not installed" >"$tap_out"
        tap_point $([ -e "$root$path" ]; echo $?) "$unit: $path is there"
    done
done
step "systemd-analyze verify of lscd.service, lscd.socket and lscd@lsc0 in the root" \
    inroot systemd-analyze verify --man=no /lib/systemd/system/lscd.service \
        /lib/systemd/system/lscd.socket /lib/systemd/system/lscd@lsc0.service
for path in /usr/lib/sysusers.d/lscd.conf /lib/udev/rules.d/60-lscd.rules /etc/default/lscd \
        /usr/share/doc/lscd/robot.yaml.example /usr/share/bash-completion/completions/lscctl \
        /usr/include/lsc/client.h /usr/share/man/man7/lscd-protocol.7.gz \
        /usr/lib/python3/dist-packages/lsc/__init__.py /usr/share/doc/python3-lsc/examples \
        /usr/share/lscd/www/index.html /usr/share/man/man8/lscd-web.8.gz \
        /usr/share/doc/lscd-mqtt/examples/mqtt.yaml.example; do
    tap_point $([ -e "$root$path" ]; echo $?) "$path is there"
done
conffile() {
    inroot dpkg-query -W -f='${Conffiles}' lscd | grep -q ' /etc/default/lscd '
}
step "/etc/default/lscd is a conffile" conffile
user() {
    inroot getent passwd lscd | grep -q ':/usr/sbin/nologin$' && inroot getent group lscd
}
step "sysusers made the user and group lscd" user
web_user() {
    inroot getent passwd lscd-web | grep -q ':/usr/sbin/nologin$'
}
step "sysusers made the user lscd-web" web_user
link=$(readlink "$root/etc/systemd/system/sockets.target.wants/lscd.socket")
[ "$link" = /lib/systemd/system/lscd.socket ] || echo "sockets.target.wants: '$link'" >"$tap_out"
tap_point $? "lscd.socket is enabled"
wants=$(ls "$root"/etc/systemd/system/*.wants 2>/dev/null | grep -x 'lscd.*\.service')
[ -z "$wants" ] || echo "enabled: $wants" >"$tap_out"
tap_point $? "lscd.service is not enabled"
started=
for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && started="$started ${p#/proc/}"
done
[ -z "$started" ] && [ ! -e "$root/run/lscd/lscd.sock" ] ||
    echo "running in the root:$started; $(ls -l "$root/run/lscd" 2>&1)" >"$tap_out"
tap_point $? "nothing was started in the chroot"
step "py3compile ran" test -d "$root/usr/lib/python3/dist-packages/lsc/__pycache__"
says() { # WANT COMMAND...: COMMAND in the root prints the line WANT
    want=$1
    shift
    inroot "$@" | grep -qx "$want"
}
step "lscd --version" says "lscd $version" lscd --version
step "lscctl --version" says "lscctl $version" lscctl --version
step "lscd-web --version" says "lscd-web $version" lscd-web --version
step "lsc-sim --version" says "lsc-sim $version" lsc-sim --version
step "lscd-mqtt --version" says "lscd-mqtt $version" lscd-mqtt --version
step "systemd-analyze verify of lscd-mqtt@arm1 in the root" \
    inroot systemd-analyze verify --man=no /lib/systemd/system/lscd-mqtt@arm1.service
step "pkg-config --modversion liblsc" says "$version" pkg-config --modversion liblsc
step "python3 -c 'import lsc'" says "$version" python3 -c 'import lsc; print(lsc.__version__)'

# The installed programs together: lsc-sim, lscd on it, lscctl and python3-lsc,
# which records a sequence into lscd's default /var/lib/lscd.
smoke() {
    inroot sh -c '
        mkdir /tmp/lsc-smoke && cd /tmp/lsc-smoke || exit 1
        mkdir -p /var/lib/lscd/sequences      # as the units StateDirectory= does
        lsc-sim --link /tmp/lsc-smoke/pty >sim.out 2>&1 & sim=$!
        for i in $(seq 100); do [ -e pty ] && break; sleep 0.1; done
        lscd --device /tmp/lsc-smoke/pty --socket lscd.sock 2>lscd.err & lscd=$!
        for i in $(seq 100); do [ -S lscd.sock ] && break; sleep 0.1; done
        export LSCD_SOCKET=$PWD/lscd.sock
        lscctl battery && python3 -c "if True:
            import lsc
            with lsc.Client(name=\"smoke\") as robot:
                assert robot.battery() == 7400
                robot.request(\"record.start\", name=\"smoke\", servos=\"all\")
                robot.move({1: 1500}, time_ms=0, wait=True)
                path = robot.request(\"record.stop\")[\"path\"]
                assert path == \"/var/lib/lscd/sequences/smoke.yaml\", path
                assert open(path).read()"
        status=$?
        kill $lscd $sim
        wait
        [ $status -eq 0 ] || cat sim.out lscd.err
        cd / && rm -rf /tmp/lsc-smoke
        exit $status'
}
step "lsc-sim, lscd, lscctl and python3-lsc in the root (a recording in /var/lib/lscd)" smoke

# What the lscd package's maintainer scripts ask of systemd, which does not
# run in the root: with /run/systemd/system there, and a systemctl,
# deb-systemd-invoke and deb-systemd-helper that write down what they are
# asked and do nothing, the scripts take the paths they take where systemd
# runs. An upgrade must leave lscd.socket alone and try-restart only
# lscd.service; a removal must stop lscd.service, the observe socket and
# every instance of the templates.
asked() { # SCRIPT ARGS...: what lscd.SCRIPT ARGS asked, one line a request
    script=$1
    shift
    [ -e "$root/var/lib/dpkg/info/lscd.$script" ] || return 0
    made=
    for dir in /run/systemd /run/systemd/system; do
        [ -d "$root$dir" ] || { mkdir "$root$dir" && made="$root$dir $made"; }
    done
    mkdir "$root/tmp/asked.bin"
    # Queries (was-enabled, is-enabled, is-active) answer no: nothing of
    # lscd was enabled or running before.
    for tool in systemctl deb-systemd-invoke deb-systemd-helper; do
        printf '#!/bin/sh\necho "%s $*" >>/tmp/asked.log\ncase "$*" in *was-enabled*|*is-*) exit 1 ;; esac\n' \
            "$tool" >"$root/tmp/asked.bin/$tool"
        chmod +x "$root/tmp/asked.bin/$tool"
    done
    rm -f "$root/tmp/asked.log"
    env -i PATH=/tmp/asked.bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
        chroot "$root" "/var/lib/dpkg/info/lscd.$script" "$@" >/dev/null 2>&1
    cat "$root/tmp/asked.log" 2>/dev/null
    rm -rf "$root/tmp/asked.bin" "$root/tmp/asked.log"
    for dir in $made; do rmdir "$dir"; done
}
upgrade_asks() {
    { asked preinst upgrade 0.0.1; asked postinst configure 0.0.1; } >"$tmp/asked" || return 1
    cat "$tmp/asked"
    ! grep -E '(deb-systemd-invoke|systemctl) .*(stop|restart|try-restart).*lscd(-observe)?\.socket' \
        "$tmp/asked" && grep -qx 'deb-systemd-invoke try-restart lscd.service' "$tmp/asked"
}
step "an upgrade leaves the sockets alone and try-restarts lscd.service" upgrade_asks
remove_asks() {
    asked prerm remove >"$tmp/asked" || return 1
    cat "$tmp/asked"
    grep -q "^deb-systemd-invoke stop lscd.socket" "$tmp/asked" &&
        grep -q "^systemctl stop .*lscd@\*\.service.* lscd.service" "$tmp/asked" &&
        grep -q "^systemctl stop .*lscd@\*\.socket.*lscd-observe.socket" "$tmp/asked"
}
step "a removal stops lscd.socket, lscd.service, the observe socket and every lscd@ instance" \
    remove_asks

# --- reinstall, remove, purge ---
reinstall() {
    deb=lscd_${version}_$arch.deb
    echo 'LSCD_DEVICE=/dev/lsc0' >>"$root/etc/default/lscd"
    cp "$out/$deb" "$root/tmp/" && inroot dpkg -i "/tmp/$deb" </dev/null &&
        rm "$root/tmp/$deb" && grep -qx LSCD_DEVICE=/dev/lsc0 "$root/etc/default/lscd"
}
step "dpkg -i lscd again keeps an edited /etc/default/lscd" reinstall
remove() {
    inroot dpkg --remove $packages && [ -e "$root/etc/default/lscd" ] && user
}
step "dpkg --remove keeps the configuration and the user" remove
step "dpkg --purge" inroot dpkg --purge $packages
gone() {
    ! inroot getent passwd lscd && ! inroot getent group lscd && ! inroot getent passwd lscd-web &&
        [ ! -e "$root/run/lscd" ] && [ ! -e "$root/var/lib/lscd" ]
}
step "the user, the group, /run/lscd and /var/lib/lscd are gone" gone
mkdir "$root/tmp/lsc-debs" && cp $debs "$root/tmp/lsc-debs/"
step "installed again after the purge" \
    inroot sh -c 'apt-get install -y /tmp/lsc-debs/*.deb && getent passwd lscd'
rm -rf "$root/tmp/lsc-debs"
step "and purged again" inroot dpkg --purge $packages

# What remains in the upper layer, against the machine's own root: only
# the records of dpkg and apt, and the caches other packages' triggers
# rebuild, may differ. Each allowed path is a prefix, with its reason.
allowed="
var/lib/dpkg/status var/lib/dpkg/status-old var/lib/dpkg/lock var/lib/dpkg/triggers/
var/lib/dpkg/available var/log/dpkg.log var/log/apt/ var/lib/apt/ var/cache/apt/
var/cache/debconf/
var/cache/man/
etc/ld.so.cache var/cache/ldconfig/
etc/passwd- etc/group- etc/shadow- etc/gshadow-
"
#   dpkg's and apt's records, logs and caches;
#   man-db's trigger rebuilds its index for every package with man pages;
#   libc-bin's trigger (ldconfig) for every package with a library;
#   shadow's userdel and groupdel keep the previous file as FILE-.
left() {
    (cd "$upper" && find . -mindepth 1 | sed 's|^\./||') | while IFS= read -r path; do
        skip=
        for prefix in $allowed; do
            case $path in "$prefix"*) skip=1 ;; esac
        done
        if [ -n "$skip" ]; then
            echo "/$path" >>"$tmp/allowed"
            continue
        fi
        if [ -c "$upper/$path" ] && [ ! -e "/$path" ] && [ ! -L "/$path" ]; then
            continue        # an overlay whiteout of something the root never had
        elif [ -c "$upper/$path" ]; then
            echo "removed: /$path"
        elif [ -d "$upper/$path" ] && [ ! -L "$upper/$path" ]; then
            [ -d "/$path" ] || echo "made: /$path/"
        elif [ ! -e "/$path" ] && [ ! -L "/$path" ]; then
            echo "made: /$path"
        elif [ -L "$upper/$path" ]; then
            [ "$(readlink "$upper/$path")" = "$(readlink "/$path")" ] || echo "changed: /$path"
        else
            cmp -s "$upper/$path" "/$path" || echo "changed: /$path"
        fi
    done
}
: >"$tmp/allowed"
left >"$tap_out" 2>&1
[ -s "$tap_out" ]
tap_point $((1 - $?)) "after the purge nothing remains but dpkg's records and caches"
echo "# left as allowed: $(grep -vc /var/cache/man/ "$tmp/allowed") paths and" \
    "$(grep -c /var/cache/man/ "$tmp/allowed") of man-db's cache:" $(grep -v /var/cache/man/ "$tmp/allowed")

tap_done
