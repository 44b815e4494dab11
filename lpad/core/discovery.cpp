// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/discovery.h"

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/core/authentication.h"

namespace lpad::core {

DiscoveryResult discover(CardSession& card, ServerConnector& connector, const DiscoveryOptions& options) {
    DiscoveryResult result;
    if (options.smds_address) {
        result.smds_address = *options.smds_address;
    } else {
        result.smds_address = card.configured_addresses().root_ds_address;
        if (result.smds_address.empty()) fail(Errc::NotFound, "the eUICC has no root SM-DS address");
    }
    result.smds_address = es9p::normalize_server_address(result.smds_address);
    card.open();
    auto device_info = make_device_info(options.device, card.transport());
    auto http = connector.connect(result.smds_address);
    es9p::Es11Client es11(*http, result.smds_address, options.es11_path);

    // SGP.22 §3.6.3: ctxParams1 without a matching ID for event retrieval.
    AuthenticationRequest ar{result.smds_address, std::nullopt, std::nullopt, std::move(device_info)};
    Authentication auth;
    try {
        auth = authenticate_server(card, ar, [&](const Bytes& challenge, const Bytes& info1) {
            return es11.initiate_authentication({challenge, info1, result.smds_address});
        });
    } catch (const Error& e) {
        if (e.code() == Errc::ProtocolViolation) card.close();
        throw;
    }
    auto response = es11.authenticate_client({auth.transaction_id, auth.response.der()});
    auth.response.check();  // after the server learnt of a refusal
    if (response.transaction_id && !same_server_address(*response.transaction_id, auth.transaction_id))
        fail(Errc::ProtocolViolation, "ES11 authenticateClient answered for another transactionId");
    result.events = std::move(response.event_entries);
    log::info("core.discovery", std::to_string(result.events.size()) + " event(s) from " + result.smds_address);
    return result;
}

DownloadResult download_event(CardSession& card, ServerConnector& connector, const es9p::EventEntry& event,
                              const DownloadOptions& options) {
    DownloadTarget target;
    target.smdp_address = event.rsp_server_address;
    target.matching_id = event.event_id;
    return download(card, connector, std::move(target), options);
}

}  // namespace lpad::core
