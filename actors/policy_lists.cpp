#include "actors/policy_lists.hpp"

// The default lists. Data only; the rules that read them live in
// command_policy.cpp.

namespace cluster {

namespace {

policy_lists make_default_lists() {
  policy_lists l;
  // Linux (with Debian's multiarch lib32/libx32) and macOS. /tmp is left
  // out on purpose: clearing it is recoverable, and `rm -rf /tmp/x` is
  // everyday work. /mnt and /media hold mounted disks, /run the running
  // system's sockets and pids.
  l.system_dirs = {"bin", "boot", "dev", "etc", "home", "lib", "lib32",
                   "lib64", "libx32", "media", "mnt", "opt", "proc", "root",
                   "run", "sbin", "srv", "sys", "usr", "var",
                   "Applications", "Library", "System", "Users", "Volumes",
                   "private"};
  // Disks and partitions: SCSI/SATA, IDE, virtio, Xen, NVMe, SD/eMMC,
  // macOS (disk, raw rdisk) and Linux's by-id/by-uuid links, software RAID,
  // device mapper and LVM, network block devices, ZFS volumes. Loop devices
  // are left out: formatting one is the usual way to build an image.
  l.block_devices = {"/dev/sd*", "/dev/hd*", "/dev/vd*", "/dev/xvd*",
                     "/dev/nvme*", "/dev/mmcblk*", "/dev/disk*", "/dev/rdisk*",
                     "/dev/md*", "/dev/dm-*", "/dev/mapper/*", "/dev/nbd*",
                     "/dev/zd*", "/dev/root"};
  l.deleters["rm"] = {"rR", 1};
  for (const char* name : {"chmod", "chown", "chgrp"})
    l.mode_changers[name] = {"R", 3};
  // shred of a file is fine; only a device operand is refused, as for the rest.
  l.formatters = {"mkfs", "mkfs.*", "mke2fs", "mkswap", "mkntfs", "mkdosfs",
                  "mkexfatfs", "newfs", "newfs_*", "wipefs", "shred",
                  "blkdiscard"};
  l.output_operands["dd"] = "of=";
  l.file_writers = {"tee"};
  l.copiers = {"cp"};
  l.directory_changers = {"cd", "pushd"};
  return l;
}

} // namespace

const policy_lists& default_policy_lists() {
  static const policy_lists lists = make_default_lists();
  return lists;
}

} // namespace cluster
