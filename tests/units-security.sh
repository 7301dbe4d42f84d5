# SPDX-License-Identifier: MIT
# security UNIT [THRESHOLD]: systemd-analyze security, offline, fails when
# UNIT's exposure rises above THRESHOLD, by default $threshold (tenths); the score is quoted as a TAP
# diagnostic on fd 3. Sourced by tests/units.sh and tests/units-mqtt.sh,
# after tests/tap.sh, with $tmp and $SYSTEMD_ANALYZE set.
security() {
    "$SYSTEMD_ANALYZE" security --offline=true --threshold="${2:-$threshold}" "$1" >"$tmp/security" 2>&1
    rc=$?
    if [ $rc -ne 0 ]; then
        cat "$tmp/security"
        return $rc
    fi
    # Quote the score in the TAP output, as a diagnostic line.
    grep 'Overall exposure level' "$tmp/security" | sed 's/^/# /' >&3
}
