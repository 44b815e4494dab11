// SPDX-License-Identifier: Apache-2.0
// CardSession: the ES10 functions (SGP.22 §5.7) an LPA calls, typed, over one ISD-R session on a Transport.
//
// Every call checks the eUICC's result code and throws Error::euicc(function, result, name) for an error result;
// transport and status word failures come through as TransportError / CardError. STORE DATA fallbacks (RSP-NOTES
// "Field quirks"), both in the same session and kept for later commands: a command answered 6700 or 6601 is resent
// first without Le (some cards refuse Le on case-4 STORE DATA), then in blocks of CardOptions::fallback_block bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libapdu/es10_client.h"
#include "libapdu/es10a.h"
#include "libapdu/es10b.h"
#include "libapdu/es10c.h"
#include "libapdu/euicc_info.h"
#include "libapdu/notification.h"
#include "libapdu/transport.h"

namespace lpad::core {

struct CardOptions {
    // Le 00 on the last STORE DATA block by default: a card that may answer directly saves a GET RESPONSE per
    // ES10 function (bench/: a TS.48 download goes from 82 to 75 APDUs, the floor).
    Es10Options es10{.explicit_le = true};
    std::size_t fallback_block = 120;
};

// Which ProfileInfo fields to ask for (GetProfilesInfo tagList, RSP-NOTES: icons are large, ask only when shown).
struct ProfileQuery {
    bool icons = false;
    bool policy_rules = false;
    std::optional<es10::SearchCriteria> search;
};

// The ProfileInfo tags asked for by a query: ICCID, ISD-P AID, state, nickname, provider, name, class, owner,
// notification configuration [, icon type, icon] [, PPRs].
Bytes profile_tag_list(const ProfileQuery& query);

// Where loading a Bound Profile Package is: piece `done` of `total` (RSP-NOTES "Bound Profile Package loading").
using LoadProgress = std::function<void(std::size_t done, std::size_t total)>;

class CardSession {
public:
    // Does no I/O; `transport` must outlive the session.
    explicit CardSession(Transport& transport, CardOptions options = {});
    ~CardSession();  // close()
    CardSession(const CardSession&) = delete;
    CardSession& operator=(const CardSession&) = delete;

    // Opens the transport and the ISD-R channel (idempotent); close() releases both and never throws.
    void open();
    void close() noexcept;
    bool is_open() const { return client_.is_open(); }
    Transport& transport() { return transport_; }

    // One raw ES10 function with the block-size fallback; opens the session when needed.
    Bytes transceive(ByteView es10_request);

    // --- eUICC facts ---
    Bytes eid();  // 16 bytes (identifiers.h eid_to_string)
    es10::EUICCInfo1 euicc_info1();
    Bytes euicc_info1_der();  // exactly as the card sent it, for ES9+ initiateAuthentication
    es10::EUICCInfo2 euicc_info2();
    es10::EuiccConfiguredAddressesResponse configured_addresses();
    void set_default_dp_address(const std::string& address);  // empty clears it
    std::vector<es10::ProfilePolicyAuthorisationRule> rat();

    // --- profiles ---
    std::vector<es10::ProfileInfo> profiles(const ProfileQuery& query = {});
    void enable(const es10::ProfileIdentifier& id, bool refresh_flag);
    void disable(const es10::ProfileIdentifier& id, bool refresh_flag);
    void delete_profile(const es10::ProfileIdentifier& id);
    // UTF-8 of at most 64 bytes, else InvalidArgument before the card is asked.
    void set_nickname(ByteView iccid, const std::string& nickname);
    // Throws EuiccError for nothingToDelete as for any other result but ok.
    void memory_reset(const asn1::BitString& options);
    // True when the last command ended 91xx (a REFRESH pending after enable/disable).
    bool proactive_pending() const { return client_.proactive_pending(); }

    // --- notifications ---
    std::vector<es10::NotificationMetadata> list_notifications(std::optional<asn1::BitString> events = std::nullopt);
    // All pending notifications, or the one with `seq_number` (none: an empty list).
    std::vector<es10::PendingNotification> retrieve_notifications(std::optional<std::int64_t> seq_number = std::nullopt);
    void notification_sent(std::int64_t seq_number);

    // --- download session (SGP.22 §3.1.3) ---
    Bytes euicc_challenge();
    // The response as the card sent it: the caller forwards it to the server even when it is an error.
    es10::AuthenticateServerResponse authenticate_server(const es10::AuthenticateServerRequest& request);
    es10::PrepareDownloadResponse prepare_download(const es10::PrepareDownloadRequest& request);
    // Sends the pieces of split_for_loading(bpp); returns the ProfileInstallationResult (the answer of the last
    // piece, or of a piece the card failed on). A piece answered without a result before the end is MalformedData.
    es10::ProfileInstallationResult load_bound_profile_package(ByteView bpp, const LoadProgress& progress = {});
    es10::CancelSessionResponse cancel_session(ByteView transaction_id, es10::CancelSessionReason reason);

    Es10Client::Stats stats() const;
    std::size_t block_size() const { return client_.store_data_block(); }

private:
    Transport& transport_;
    CardOptions options_;
    Es10Client client_;
};

}  // namespace lpad::core
