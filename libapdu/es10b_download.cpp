// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10b_download.h"

#include "libapdu/error.h"
#include "libapdu/es10_codec.h"

namespace lpad::es10 {

using codec::Reader;

// --- PrepareDownload ---

Bytes SmdpSigned2::encode() const {
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, "SmdpSigned2");
    w.add_bool(0x01, cc_required_flag);
    if (bpp_euicc_otpk) w.add(0x5F49, *bpp_euicc_otpk);
    return w.end().take();
}

SmdpSigned2 SmdpSigned2::decode(ByteView der) {
    Reader s(der, tag, "SmdpSigned2");
    SmdpSigned2 v;
    v.transaction_id = s.transaction_id();
    v.cc_required_flag = s.boolean(s.required(0x01, "ccRequiredFlag"), "ccRequiredFlag");
    if (auto k = s.optional(0x5F49)) v.bpp_euicc_otpk = s.octets(*k, "bppEuiccOtpk");
    s.finish();
    v.raw = codec::copy(s.element().raw);
    return v;
}

Bytes PrepareDownloadRequest::encode() const {
    tlv::Writer w;
    w.begin(tag).add_raw(smdp_signed2.der()).add(0x5F37, smdp_signature2);
    if (hash_cc) w.add(0x04, codec::checked_size(*hash_cc, 32, 32, "PrepareDownloadRequest", "hashCc"));
    return w.add_raw(smdp_certificate).end().take();
}

PrepareDownloadRequest PrepareDownloadRequest::decode(ByteView der) {
    Reader s(der, tag, "PrepareDownloadRequest");
    PrepareDownloadRequest r;
    r.smdp_signed2 = SmdpSigned2::decode(s.required(0x30, "smdpSigned2").raw);
    r.smdp_signature2 = s.octets(0x5F37, "smdpSignature2");
    if (auto h = s.optional(0x04)) r.hash_cc = s.octets(*h, "hashCc", 32, 32);
    r.smdp_certificate = s.whole(0x30, "smdpCertificate");
    s.finish();
    return r;
}

Bytes EuiccSigned2::encode() const {
    tlv::Writer w;
    w.begin(tag);
    codec::write_transaction_id(w, 0x80, transaction_id, "EuiccSigned2");
    w.add(0x5F49, euicc_otpk);
    if (hash_cc) w.add(0x04, codec::checked_size(*hash_cc, 32, 32, "EuiccSigned2", "hashCc"));
    return w.end().take();
}

EuiccSigned2 EuiccSigned2::decode(ByteView der) {
    Reader s(der, tag, "EuiccSigned2");
    EuiccSigned2 v;
    v.transaction_id = s.transaction_id();
    v.euicc_otpk = s.octets(0x5F49, "euiccOtpk");
    if (auto h = s.optional(0x04)) v.hash_cc = s.octets(*h, "hashCc", 32, 32);
    s.finish();
    v.raw = codec::copy(s.element().raw);
    return v;
}

std::string_view name(DownloadErrorCode code) {
    return codec::lookup(static_cast<int>(code), {{1, "invalidCertificate"},
                                                  {2, "invalidSignature"},
                                                  {3, "unsupportedCurve"},
                                                  {4, "noSessionContext"},
                                                  {5, "invalidTransactionId"},
                                                  {127, "undefinedError"}});
}

void PrepareDownloadResponse::check() const {
    codec::check_choice(result, "PrepareDownload", &PrepareDownloadResponseError::download_error_code);
}

const PrepareDownloadResponseOk& PrepareDownloadResponse::ok() const {
    check();
    return std::get<PrepareDownloadResponseOk>(result);
}

Bytes PrepareDownloadResponse::encode() const {
    return codec::encode_choice(
        tag, result,
        [](tlv::Writer& w, const PrepareDownloadResponseOk& ok) {
            w.add_raw(ok.euicc_signed2.der()).add(0x5F37, ok.euicc_signature2);
        },
        [](tlv::Writer& w, const PrepareDownloadResponseError& err) {
            codec::write_transaction_id(w, 0x80, err.transaction_id, "PrepareDownloadResponseError");
            w.add_int(0x02, static_cast<int>(err.download_error_code));
        });
}

