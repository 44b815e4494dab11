// SPDX-License-Identifier: Apache-2.0
// What the daemon knows about one eUICC, read after every job (ARCHITECTURE: reads are served from this cache, so
// property reads never wait for the card).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libapdu/es10c.h"
#include "libapdu/notification.h"
#include "lpad/core/card.h"

namespace lpad::daemon {

struct CardFacts {
    std::string eid;
    std::string status = "unread";  // "ok" or the D-Bus error name of the last failed read
    std::string default_smdp;
    std::string root_smds;
    std::string profile_version, svn, firmware, sas;
    std::int64_t free_nv = -1, free_volatile = -1;
    std::vector<std::string> ci_pkids;
    std::vector<es10::ProfileInfo> profiles;
    std::vector<es10::NotificationMetadata> notifications;
};

// Reads everything from the card (the EID only when `facts.eid` is empty). Throws like CardSession.
void read_card_facts(core::CardSession& card, CardFacts& facts);

std::string iccid_string(const es10::ProfileInfo& p);
std::string operation_name(es10::NotificationEvent event);  // "install", "enable", ...

}  // namespace lpad::daemon
