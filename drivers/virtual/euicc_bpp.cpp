// SPDX-License-Identifier: Apache-2.0
// ES10b LoadBoundProfilePackage in the virtual eUICC (SGP.22 §5.7.6, §2.5.4, §2.6.4): the pieces of
// RSP-NOTES "Bound Profile Package loading", checked and decrypted as they arrive; the profile is stored only
// when the last 86 segment has been processed and the SAIP stream is whole. Any failure ends the session with a
// signed errorResult naming the failing bppCommandId, and that result is kept as a notification to send.
#include "drivers/virtual/euicc.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"

namespace lpad::virtual_euicc {

namespace {

using es10::BppCommandId;
using es10::ErrorReason;

constexpr std::uint16_t kSwConditionsNotSatisfied = 0x6985;
constexpr tlv::Tag kSaipHeader = 0xA0;  // PE_Definitions ProfileElement CHOICE: header [0]
constexpr tlv::Tag kSaipEnd = 0xAA;     // end [10]
constexpr tlv::Tag kSaipHeaderIccid = 0x83;

// EUICCResponse (PE_Definitions) with one PEStatus { status ok }: 30 07 A0 05 30 03 80 01 00, as field cards send.
Bytes minimal_euicc_response() { return from_hex("3007A0053003800100"); }

// SGP.22 §2.9.2.2: in the RAT, 'E' in an MCC/MNC nibble matches any digit.
bool operator_matches(const es10::OperatorId& allowed, const std::optional<es10::OperatorId>& owner) {
    if (!owner || owner->mcc_mnc.size() != 3 || allowed.mcc_mnc.size() != 3) return false;
    for (std::size_t i = 0; i < 3; ++i)
        for (int shift : {0, 4}) {
            int a = (allowed.mcc_mnc[i] >> shift) & 0xF, o = (owner->mcc_mnc[i] >> shift) & 0xF;
            if (a != 0xE && a != o) return false;
        }
    if (allowed.gid1 && allowed.gid1 != owner->gid1) return false;
    if (allowed.gid2 && allowed.gid2 != owner->gid2) return false;
    return true;
}

}  // namespace

Es10Reply Euicc::load_bpp(std::uint8_t channel, ByteView command) {
    auto it = sessions_.find(channel);
    if (it == sessions_.end() || !it->second.prepared) return {{}, kSwConditionsNotSatisfied};
    Session& s = it->second;
    s.loading = true;
    std::optional<BppFailure> failure;
    bool last = false;
    try {
        es10::BppPiece piece = s.assembler.feed(command);
        last = piece.last;
        failure = process_piece(s, piece);
    } catch (const Error& e) {
        // Out of order, wrong tag, overrun length: the piece cannot even be framed.
        BppCommandId id = s.assembler.expected_command_id();
        log::warning("veuicc", std::string("BPP piece refused: ") + e.what());
        failure = BppFailure{id, id == BppCommandId::initialiseSecureChannel ? ErrorReason::incorrectInputValues
                                                                               : ErrorReason::scp03tStructureError};
    }
    if (!failure && !last) return {};  // accepted intermediate piece: no data, 9000

    Bytes aid;
    if (!failure) failure = install(s, aid);
    Bytes result = installation_result(s, failure, aid, s.transaction_id);
    // The loading ended with a final result (installed or failed): the one-time key pair has served (SGP.22
    // §5.7.5); it is dropped in the same save that stores the profile and its result.
    if (state_.download_key && state_.download_key->otpk == s.euicc_otpk) state_.download_key.reset();
    sessions_.erase(channel);
    persist();
    return {result};
}

std::optional<Euicc::BppFailure> Euicc::process_piece(Session& s, const es10::BppPiece& piece) {
    using es10::BppPart;
    // Unprotects the piece's segments into `out`; a bad MAC is a security error, bad framing a structure error.
    auto unprotect = [&](bool encrypted, Bytes& out) -> std::optional<BppFailure> {
        if (!s.verifier) return BppFailure{piece.command_id, ErrorReason::scp03tStructureError};
        for (ByteView seg : piece.segments) {
            try {
                append(out, s.verifier->unprotect(seg, encrypted));
            } catch (const Error& e) {
                return BppFailure{piece.command_id, e.code() == Errc::CryptoError ? ErrorReason::scp03tSecurityError
                                                                                  : ErrorReason::scp03tStructureError};
            }
        }
        return std::nullopt;
    };
    switch (piece.part) {
    case BppPart::InitialiseSecureChannel: return initialise_secure_channel(s, piece.element);
    case BppPart::ConfigureIsdp: {
        if (auto f = unprotect(true, s.configure_isdp)) return f;
        try {
            es10::ConfigureISDPRequest::decode(s.configure_isdp);
        } catch (const Error&) {
            return BppFailure{piece.command_id, ErrorReason::incorrectInputValues};
        }
        return std::nullopt;
    }
    case BppPart::StoreMetadataHeader: return std::nullopt;
    case BppPart::StoreMetadata: return unprotect(false, s.metadata_der);
    case BppPart::ReplaceSessionKeys: {
        if (auto f = check_metadata(s)) return f;
        if (auto f = unprotect(true, s.rsk)) return f;
        try {
            auto rsk = es10::ReplaceSessionKeysRequest::decode(s.rsk);
            s.verifier->replace_keys(bsp::SessionKeys{rsk.ppk_enc, rsk.ppk_cmac, rsk.initial_mac_chaining_value});
        } catch (const Error&) {
            return BppFailure{piece.command_id, ErrorReason::incorrectInputValues};
        }
        return std::nullopt;
    }
    case BppPart::ProfileElementsHeader: return check_metadata(s);
    case BppPart::ProfileElement: {
        if (auto f = unprotect(true, s.profile_elements)) return f;
        if (s.profile_elements.size() > state_.free_non_volatile_memory())
            return BppFailure{piece.command_id, ErrorReason::installFailedDueToInsufficientMemoryForProfile};
        return std::nullopt;
    }
    }
    return BppFailure{piece.command_id, ErrorReason::installFailedDueToUnknownError};
}

// SGP.22 §5.5.1 InitialiseSecureChannel: checks, then ECKA with the one-time keys and the session keys (§2.6.4).
std::optional<Euicc::BppFailure> Euicc::initialise_secure_channel(Session& s, ByteView bf23) {
    auto bad = [](ErrorReason r) { return BppFailure{BppCommandId::initialiseSecureChannel, r}; };
    es10::InitialiseSecureChannelRequest isc;
    try {
        isc = es10::InitialiseSecureChannelRequest::decode(bf23);
    } catch (const Error&) {
        return bad(ErrorReason::incorrectInputValues);
    }
    if (isc.remote_op_id != es10::InitialiseSecureChannelRequest::installBoundProfilePackage)
        return bad(ErrorReason::unsupportedRemoteOperationType);
    if (isc.transaction_id != s.transaction_id) return bad(ErrorReason::invalidTransactionId);
    const auto& crt = isc.control_ref_template;
    if (crt.key_type != 0x88 || crt.key_len != 0x10) return bad(ErrorReason::unsupportedCrtValues);
    if (!crypto::verify(s.dp_pb->public_key(), isc.signed_data(s.euicc_otpk), isc.smdp_sign))
        return bad(ErrorReason::invalidSignature);
    Bytes z;
    try {
        z = crypto::ecdh(*s.otsk, crypto::PublicKey::from_point(s.otsk->curve(), isc.smdp_otpk));
    } catch (const Error&) {
        return bad(ErrorReason::incorrectInputValues);
    }
    s.verifier.emplace(bsp::derive_session_keys(z, crt.key_type, crt.key_len, crt.host_id, state_.config.eid));
    return std::nullopt;
}

// StoreMetadata (SGP.22 §5.5.3), once all 88 segments are in: the metadata must decode, name a new ICCID, a
// profile class we support, and PPRs the RAT allows.
std::optional<Euicc::BppFailure> Euicc::check_metadata(Session& s) {
    if (s.metadata) return std::nullopt;
    auto bad = [](ErrorReason r) { return BppFailure{BppCommandId::storeMetadata, r}; };
    try {
        s.metadata = es10::StoreMetadataRequest::decode(s.metadata_der);
    } catch (const Error&) {
        return bad(ErrorReason::incorrectInputValues);
    }
    const auto& md = *s.metadata;
    for (const auto& p : state_.profiles)
        if (p.iccid() == md.iccid) return bad(ErrorReason::installFailedDueToIccidAlreadyExistsOnEuicc);
    auto pclass = md.profile_class.value_or(es10::ProfileClass::operational);
    bool test_ok = state_.config.rsp_capability.test(static_cast<std::size_t>(es10::RspCapability::testProfileSupport));
    if ((pclass == es10::ProfileClass::test && !test_ok) ||
        (pclass != es10::ProfileClass::test && pclass != es10::ProfileClass::provisioning &&
         pclass != es10::ProfileClass::operational))
        return bad(ErrorReason::unsupportedProfileClass);
    if (md.profile_policy_rules) {
        for (auto ppr : {es10::PprId::ppr1, es10::PprId::ppr2}) {
            if (!md.profile_policy_rules->test(static_cast<std::size_t>(ppr))) continue;
            bool allowed = false;
            for (const auto& rule : state_.config.rat.rat) {
                if (!rule.ppr_ids.test(static_cast<std::size_t>(ppr))) continue;
                for (const auto& op : rule.allowed_operators) allowed |= operator_matches(op, md.profile_owner);
            }
            if (!allowed) return bad(ErrorReason::pprNotAllowed);
        }
    }
    return std::nullopt;
}

// The whole SAIP stream is in: a ProfileHeader first (its ICCID must be the metadata's), well-formed elements,
// an End element last. Then the ISD-P is created and the profile stored, disabled.
std::optional<Euicc::BppFailure> Euicc::install(Session& s, Bytes& aid) {
    auto bad = [](ErrorReason r) { return BppFailure{BppCommandId::loadProfileElements, r}; };
    if (!s.metadata) return BppFailure{BppCommandId::storeMetadata, ErrorReason::incorrectInputValues};
    try {
        auto elements = tlv::parse_all(s.profile_elements, tlv::Mode::Ber);
        if (elements.empty() || elements.front().tag != kSaipHeader || elements.back().tag != kSaipEnd)
            return bad(ErrorReason::installFailedDueToPEProcessingError);
        auto iccid = tlv::Reader(elements.front().value, tlv::Mode::Ber).find(kSaipHeaderIccid);
        if (!iccid) return bad(ErrorReason::installFailedDueToPEProcessingError);
        // The header's ICCID is in natural digit order; the metadata's is in EF.ICCID (nibble-swapped) coding.
        if (!equal(swap_nibbles(iccid->value), s.metadata->iccid))
            return bad(ErrorReason::installFailedDueToIccidMismatch);
    } catch (const Error&) {
        return bad(ErrorReason::installFailedDueToPEProcessingError);
    }
    const auto& md = *s.metadata;
    InstalledProfile p;
    aid = isdp_aid_for(state_.next_isdp_index++);
    p.info.iccid = md.iccid;
    p.info.isdp_aid = aid;
    p.info.profile_state = es10::ProfileState::disabled;
    p.info.service_provider_name = md.service_provider_name;
    p.info.profile_name = md.profile_name;
    p.info.icon_type = md.icon_type;
    p.info.icon = md.icon;
    p.info.profile_class = md.profile_class.value_or(es10::ProfileClass::operational);
    p.info.notification_configuration_info = md.notification_configuration_info;
    p.info.profile_owner = md.profile_owner;
    p.info.profile_policy_rules = md.profile_policy_rules;
    p.info.dp_proprietary_data = es10::ConfigureISDPRequest::decode(s.configure_isdp).dp_proprietary_data;
    p.size = s.profile_elements.size();
    state_.profiles.push_back(std::move(p));
    return std::nullopt;
}

// SGP.22 §5.7.6 ProfileInstallationResult, signed (euiccSignPIR over ProfileInstallationResultData DER) and
// queued as the install notification for the SM-DP+ that ran the session.
Bytes Euicc::installation_result(Session& s, const std::optional<BppFailure>& failure, const Bytes& aid,
                                 const Bytes& transaction_id) {
    es10::ProfileInstallationResult pir;
    auto& d = pir.data;
    d.transaction_id = transaction_id;
    d.notification_metadata.seq_number = take_seq_number();
    d.notification_metadata.profile_management_operation = es10::NotificationEvent::notificationInstall;
    d.notification_metadata.notification_address = s.server_address;
    if (s.metadata) d.notification_metadata.iccid = s.metadata->iccid;
    if (s.dp_pb && !s.dp_pb->registered_ids().empty())
        d.smdp_oid = s.dp_pb->registered_ids().front();
    else if (!s.smdp_oid.empty())
        d.smdp_oid = s.smdp_oid;
    if (failure)
        d.final_result = es10::ErrorResult{failure->command, failure->reason, std::nullopt};
    else
        d.final_result = es10::SuccessResult{aid, minimal_euicc_response()};
    d.raw = d.encode();
    pir.euicc_sign_pir = sign(d.raw);
    Bytes der = pir.encode();
    StoredNotification stored;
    stored.seq_number = d.notification_metadata.seq_number;
    stored.event = es10::NotificationEvent::notificationInstall;
    stored.address = s.server_address;
    stored.pending = der;
    state_.notifications.push_back(std::move(stored));
    return der;
}

}  // namespace lpad::virtual_euicc
