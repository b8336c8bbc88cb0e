#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# LINUX_TREE= on trees that cannot take the series, and what a tree lacks:
# - a driver patch that does not apply stops build-kernel with one line
#   naming it, and the user's tree is left as it was (HEAD, index, work
#   tree, refs); a patch to upstream's tests that does not apply is left
#   out with a notice and listed in skipped-patches;
# - guest-test reports SKIP, with the reason, for a test whose --needs the
#   tree does not meet (no smmu-lite driver, selftests that did not build,
#   no libvfio driver for the device);
# - make refuses a LINUX_TREE that is not a git checkout, in one line.
. "$(dirname "$0")/tap.sh"
echo "TAP version 13"
echo "1..10"

# A user's tree: one commit, one local uncommitted change, one branch.
user=$tmp/mylinux
mkdir -p "$user/drivers/iommu"
git -C "$user" init -q
echo 'menu "IOMMU"' > "$user/drivers/iommu/Kconfig"
git -C "$user" add -A
git -C "$user" -c user.name=u -c user.email=u@example.org commit -q -m base
echo "local edit" >> "$user/drivers/iommu/Kconfig"
head_before=$(git -C "$user" rev-parse HEAD)
status_before=$(git -C "$user" status --porcelain)
refs_before=$(git -C "$user" for-each-ref)

out=$(LAB_BUILD=$tmp/build LINUX_TREE=$user "$top/scripts/build-kernel" 2>&1 >/dev/null)
rc=$?
# the first patch that is not one of upstream's tests, by lib.sh's own
# rule (in a subshell: lib.sh sets -e)
is_test() { (. "$top/scripts/lib/lib.sh" && kernel_patch_is_test "$1"); }
first= tests=()
for p in $(grep -v '^[[:space:]]*\(#\|$\)' "$top/kernel-patches/series"); do
    if is_test "$p"; then
        [ -n "$first" ] || tests+=("$p")
    elif [ -z "$first" ]; then
        first=$p
    fi
done
errs=$(echo "$out" | grep -c 'error:')
if [ $rc -ne 0 ] && [ "$errs" = 1 ] &&
   echo "$out" | grep -q "^build-kernel: error: kernel-patches/$first does not apply to $user at ${head_before:0:12} (git am says: .*git-am.log)$"; then
    ok "a driver patch that does not apply: one line naming it"
else
    fail "a driver patch that does not apply: one line naming it" "exit $rc" "$out"
fi
notices=$(echo "$out" | grep -c "notice: kernel-patches/.* does not apply to $user at .*: left out")
if [ "${#tests[@]}" -gt 0 ] && [ "$notices" = "${#tests[@]}" ] &&
   [ "$(cat "$tmp/build/tree-mylinux/skipped-patches" 2>/dev/null)" = "$(printf '%s\n' "${tests[@]}")" ]; then
    ok "patches to upstream's tests before it: left out, one notice each, listed"
else
    fail "patches to upstream's tests before it: left out, one notice each, listed" \
        "${tests[*]}" "$out"
fi
if [ "$(git -C "$user" rev-parse HEAD)" = "$head_before" ] &&
   [ "$(git -C "$user" status --porcelain)" = "$status_before" ] &&
   [ "$(git -C "$user" for-each-ref)" = "$refs_before" ] &&
   grep -q "local edit" "$user/drivers/iommu/Kconfig"; then
    ok "the user's tree is untouched (HEAD, status, refs, work tree)"
else
    fail "the user's tree is untouched (HEAD, status, refs, work tree)" \
        "$(git -C "$user" status --porcelain)"
fi

# guest-test --needs on a kernel dir without the driver / the selftests.
kd=$tmp/kdir
mkdir -p "$kd/linux" "$kd/guest"
echo "# CONFIG_SMMU_LITE is not set" > "$kd/linux/.config"
out=$(LINUX_TREE=$user LAB_SKIP_DRIVER=1 LAB_KDIR=$kd "$top/scripts/guest-test" \
      replace-smmu-lite iommufd_replace --iommu=smmu-lite --needs=driver 2>&1)
