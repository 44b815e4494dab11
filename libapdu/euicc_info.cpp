// SPDX-License-Identifier: Apache-2.0
#include "libapdu/euicc_info.h"

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::checked_utf8;
using codec::checked_version;
using codec::Reader;
using codec::unlimited;

namespace {

void encode_pkid_list(tlv::Writer& w, tlv::Tag tag, const std::vector<Bytes>& list) {
    w.begin(tag);
    for (const auto& id : list) w.add(0x04, id);
    w.end();
}

std::vector<Bytes> decode_pkid_list(const Reader& fr, const tlv::Element& e, std::string_view field) {
    std::vector<Bytes> out;
    for (const auto& c : fr.children(e)) {
        if (c.tag != 0x04) fr.fail(field, "expected SubjectKeyIdentifier (04), found " + tlv::tag_name(c.tag));
        out.push_back(fr.octets(c, field));
    }
    return out;
}

}  // namespace

// --- EUICCInfo1 ---

Bytes GetEuiccInfo1Request::encode() const { return tlv::make(tag, ByteView{}); }
GetEuiccInfo1Request GetEuiccInfo1Request::decode(ByteView der) {
    codec::decode_empty(der, tag, "GetEuiccInfo1Request");
    return {};
}

Bytes EUICCInfo1::encode() const {
    tlv::Writer w;
    w.begin(tag).add(0x82, checked_version(svn, "EUICCInfo1", "svn"));
    encode_pkid_list(w, 0xA9, euicc_ci_pkid_list_for_verification);
    encode_pkid_list(w, 0xAA, euicc_ci_pkid_list_for_signing);
    w.end();
    return w.take();
}

EUICCInfo1 EUICCInfo1::decode(ByteView der) {
    Reader fr(der, tag, "EUICCInfo1");
    EUICCInfo1 r;
    r.svn = fr.version(fr.required(0x82, "svn"), "svn");
    r.euicc_ci_pkid_list_for_verification = decode_pkid_list(
        fr, fr.required(0xA9, "euiccCiPKIdListForVerification"), "euiccCiPKIdListForVerification");
    r.euicc_ci_pkid_list_for_signing =
        decode_pkid_list(fr, fr.required(0xAA, "euiccCiPKIdListForSigning"), "euiccCiPKIdListForSigning");
    fr.finish();
    return r;
}

// --- named bits and values ---

std::string_view name(UiccCapability bit) {
    return codec::bit_lookup(
        static_cast<std::size_t>(bit),
        {"contactlessSupport", "usimSupport", "isimSupport", "csimSupport", "akaMilenage", "akaCave", "akaTuak128",
         "akaTuak256", "rfu1", "rfu2", "gbaAuthenUsim", "gbaAuthenISim", "mbmsAuthenUsim", "eapClient", "javacard",
         "multos", "multipleUsimSupport", "multipleIsimSupport", "multipleCsimSupport", "berTlvFileSupport",
         "dfLinkSupport", "catTp", "getIdentity", "profile-a-x25519", "profile-b-p256", "suciCalculatorApi"});
}

std::string_view name(RspCapability bit) {
    return codec::bit_lookup(static_cast<std::size_t>(bit), {"additionalProfile", "crlSupport", "rpmSupport",
                                                             "testProfileSupport", "deviceInfoExtensibilitySupport"});
}

std::string_view name(EuiccCategory v) {
    return codec::lookup(static_cast<int>(v),
                         {{0, "other"}, {1, "basicEuicc"}, {2, "mediumEuicc"}, {3, "contactlessEuicc"}});
}

// --- ExtCardResource (ETSI TS 102 226) ---

ExtCardResource ExtCardResource::decode(ByteView content) {
    auto bad = [](const std::string& what) { fail(Errc::MalformedData, "EUICCInfo2.extCardResource: " + what); };
    ExtCardResource r;
    try {
        tlv::Reader reader(content, tlv::Mode::Ber);
        while (!reader.at_end()) {
            tlv::Element e = reader.next();
            std::optional<std::uint64_t>* slot = e.tag == 0x81   ? &r.installed_applications
                                                 : e.tag == 0x82 ? &r.free_non_volatile_memory
                                                 : e.tag == 0x83 ? &r.free_volatile_memory
                                                                 : nullptr;
            if (!slot) continue;  // later TS 102 226 versions add more
            if (e.value.empty() || e.value.size() > 8)
                bad("tag " + tlv::tag_name(e.tag) + " holds " + std::to_string(e.value.size()) + " bytes");
            std::uint64_t v = 0;
            for (auto b : e.value) v = (v << 8) | b;
            *slot = v;
        }
    } catch (const Error& e) {
        if (std::string_view(e.what()).starts_with("EUICCInfo2.")) throw;
        bad(e.what());
    }
    return r;
}