PrepareDownloadResponse PrepareDownloadResponse::decode(ByteView der) {
    PrepareDownloadResponse r;
    r.raw = codec::decode_choice(
        der, tag, {"PrepareDownloadResponse", "downloadResponseOk", "downloadResponseError"}, r.result,
        [](Reader& a) {
            PrepareDownloadResponseOk ok;
            ok.euicc_signed2 = EuiccSigned2::decode(a.required(0x30, "euiccSigned2").raw);
            ok.euicc_signature2 = a.octets(0x5F37, "euiccSignature2");
            return ok;
        },
        [](Reader& a) {
            PrepareDownloadResponseError err;
            err.transaction_id = a.transaction_id();
            err.download_error_code = DownloadErrorCode(a.integer(0x02, "downloadErrorCode"));
            return err;
        });
    return r;
}

// --- StoreMetadataRequest ---

Bytes StoreMetadataRequest::encode() const {
    constexpr std::string_view msg = "StoreMetadataRequest";
    if (icon && !icon_type) codec::invalid(msg, "icon", "needs iconType");
    tlv::Writer w;
    w.begin(tag)
        .add(0x5A, codec::checked_size(iccid, 10, 10, msg, "iccid"))
        .add(0x91, codec::checked_utf8(service_provider_name, 32, msg, "serviceProviderName"))
        .add(0x92, codec::checked_utf8(profile_name, 64, msg, "profileName"));
    if (icon_type) w.add_int(0x93, static_cast<int>(*icon_type));
    if (icon) w.add(0x94, codec::checked_size(*icon, 0, 1024, msg, "icon"));
    if (profile_class) w.add_int(0x95, static_cast<int>(*profile_class));
    if (notification_configuration_info)
        codec::write(w, *notification_configuration_info, "StoreMetadataRequest.notificationConfigurationInfo");
    if (profile_owner) codec::write(w, 0xB7, *profile_owner, "StoreMetadataRequest.profileOwner");
    if (profile_policy_rules) w.add(0x99, profile_policy_rules->encode_content());
    return w.end().take();
}

StoreMetadataRequest StoreMetadataRequest::decode(ByteView der) {
    Reader s(der, tag, "StoreMetadataRequest");
    StoreMetadataRequest m;
    m.iccid = s.octets(0x5A, "iccid", 10, 10);
    m.service_provider_name = s.utf8(0x91, "serviceProviderName", 32);
    m.profile_name = s.utf8(0x92, "profileName", 64);
    if (auto t = s.optional(0x93)) m.icon_type = IconType(s.integer(*t, "iconType"));
    if (auto i = s.optional(0x94)) m.icon = s.octets(*i, "icon", 0, 1024);
    if (auto c = s.optional(0x95)) m.profile_class = ProfileClass(s.integer(*c, "profileClass"));
    if (auto list = s.optional(0xB6)) m.notification_configuration_info = codec::read_notification_configs(s, *list);
    if (auto owner = s.optional(0xB7)) m.profile_owner = codec::read_operator_id(*owner);
    if (auto ppr = s.optional(0x99)) m.profile_policy_rules = s.bits(*ppr, "profilePolicyRules");
    s.finish();
    return m;
}

// --- ConfigureISDP / ReplaceSessionKeys ---

Bytes ConfigureISDPRequest::encode() const {
    tlv::Writer w;
    w.begin(tag);
    if (dp_proprietary_data) w.add(0xB8, *dp_proprietary_data);
    return w.end().take();
}

ConfigureISDPRequest ConfigureISDPRequest::decode(ByteView der) {
    Reader s(der, tag, "ConfigureISDPRequest");
    ConfigureISDPRequest r;
    if (auto d = s.optional(0xB8)) r.dp_proprietary_data = codec::copy(d->value);
    s.finish();
    return r;
}

Bytes ReplaceSessionKeysRequest::encode() const {
    return tlv::Writer().begin(tag).add(0x80, initial_mac_chaining_value).add(0x81, ppk_enc).add(0x82, ppk_cmac).end().take();
}

ReplaceSessionKeysRequest ReplaceSessionKeysRequest::decode(ByteView der) {
    Reader s(der, tag, "ReplaceSessionKeysRequest");
    ReplaceSessionKeysRequest r;
    r.initial_mac_chaining_value = s.octets(0x80, "initialMacChainingValue");
    r.ppk_enc = s.octets(0x81, "ppkEnc");
    r.ppk_cmac = s.octets(0x82, "ppkCmac");
    s.finish();
    return r;
}