if [ $? -eq 0 ] && echo "$out" | grep -q '^1\.\.0 # SKIP the kernel has no smmu-lite driver'; then
    ok "--needs=driver on a --skip-driver build: SKIP with the reason"
else
    fail "--needs=driver on a --skip-driver build: SKIP with the reason" "$out"
fi
out=$(LINUX_TREE=$user LAB_KDIR=$kd "$top/scripts/guest-test" \
      replace-smmu-lite iommufd_replace --iommu=smmu-lite --needs=driver 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q '^not ok 1 - replace-smmu-lite: the kernel has no smmu-lite driver'; then
    ok "--needs=driver, series applied but the driver lost: a failure, not a skip"
else
    fail "--needs=driver, series applied but the driver lost: a failure, not a skip" "$out"
fi
echo "this tree's iommufd selftests do not build (x.log)" > "$kd/guest/selftests.missing"
out=$(LAB_KDIR=$kd "$top/scripts/guest-test" upstream-iommufd iommufd \
      --needs=selftests 2>&1)
if [ $? -eq 0 ] && echo "$out" | grep -q "^1\.\.0 # SKIP this tree's iommufd selftests do not build (x.log)"; then
    ok "--needs=selftests: SKIP with the reason"
else
    fail "--needs=selftests: SKIP with the reason" "$out"
fi
printf 'dsa\nioat\n' > "$kd/guest/vfio-drivers"
echo "0099-selftests-vfio-x.patch" > "$kd/skipped-patches"
out=$(LINUX_TREE=$user LAB_KDIR=$kd "$top/scripts/guest-test" vfio-driver-dma-gen-intel \
      vfio_selftest --needs=vfio-selftests --needs=vfio-driver=dma_gen 2>&1)
if [ $? -eq 0 ] &&
   echo "$out" | grep -q "^1\.\.0 # SKIP this tree's libvfio has no dma_gen driver .*0099-selftests-vfio-x.patch"; then
    ok "--needs=vfio-driver on a LINUX_TREE: SKIP naming the driver and the left-out patches"
else
    fail "--needs=vfio-driver on a LINUX_TREE: SKIP naming the driver and the left-out patches" "$out"
fi
out=$(LAB_KDIR=$kd "$top/scripts/guest-test" vfio-driver-dma-gen-intel vfio_selftest \
      --needs=vfio-selftests --needs=vfio-driver=dma_gen 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q '^not ok 1 - vfio-driver-dma-gen-intel: libvfio has no dma_gen driver'; then
    ok "--needs=vfio-driver on the pinned tree: a missing driver is a failure"
else
    fail "--needs=vfio-driver on the pinned tree: a missing driver is a failure" "$out"
fi
echo "CONFIG_SMMU_LITE=y" > "$kd/linux/.config"
out=$(LAB_KDIR=$kd LAB_QEMU=/nonexistent "$top/scripts/guest-test" replace-smmu-lite \
      iommufd_replace --iommu=smmu-lite --needs=driver --timeout=5 2>&1)
if echo "$out" | grep -q 'SKIP'; then
    fail "a tree with the driver does not skip" "$out"
else
    ok "a tree with the driver does not skip"
fi

# make: a LINUX_TREE that is not a git checkout
mkdir -p "$tmp/notgit"
out=$(make -s -C "$top" -n check-guest LINUX_TREE="$tmp/notgit" 2>&1)
if [ "$(echo "$out" | grep -c 'error')" -ge 1 ] &&
   echo "$out" | grep -q "LINUX_TREE=$tmp/notgit is not a git checkout"; then
    ok "make: LINUX_TREE not a git checkout is refused"
else
    fail "make: LINUX_TREE not a git checkout is refused" "$out"
fi
exit $bad