Bytes ExtCardResource::encode() const {
    tlv::Writer w;
    auto add = [&](tlv::Tag tag, const std::optional<std::uint64_t>& v) {
        if (!v) return;
        Bytes b;
        for (int shift = 56; shift >= 0; shift -= 8)
            if (!b.empty() || (*v >> shift) != 0 || shift == 0) b.push_back(static_cast<std::uint8_t>(*v >> shift));
        w.add(tag, b);
    };
    add(0x81, installed_applications);
    add(0x82, free_non_volatile_memory);
    add(0x83, free_volatile_memory);
    return w.take();
}

// --- EUICCInfo2 ---

Bytes GetEuiccInfo2Request::encode() const { return tlv::make(tag, ByteView{}); }
GetEuiccInfo2Request GetEuiccInfo2Request::decode(ByteView der) {
    codec::decode_empty(der, tag, "GetEuiccInfo2Request");
    return {};
}

Bytes EUICCInfo2::encode() const {
    tlv::Writer w;
    w.begin(tag)
        .add(0x81, checked_version(profile_version, "EUICCInfo2", "profileVersion"))
        .add(0x82, checked_version(svn, "EUICCInfo2", "svn"))
        .add(0x83, checked_version(euicc_firmware_ver, "EUICCInfo2", "euiccFirmwareVer"))
        .add(0x84, ext_card_resource)
        .add(0x85, uicc_capability.encode_content());
    if (javacard_version) w.add(0x86, checked_version(*javacard_version, "EUICCInfo2", "javacardVersion"));
    if (globalplatform_version)
        w.add(0x87, checked_version(*globalplatform_version, "EUICCInfo2", "globalplatformVersion"));
    w.add(0x88, rsp_capability.encode_content());
    encode_pkid_list(w, 0xA9, euicc_ci_pkid_list_for_verification);
    encode_pkid_list(w, 0xAA, euicc_ci_pkid_list_for_signing);
    if (euicc_category) w.add_int(0x8B, static_cast<int>(*euicc_category));
    if (forbidden_profile_policy_rules) w.add(0x99, forbidden_profile_policy_rules->encode_content());
    w.add(0x04, checked_version(pp_version, "EUICCInfo2", "ppVersion"));
    w.add(0x0C, checked_utf8(sas_acreditation_number, 64, "EUICCInfo2", "sasAcreditationNumber"));
    if (certification_data_object) {
        const auto& c = *certification_data_object;
        w.begin(0xAC)
            .add(0x80, checked_utf8(c.platform_label, unlimited, "EUICCInfo2.certificationDataObject", "platformLabel"))
            .add(0x81, checked_utf8(c.discovery_base_url, unlimited, "EUICCInfo2.certificationDataObject", "discoveryBaseURL"))
            .end();
    }
    w.end();
    return w.take();
}

EUICCInfo2 EUICCInfo2::decode(ByteView der) {
    Reader fr(der, tag, "EUICCInfo2");
    EUICCInfo2 r;
    r.profile_version = fr.version(fr.required(0x81, "profileVersion"), "profileVersion");
    r.svn = fr.version(fr.required(0x82, "svn"), "svn");
    r.euicc_firmware_ver = fr.version(fr.required(0x83, "euiccFirmwareVer"), "euiccFirmwareVer");
    r.ext_card_resource = fr.octets(fr.required(0x84, "extCardResource"), "extCardResource");
    r.uicc_capability = fr.bits(fr.required(0x85, "uiccCapability"), "uiccCapability");
    if (auto x = fr.optional(0x86)) r.javacard_version = fr.version(*x, "javacardVersion");
    if (auto x = fr.optional(0x87)) r.globalplatform_version = fr.version(*x, "globalplatformVersion");
    r.rsp_capability = fr.bits(fr.required(0x88, "rspCapability"), "rspCapability");
    r.euicc_ci_pkid_list_for_verification = decode_pkid_list(
        fr, fr.required(0xA9, "euiccCiPKIdListForVerification"), "euiccCiPKIdListForVerification");
    r.euicc_ci_pkid_list_for_signing =
        decode_pkid_list(fr, fr.required(0xAA, "euiccCiPKIdListForSigning"), "euiccCiPKIdListForSigning");
    if (auto x = fr.optional(0x8B)) r.euicc_category = EuiccCategory(fr.integer(*x, "euiccCategory"));
    if (auto x = fr.optional(0x99)) r.forbidden_profile_policy_rules = fr.bits(*x, "forbiddenProfilePolicyRules");
    r.pp_version = fr.version(fr.required(0x04, "ppVersion"), "ppVersion");
    r.sas_acreditation_number = fr.utf8(fr.required(0x0C, "sasAcreditationNumber"), "sasAcreditationNumber", 64);
    if (auto x = fr.optional(0xAC)) {
        Reader cr = fr.nested(*x, "certificationDataObject");
        CertificationDataObject c;
        c.platform_label = cr.utf8(cr.required(0x80, "platformLabel"), "platformLabel");
        c.discovery_base_url = cr.utf8(cr.required(0x81, "discoveryBaseURL"), "discoveryBaseURL");
        cr.finish();
        r.certification_data_object = std::move(c);
    }
    fr.finish();
    return r;
}

}  // namespace lpad::es10
