// SPDX-License-Identifier: Apache-2.0
// What the daemon knows about one eUICC, read after every job (ARCHITECTURE: reads are served from this cache, so
// property reads never wait for the card). After a job only the parts it can have changed are read again.
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

// The parts of CardFacts, each read with one ES10 function.
enum CardPart : unsigned {
    kPartAddresses = 1,      // GetEuiccConfiguredAddresses: default SM-DP+, root SM-DS
    kPartInfo2 = 2,          // GetEUICCInfo2: versions, CI key ids, free memory
    kPartProfiles = 4,       // GetProfilesInfo (with icons)
    kPartNotifications = 8,  // ListNotification
    kPartsAll = 15,
};

// Reads the given parts from the card into `facts`, leaving the others as they are (the EID only when `facts.eid`
// is empty). Throws like CardSession.
void read_card_facts(core::CardSession& card, CardFacts& facts, unsigned parts = kPartsAll);

std::string iccid_string(const es10::ProfileInfo& p);
std::string operation_name(es10::NotificationEvent event);  // "install", "enable", ...

}  // namespace lpad::daemon
