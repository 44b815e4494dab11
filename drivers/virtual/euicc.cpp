// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/euicc.h"
#include "drivers/virtual/euicc_issue.h"

#include <filesystem>

#include "libapdu/es10a.h"
#include "libapdu/error.h"
#include "libapdu/euicc_info.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"

namespace lpad::virtual_euicc {

namespace {

constexpr std::uint16_t kSwWrongData = 0x6A80;      // unparsable or unknown ES10 command
constexpr std::uint16_t kSwNoPreciseDiagnosis = 0x6F00;

}  // namespace

Euicc::Euicc(EuiccState state, std::string state_path)
    : state_(std::move(state)), path_(std::move(state_path)), key_(state_.config.private_key()) {
    if (state_.config.eid.size() != 16) fail(Errc::InvalidArgument, "virtual eUICC: the EID must be 16 bytes");
}

std::unique_ptr<Euicc> Euicc::open(const std::string& state_path, const std::optional<std::string>& pki_dir,
                                   const std::optional<std::string>& eid, const std::string& curve) {
    EuiccState state;
    bool created = false;
    if (!state_path.empty() && std::filesystem::exists(state_path)) {
        state = EuiccState::load(state_path);
    } else if (pki_dir) {
        state.config = EuiccConfig::from_pki_dir(*pki_dir, curve);
        if (eid) personalise_for_eid(state.config, *pki_dir, curve, *eid);  // a new card takes the EID it is given
        created = true;
    } else {
        fail(Errc::NotFound, state_path.empty()
                                 ? "virtual eUICC: without a state file, pki=DIR must name the eUICC certificates"
                                 : "virtual eUICC: " + state_path + " does not exist; give pki=DIR to create it");
    }
    if (eid && eid_from_string(*eid) != state.config.eid)
        fail(Errc::InvalidArgument, "virtual eUICC: eid=" + *eid + " but the card's EID is " +
                                        eid_to_string(state.config.eid) + " (an existing card keeps its EID)");
    auto card = std::make_unique<Euicc>(std::move(state), state_path);
    if (created) card->persist();
    return card;
}

void Euicc::persist() const {
    if (!path_.empty()) state_.save(path_);
}

Bytes Euicc::sign(ByteView data) const { return crypto::sign(key_, data); }

std::vector<x509::Certificate> Euicc::trusted_ci(ByteView pkid) const {
    std::vector<x509::Certificate> out;
    for (const Bytes& der : state_.config.ci_certificates) {
        auto ci = x509::Certificate::from_der(der);
        if (equal(ci.subject_key_id(), pkid)) out.push_back(ci);
    }
    return out;
}

Es10Reply Euicc::handle(std::uint8_t channel, ByteView command) {
    // A command that fails (including a failed save) leaves the card as it was before it.
    EuiccState before = state_;
    try {
        return dispatch(channel, command);
    } catch (const Error& e) {
        state_ = std::move(before);
        log::warning("veuicc", std::string("ES10 command refused: ") + e.what());
        bool bad_input = e.code() == Errc::MalformedData || e.code() == Errc::InvalidArgument;
        return {{}, bad_input ? kSwWrongData : kSwNoPreciseDiagnosis};
    } catch (const std::exception& e) {
        state_ = std::move(before);
        log::error("veuicc", std::string("ES10 command failed: ") + e.what());
        return {{}, kSwNoPreciseDiagnosis};
    }
}

void Euicc::session_reset(std::uint8_t channel) { sessions_.erase(channel); }

Es10Reply Euicc::dispatch(std::uint8_t channel, ByteView command) {
    const tlv::Header h = tlv::parse_header(command, tlv::Mode::Ber);
    // LoadBoundProfilePackage pieces (RSP-NOTES): BF36 starts one, the rest belong to the loading session.
    auto it = sessions_.find(channel);
    const bool bpp_segment = h.tag <= 0xFF;  // A0..A3, 86, 88: ES10 functions themselves are BFxx
    if (h.tag == es10::BoundProfilePackage::tag || (bpp_segment && it != sessions_.end() && it->second.loading))
        return load_bpp(channel, command);
    switch (h.tag) {
    case 0xBF20: es10::GetEuiccInfo1Request::decode(command); return {euicc_info1()};
    case 0xBF22: es10::GetEuiccInfo2Request::decode(command); return {euicc_info2().encode()};
    case 0xBF3E: return {get_euicc_data(command)};
    case 0xBF3C: es10::EuiccConfiguredAddressesRequest::decode(command); return {configured_addresses()};
    case 0xBF3F: return {set_default_dp_address(command)};
    case 0xBF2E: es10::GetEuiccChallengeRequest::decode(command); return {get_euicc_challenge(channel)};
    case 0xBF43: es10::GetRatRequest::decode(command); return {get_rat()};
    case 0xBF2D: return {profile_info_list(command)};
    case 0xBF31: return {enable_profile(command)};
    case 0xBF32: return {disable_profile(command)};
    case 0xBF33: return {delete_profile(command)};
    case 0xBF29: return {set_nickname(command)};
    case 0xBF34: return {memory_reset(command)};
    case 0xBF28: return {list_notification(command)};
    case 0xBF2B: return {retrieve_notifications_list(command)};
    case 0xBF30: return {notification_sent(command)};
    case 0xBF38: return {authenticate_server(channel, command)};
    case 0xBF21: return {prepare_download(channel, command)};
    case 0xBF41: return {cancel_session(channel, command)};
    default: return {{}, kSwWrongData};
    }
}

// SGP.22 §5.7.8 GetEUICCInfo.
Bytes Euicc::euicc_info1() const {
    es10::EUICCInfo1 info;
    info.svn = state_.config.svn;
    info.euicc_ci_pkid_list_for_verification = state_.config.ci_pkids_for_verification;
    info.euicc_ci_pkid_list_for_signing = state_.config.ci_pkids_for_signing;
    return info.encode();
}

es10::EUICCInfo2 Euicc::euicc_info2() const {
    const EuiccConfig& c = state_.config;
    es10::EUICCInfo2 info;
    info.profile_version = c.profile_version;
    info.svn = c.svn;
    info.euicc_firmware_ver = c.firmware_version;
    es10::ExtCardResource res;
    res.installed_applications = state_.profiles.size();
    res.free_non_volatile_memory = state_.free_non_volatile_memory();
    res.free_volatile_memory = c.free_volatile_memory;
    info.ext_card_resource = res.encode();
    info.uicc_capability = c.uicc_capability;
    info.javacard_version = c.ts102241_version;
    info.globalplatform_version = c.globalplatform_version;
    info.rsp_capability = c.rsp_capability;
    info.euicc_ci_pkid_list_for_verification = c.ci_pkids_for_verification;
    info.euicc_ci_pkid_list_for_signing = c.ci_pkids_for_signing;
    info.euicc_category = c.euicc_category;
    info.pp_version = c.pp_version;
    info.sas_acreditation_number = c.sas_accreditation_number;
    return info;
}

// SGP.22 §5.7.20 GetEID: the tagList selects the data objects; '5A' (EID) is the only one defined.
Bytes Euicc::get_euicc_data(ByteView command) const {
    auto req = es10::GetEuiccDataRequest::decode(command);
    bool wants_eid = false;
    for (auto b : req.tag_list) wants_eid |= b == 0x5A;
    if (!wants_eid) return tlv::make(es10::GetEuiccDataResponse::tag, Bytes{});
    es10::GetEuiccDataResponse resp;
    resp.eid_value = state_.config.eid;
    return resp.encode();
}

// SGP.22 §5.7.3 GetEuiccConfiguredAddresses.
Bytes Euicc::configured_addresses() const {
    es10::EuiccConfiguredAddressesResponse resp;
    resp.default_dp_address = state_.default_dp_address;
    resp.root_ds_address = state_.root_ds_address;
    return resp.encode();
}

// SGP.22 §5.7.4 SetDefaultDpAddress: an empty address removes the default.
Bytes Euicc::set_default_dp_address(ByteView command) {
    auto req = es10::SetDefaultDpAddressRequest::decode(command);
    if (req.default_dp_address.empty())
        state_.default_dp_address.reset();
    else
        state_.default_dp_address = req.default_dp_address;
    persist();
    return es10::SetDefaultDpAddressResponse{}.encode();
}

// SGP.22 §5.7.7 GetEUICCChallenge: a fresh 16-byte challenge starts a new RSP session on this channel.
Bytes Euicc::get_euicc_challenge(std::uint8_t channel) {
    Session s;
    s.euicc_challenge = crypto::random_bytes(16);
    es10::GetEuiccChallengeResponse resp;
    resp.euicc_challenge = s.euicc_challenge;
    sessions_[channel] = std::move(s);
    return resp.encode();
}

// SGP.22 §5.7.4 GetRAT.
Bytes Euicc::get_rat() const { return state_.config.rat.encode(); }

}  // namespace lpad::virtual_euicc