// --- GetRAT ---

Bytes GetRatRequest::encode() const { return tlv::header(tag, 0); }

GetRatRequest GetRatRequest::decode(ByteView der) {
    codec::decode_empty(der, tag, "GetRatRequest");
    return {};
}

Bytes GetRatResponse::encode() const {
    tlv::Writer w;
    w.begin(tag).begin(0xA0);
    for (const auto& rule : rat) {
        w.begin(0x30).add(0x80, rule.ppr_ids.encode_content()).begin(0xA1);
        for (const auto& op : rule.allowed_operators) codec::write(w, 0x30, op, "GetRatResponse.allowedOperators");
        w.end().add(0x82, rule.ppr_flags.encode_content()).end();
    }
    return w.end().end().take();
}

GetRatResponse GetRatResponse::decode(ByteView der) {
    Reader s(der, tag, "GetRatResponse");
    GetRatResponse r;
    for (const auto& item : s.children(s.required(0xA0, "rat"))) {
        if (item.tag != 0x30) s.fail("rat", "expected SEQUENCE (30), found " + tlv::tag_name(item.tag));
        Reader rs(item, "ProfilePolicyAuthorisationRule");
        ProfilePolicyAuthorisationRule rule;
        rule.ppr_ids = rs.bits(0x80, "pprIds");
        for (const auto& op : rs.children(rs.required(0xA1, "allowedOperators"))) {
            if (op.tag != 0x30) rs.fail("allowedOperators", "expected SEQUENCE (30), found " + tlv::tag_name(op.tag));
            rule.allowed_operators.push_back(codec::read_operator_id(op));
        }
        rule.ppr_flags = rs.bits(0x82, "pprFlags");
        rs.finish();
        r.rat.push_back(std::move(rule));
    }
    s.finish();
    return r;
}

// --- LoadCRL ---

std::string_view name(LoadCRLError error) {
    return codec::lookup(static_cast<int>(error), {{1, "invalidSignature"},
                                                   {2, "invalidCRLFormat"},
                                                   {3, "notEnoughMemorySpace"},
                                                   {4, "verificationKeyNotFound"},
                                                   {127, "undefinedError"}});
}

Bytes LoadCRLRequest::encode() const {
    // crl [0] IMPLICIT CertificateList: same content, tag A0 instead of 30.
    auto e = codec::framed("LoadCRLRequest", [&] { return tlv::parse_one(crl); });
    if (e.tag != 0x30) codec::invalid("LoadCRLRequest", "crl", "must be a DER CertificateList (tag 30)");
    return tlv::make(tag, tlv::make(0xA0, e.value));
}

LoadCRLRequest LoadCRLRequest::decode(ByteView der) {
    Reader s(der, tag, "LoadCRLRequest");
    LoadCRLRequest r;
    r.crl = tlv::make(0x30, s.required(0xA0, "crl").value);
    s.finish();
    return r;
}

void LoadCRLResponse::check() const { codec::check_choice(result, "LoadCRL"); }

Bytes LoadCRLResponse::encode() const {
    return codec::encode_choice(tag, result, [](tlv::Writer& w, const LoadCRLResponseOk& ok) {
        if (!ok.missing_parts) return;
        w.begin(0xA0);
        for (auto n : *ok.missing_parts) w.begin(0x30).add_int(0x80, n).end();
        w.end();
    });
}

LoadCRLResponse LoadCRLResponse::decode(ByteView der) {
    auto read_ok = [](Reader& a) {
        LoadCRLResponseOk ok;
        auto parts = a.optional(0xA0);
        if (!parts) return ok;
        ok.missing_parts.emplace();
        for (const auto& item : a.children(*parts)) {
            if (item.tag != 0x30) a.fail("missingParts", "expected SEQUENCE (30), found " + tlv::tag_name(item.tag));
            Reader part = a.nested(item, "missingParts");
            ok.missing_parts->push_back(part.int64(part.required(0x80, "number"), "number", true));
            part.finish();
        }
        return ok;
    };
    LoadCRLResponse r;
    codec::decode_choice(der, tag, {"LoadCRLResponse", "loadCRLResponseOk", "loadCRLResponseError"}, r.result, read_ok);
    return r;
}

}  // namespace lpad::es10
