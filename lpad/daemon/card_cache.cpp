// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/card_cache.h"

#include "libapdu/error.h"
#include "libapdu/identifiers.h"

namespace lpad::daemon {
namespace {
void read_info2(core::CardSession& card, CardFacts& facts) {
    auto info2 = card.euicc_info2();
    facts.profile_version = info2.profile_version;
    facts.svn = info2.svn;
    facts.firmware = info2.euicc_firmware_ver;
    facts.sas = info2.sas_acreditation_number;
    facts.ci_pkids.clear();
    for (const auto& k : info2.euicc_ci_pkid_list_for_verification) facts.ci_pkids.push_back(to_hex(k));
    try {
        auto res = info2.ext_card_resource_info();
        facts.free_nv = res.free_non_volatile_memory ? static_cast<std::int64_t>(*res.free_non_volatile_memory) : -1;
        facts.free_volatile = res.free_volatile_memory ? static_cast<std::int64_t>(*res.free_volatile_memory) : -1;
    } catch (const Error&) {
        facts.free_nv = facts.free_volatile = -1;  // a card with an unreadable extCardResource: unknown
    }
}
}  // namespace

void read_card_facts(core::CardSession& card, CardFacts& facts, unsigned parts) {
    if (facts.eid.empty()) facts.eid = eid_to_string(card.eid());
    if (parts & kPartAddresses) {
        auto addresses = card.configured_addresses();
        facts.default_smdp = addresses.default_dp_address.value_or("");
        facts.root_smds = addresses.root_ds_address;
    }
    if (parts & kPartInfo2) read_info2(card, facts);
    if (parts & kPartProfiles) {
        core::ProfileQuery query;
        query.icons = true;
        facts.profiles = card.profiles(query);
    }
    if (parts & kPartNotifications) facts.notifications = card.list_notifications();
    facts.status = "ok";
}

std::string iccid_string(const es10::ProfileInfo& p) { return p.iccid ? iccid_from_bcd(*p.iccid) : std::string(); }

std::string operation_name(es10::NotificationEvent event) {
    switch (event) {
    case es10::NotificationEvent::notificationInstall: return "install";
    case es10::NotificationEvent::notificationEnable: return "enable";
    case es10::NotificationEvent::notificationDisable: return "disable";
    case es10::NotificationEvent::notificationDelete: return "delete";
    }
    return std::string(es10::name(event));
}

}  // namespace lpad::daemon
