// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/access.h"

#include <grp.h>
#include <pwd.h>
#include <vector>

#include <sdbus-c++/Message.h>

#include "libapdu/error.h"

namespace lpad::daemon {
namespace {

// True when `uid` is a member of `group` (primary group or supplementary, from the user database).
bool in_group(uid_t uid, gid_t primary, const std::string& group_name) {
    const struct group* gr = getgrnam(group_name.c_str());
    if (!gr) return false;
    if (primary == gr->gr_gid) return true;
    const struct passwd* pw = getpwuid(uid);
    if (!pw) return false;
    int n = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    if (getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &n) < 0) {
        groups.resize(static_cast<std::size_t>(n));
        if (getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &n) < 0) return false;
    }
    for (int i = 0; i < n; ++i)
        if (groups[static_cast<std::size_t>(i)] == gr->gr_gid) return true;
    return false;
}

}  // namespace

void check_mutation_allowed(const AccessPolicy& policy, sdbus::IObject& object) {
    if (!policy.enforce) return;
    const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
    if (!msg) fail(Errc::PermissionDenied, "no caller credentials");
    uid_t uid;
    gid_t gid = static_cast<gid_t>(-1);
    try {
        uid = msg->getCredsUid();
    } catch (const sdbus::Error&) {
        fail(Errc::PermissionDenied, "the caller's credentials cannot be read");
    }
    try {
        gid = msg->getCredsGid();
    } catch (const sdbus::Error&) {
        // not every bus passes the group: the user database decides
    }
    if (uid == 0 || in_group(uid, gid, policy.group)) return;
    // The caller's supplementary groups as the process has them (dbus-daemon's <policy group> sees the same, via
    // SO_PEERGROUPS), e.g. after `setpriv --groups lpad` without an /etc/group entry.
    if (const struct group* gr = getgrnam(policy.group.c_str())) {
        try {
            for (gid_t g : msg->getCredsSupplementaryGids())
                if (g == gr->gr_gid) return;
        } catch (const sdbus::Error&) {
            // not available on this bus: the user database already decided
        }
    }
    fail(Errc::PermissionDenied, "only root and members of the group " + policy.group + " may do this (uid " +
                                     std::to_string(uid) + ")");
}

}  // namespace lpad::daemon
