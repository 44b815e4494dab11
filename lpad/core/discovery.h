// SPDX-License-Identifier: Apache-2.0
// SM-DS event retrieval (SGP.22 §3.6.3, ES11): mutual authentication with the SM-DS (the card's root SM-DS unless
// another address is given) without a matching ID, returning the event records registered for this eUICC. Each
// event downloads with its eventId as the matching ID from its rspServerAddress (download_event).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lpad/core/card.h"
#include "lpad/core/device_info.h"
#include "lpad/core/download.h"
#include "lpad/core/server_connector.h"
#include "lpad/es9p/es9p_client.h"
#include "lpad/es9p/messages.h"

namespace lpad::core {

struct DiscoveryOptions {
    std::optional<std::string> smds_address;  // default: EuiccConfiguredAddresses.rootDsAddress
    DeviceConfig device;
    std::string es11_path = std::string(es9p::kEs11DefaultPath);
};

struct DiscoveryResult {
    std::string smds_address;
    std::vector<es9p::EventEntry> events;
};

// Throws like download(); NotFound when no address is given and the card has no root SM-DS.
DiscoveryResult discover(CardSession& card, ServerConnector& connector, const DiscoveryOptions& options = {});

// A download started from a discovered event (eventId as matching ID, SGP.22 §3.6.3 step 7).
DownloadResult download_event(CardSession& card, ServerConnector& connector, const es9p::EventEntry& event,
                              const DownloadOptions& options = {});

}  // namespace lpad::core
