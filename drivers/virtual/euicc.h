// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's ISD-R application: SGP.22 v2 ES10a/b/c behind the card's APDU layer (es10_handler.h).
//
//   euicc.cpp           dispatch, EUICCInfo1/2, EID, addresses, challenge, RAT
//   euicc_profiles.cpp  ProfileInfoList, Enable/Disable/Delete, SetNickname, eUICCMemoryReset, notifications
//   euicc_auth.cpp      AuthenticateServer, PrepareDownload, CancelSession (SGP.22 §5.7.13, §5.7.5, §5.7.14)
//   euicc_bpp.cpp       LoadBoundProfilePackage (SGP.22 §5.7.6, §2.5.4/§2.6.4 BSP)
//
// RSP sessions live per logical channel (GetEUICCChallenge opens one; closing the channel ends it). Every change
// to profiles, notifications, counters or addresses is saved to the state file before the answer goes out.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "drivers/virtual/es10_handler.h"
#include "drivers/virtual/euicc_state.h"
#include "libapdu/bpp.h"
#include "libapdu/bsp.h"
#include "libapdu/crypto.h"
#include "libapdu/x509.h"

namespace lpad::virtual_euicc {

class Euicc : public Es10Handler {
public:
    // state_path empty: nothing is persisted (a card that forgets on destruction).
    Euicc(EuiccState state, std::string state_path);

    // The card of a state file: loaded if it exists; otherwise created from the SGP.26-layout `pki_dir` (curve
    // "NIST"/"BRP") and saved. `eid` (32 digits), when given, must equal the card's EID. Throws lpad::Error.
    static std::unique_ptr<Euicc> open(const std::string& state_path, const std::optional<std::string>& pki_dir,
                                       const std::optional<std::string>& eid, const std::string& curve = "NIST");

    Es10Reply handle(std::uint8_t channel, ByteView command) override;
    void session_reset(std::uint8_t channel) override;

    const EuiccState& state() const { return state_; }

private:
    // An RSP session (SGP.22 §3.1.3): from GetEUICCChallenge through LoadBoundProfilePackage or CancelSession.
    struct Session {
        Bytes euicc_challenge;
        // after AuthenticateServer
        bool authenticated = false;
        Bytes transaction_id;
        std::string server_address;
        Bytes ci_pkid;
        std::optional<x509::Certificate> server_certificate;  // CERT.DPauth (or DSauth)
        std::string smdp_oid;
        Bytes euicc_signature1;
        // after PrepareDownload
        bool prepared = false;
        std::optional<x509::Certificate> dp_pb;
        std::optional<crypto::PrivateKey> otsk;
        Bytes euicc_otpk;
        // during LoadBoundProfilePackage
        bool loading = false;
        es10::BppAssembler assembler;
        std::optional<bsp::SegmentVerifier> verifier;
        Bytes configure_isdp;  // plaintext of the 87 segments in A0
        Bytes metadata_der;    // plaintext of the 88 segments
        std::optional<es10::StoreMetadataRequest> metadata;
        Bytes rsk;             // plaintext of the 87 segments in A2
        Bytes profile_elements;  // the SAIP stream
    };

    // A failed BPP step: what goes into the errorResult.
    struct BppFailure {
        es10::BppCommandId command;
        es10::ErrorReason reason;
    };

    Es10Reply dispatch(std::uint8_t channel, ByteView command);
    // euicc.cpp
    Bytes euicc_info1() const;
    es10::EUICCInfo2 euicc_info2() const;
    Bytes get_euicc_data(ByteView command) const;
    Bytes configured_addresses() const;
    Bytes set_default_dp_address(ByteView command);
    Bytes get_euicc_challenge(std::uint8_t channel);
    Bytes get_rat() const;
    // euicc_profiles.cpp
    Bytes profile_info_list(ByteView command) const;
    Bytes enable_profile(ByteView command);
    Bytes disable_profile(ByteView command);
    Bytes delete_profile(ByteView command);
    Bytes set_nickname(ByteView command);
    Bytes memory_reset(ByteView command);
    Bytes list_notification(ByteView command) const;
    Bytes retrieve_notifications_list(ByteView command) const;
    Bytes notification_sent(ByteView command);
    InstalledProfile* find_profile(const es10::ProfileIdentifier& id);
    // Queues an OtherSignedNotification for `event` on `profile` if its notificationConfigurationInfo asks for it.
    void notify(const InstalledProfile& profile, es10::NotificationEvent event);
    // euicc_auth.cpp
    Bytes authenticate_server(std::uint8_t channel, ByteView command);
    Bytes prepare_download(std::uint8_t channel, ByteView command);
    Bytes cancel_session(std::uint8_t channel, ByteView command);
    // euicc_bpp.cpp
    Es10Reply load_bpp(std::uint8_t channel, ByteView command);
    std::optional<BppFailure> process_piece(Session& s, const es10::BppPiece& piece);
    std::optional<BppFailure> initialise_secure_channel(Session& s, ByteView bf23);
    std::optional<BppFailure> check_metadata(Session& s);
    std::optional<BppFailure> install(Session& s, Bytes& aid);
    Bytes installation_result(Session& s, const std::optional<BppFailure>& failure, const Bytes& aid,
                              const Bytes& transaction_id);

    Bytes sign(ByteView data) const;
    std::int64_t take_seq_number() { return state_.next_seq_number++; }
    void persist() const;
    std::vector<x509::Certificate> trusted_ci(ByteView pkid) const;

    EuiccState state_;
    std::string path_;
    crypto::PrivateKey key_;
    std::map<std::uint8_t, Session> sessions_;
    // The one-time key pair of the last PrepareDownload is state_.download_key (persistent, SGP.22 §5.7.5).
    // Forgets it (and saves) when present.
    void forget_download_key();
};

}  // namespace lpad::virtual_euicc
