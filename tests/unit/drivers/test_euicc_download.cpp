// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's download path with real crypto: AuthenticateServer, PrepareDownload, CancelSession and
// LoadBoundProfilePackage against an SM-DP+ side built in the test from the test PKI (euicc_test_rig.h).
#include <doctest/doctest.h>

#include "libapdu/euicc_info.h"
#include "libapdu/identifiers.h"
#include "libfile/file.h"
#include "unit/drivers/euicc_test_rig.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

x509::Certificate euicc_cert() { return file::certificate(pki_file("eUICC/CERT_EUICC_ECDSA_NIST.der")); }

es10::AuthenticateErrorCode auth_error(const es10::AuthenticateServerResponse& r) {
    REQUIRE_FALSE(r.is_ok());
    return std::get<es10::AuthenticateResponseError>(r.result).authenticate_error_code;
}

es10::DownloadErrorCode download_error(const es10::PrepareDownloadResponse& r) {
    REQUIRE_FALSE(r.is_ok());
    return std::get<es10::PrepareDownloadResponseError>(r.result).download_error_code;
}

}  // namespace

TEST_CASE("euicc: AuthenticateServer signs euiccSigned1 with the eUICC key over the received ctxParams1") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    auto k = SmdpKeys::load();
    Bytes tid = from_hex("0102030405060708");
    auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto req = make_authenticate_server(k, challenge, tid);
    auto resp = rig.call(req);
    const auto& ok = resp.ok();
    CHECK(ok.euicc_signed1.transaction_id == tid);
    CHECK(ok.euicc_signed1.server_address == kSmdpAddress);
    CHECK(ok.euicc_signed1.server_challenge == req.server_signed1.server_challenge);
    CHECK(ok.euicc_signed1.ctx_params1 == req.ctx_params1.encode());
    CHECK(ok.euicc_signed1.euicc_info2 == rig.client->transceive(es10::GetEuiccInfo2Request{}.encode()));
    CHECK(ok.euicc_certificate == euicc_cert().der());
    CHECK(crypto::verify(euicc_cert().public_key(), ok.euicc_signed1.der(), ok.euicc_signature1));
    // The eUICC certificate chains to the CI through the EUM (SGP.22 name constraint rule).
    x509::VerifyOptions options;
    options.check_time = false;
    auto ci = file::certificate(pki_file("CertificateIssuer/CERT_CI_ECDSA_NIST.der"));
    std::vector<x509::Certificate> eum{x509::Certificate::from_der(ok.eum_certificate)};
    CHECK_NOTHROW(x509::verify_chain(euicc_cert(), eum, std::vector{ci}, options));
}

TEST_CASE("euicc: AuthenticateServer error codes") {
    using C = es10::AuthenticateErrorCode;
    auto good = SmdpKeys::load();
    auto other_ci = SmdpKeys::load(pki_file("bad/OtherCI"));
    auto wrong_role_cert = file::certificate(pki_file("bad/DPauth_wrong_role/DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der"));
    auto wrong_role_key = file::private_key(pki_file("bad/DPauth_wrong_role/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem"));
    struct Case {
        const char* name;
        C expected;
        std::function<void(es10::AuthenticateServerRequest&)> spoil;
        bool with_challenge = true;
    };
    auto resign = [](const crypto::PrivateKey& key) {
        return [key](es10::AuthenticateServerRequest& r) {
            r.server_signed1.raw.clear();
            r.server_signature1 = crypto::sign(key, r.server_signed1.encode());
        };
    };
    const Case cases[] = {
        {"unknown CI key id", C::ciPKUnknown, [](auto& r) { r.euicc_ci_pkid_to_be_used = Bytes(20, 0x42); }},
        {"DPauth from another CI", C::invalidCertificate,
         [&](auto& r) { r.server_certificate = other_ci.auth_cert.der(); resign(other_ci.auth_key)(r); }},
        {"DPauth with the DPpb role", C::invalidCertificate,
         [&](auto& r) { r.server_certificate = wrong_role_cert.der(); resign(wrong_role_key)(r); }},
        {"DPpb certificate for authentication", C::invalidCertificate,
         [&](auto& r) { r.server_certificate = good.pb_cert.der(); resign(good.pb_key)(r); }},
        {"garbage certificate", C::invalidCertificate, [](auto& r) { r.server_certificate = Bytes{0x30, 0x00}; }},
        {"tampered serverSignature1", C::invalidSignature, [](auto& r) { r.server_signature1[7] ^= 0x80; }},
        {"signature by another key", C::invalidSignature, resign(good.pb_key)},
        {"challenge mismatch", C::euiccChallengeMismatch,
         [&](auto& r) { r.server_signed1.euicc_challenge[0] ^= 1; resign(good.auth_key)(r); }},
        {"no GetEUICCChallenge first", C::noSessionContext, [](auto&) {}, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        TempDir dir;
        CardRig rig(card_uri(dir.file("card.json")));
        Bytes challenge = c.with_challenge ? rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge : Bytes(16, 0);
        Bytes tid = from_hex("A1A2A3");
        auto req = make_authenticate_server(good, challenge, tid);
        c.spoil(req);
        auto resp = rig.call(req);
        CHECK(auth_error(resp) == c.expected);
        CHECK(std::get<es10::AuthenticateResponseError>(resp.result).transaction_id == tid);
    }
}

TEST_CASE("euicc: PrepareDownload signs euiccSigned2 || smdpSignature2, and its error codes") {
    using C = es10::DownloadErrorCode;
    auto k = SmdpKeys::load();
    auto other_ci = SmdpKeys::load(pki_file("bad/OtherCI"));
    struct Case {
        const char* name;
        std::optional<C> expected;
        std::function<void(es10::PrepareDownloadRequest&, const Bytes& sig1)> spoil;
        bool authenticate = true;
    };
    auto sign2 = [](const crypto::PrivateKey& key) {
        return [key](es10::PrepareDownloadRequest& r, const Bytes& sig1) {
            r.smdp_signed2.raw.clear();
            r.smdp_signature2 = crypto::sign(key, concat(r.smdp_signed2.encode(), tlv::make(0x5F37, sig1)));
        };
    };
    const Case cases[] = {
        {"good", std::nullopt, [](auto&, const auto&) {}},
        {"good with a confirmation code", std::nullopt,
         [&](auto& r, const auto& sig1) {
             r.smdp_signed2.cc_required_flag = true;
             r.hash_cc = crypto::hash_cc("1234", r.smdp_signed2.transaction_id);
             sign2(k.pb_key)(r, sig1);
         }},
        {"ccRequiredFlag without hashCc", C::undefinedError,
         [&](auto& r, const auto& sig1) { r.smdp_signed2.cc_required_flag = true; sign2(k.pb_key)(r, sig1); }},
        {"tampered smdpSignature2", C::invalidSignature, [](auto& r, const auto&) { r.smdp_signature2[3] ^= 1; }},
        {"signed without euiccSignature1", C::invalidSignature,
         [&](auto& r, const auto&) { r.smdp_signature2 = crypto::sign(k.pb_key, r.smdp_signed2.encode()); }},
        {"other transactionId", C::invalidTransactionId,
         [&](auto& r, const auto& sig1) { r.smdp_signed2.transaction_id = Bytes{9, 9}; sign2(k.pb_key)(r, sig1); }},
        {"DPauth as DPpb", C::invalidCertificate,
         [&](auto& r, const auto& sig1) { r.smdp_certificate = k.auth_cert.der(); sign2(k.auth_key)(r, sig1); }},
        {"DPpb from another CI", C::invalidCertificate,
         [&](auto& r, const auto& sig1) { r.smdp_certificate = other_ci.pb_cert.der(); sign2(other_ci.pb_key)(r, sig1); }},
        {"no AuthenticateServer first", C::noSessionContext, [](auto&, const auto&) {}, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        TempDir dir;
        CardRig rig(card_uri(dir.file("card.json")));
        Bytes tid = from_hex("B1B2B3B4");
        auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
        Bytes sig1(64, 0);
        if (c.authenticate) sig1 = rig.call(make_authenticate_server(k, challenge, tid)).ok().euicc_signature1;
        auto req = make_prepare_download(k, tid, sig1);
        c.spoil(req, sig1);
        auto resp = rig.call(req);
        if (c.expected) {
            CHECK(download_error(resp) == *c.expected);
            continue;
        }
        const auto& ok = resp.ok();
        CHECK(ok.euicc_signed2.transaction_id == tid);
        CHECK(ok.euicc_signed2.euicc_otpk.size() == 65);
        CHECK(ok.euicc_signed2.hash_cc == req.hash_cc);
        CHECK(crypto::verify(euicc_cert().public_key(),
                             concat(ok.euicc_signed2.der(), tlv::make(0x5F37, req.smdp_signature2)),
                             ok.euicc_signature2));
    }
}

TEST_CASE("euicc: CancelSession signs the cancellation and ends the session") {
    TempDir dir;
    CardRig rig(card_uri(dir.file("card.json")));
    auto k = SmdpKeys::load();
    Bytes tid = from_hex("C1C2");
    auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto sig1 = rig.call(make_authenticate_server(k, challenge, tid)).ok().euicc_signature1;

    es10::CancelSessionRequest wrong{Bytes{0xC1}, es10::CancelSessionReason::postponed};
    auto bad = rig.call(wrong);
    REQUIRE_FALSE(bad.is_ok());
    CHECK(std::get<es10::CancelSessionError>(bad.result) == es10::CancelSessionError::invalidTransactionId);

    es10::CancelSessionRequest req{tid, es10::CancelSessionReason::endUserRejection};
    auto resp = rig.call(req);
    const auto& ok = resp.ok();
    CHECK(ok.euicc_cancel_session_signed.transaction_id == tid);
    CHECK(ok.euicc_cancel_session_signed.smdp_oid == k.auth_cert.registered_ids().at(0));
    CHECK(ok.euicc_cancel_session_signed.reason == es10::CancelSessionReason::endUserRejection);
    CHECK(crypto::verify(euicc_cert().public_key(), ok.euicc_cancel_session_signed.der(),
                         ok.euicc_cancel_session_signature));
    // The session is gone: PrepareDownload has nothing to continue.
    CHECK(download_error(rig.call(make_prepare_download(k, tid, sig1))) == es10::DownloadErrorCode::noSessionContext);
}

TEST_CASE("euicc: a full Bound Profile Package installs a TS.48 profile") {
    for (bool rsk : {true, false}) {
        CAPTURE(rsk);
        TempDir dir;
        CardRig rig(card_uri(dir.file("card.json")));
        auto k = SmdpKeys::load();
        Bytes upp = load_upp();
        auto md = metadata_for(upp);
        auto free_before = rig.call(es10::GetEuiccInfo2Request{}).ext_card_resource_info().free_non_volatile_memory;
        BppOptions o;
        o.replace_session_keys = rsk;
        auto [tid, pir] = download(rig, k, md, upp, o);

        REQUIRE(pir.succeeded());
        CHECK(crypto::verify(euicc_cert().public_key(), pir.data.der(), pir.euicc_sign_pir));
        CHECK(pir.data.transaction_id == tid);
        CHECK(pir.data.smdp_oid == k.pb_cert.registered_ids().at(0));
        CHECK(pir.data.notification_metadata.notification_address == kSmdpAddress);
        CHECK(pir.data.notification_metadata.iccid == md.iccid);
        const auto& success = std::get<es10::SuccessResult>(pir.data.final_result);
        CHECK(to_hex(success.aid) == to_hex(from_hex("A0000005591010FFFFFFFF8900001000")));

        auto list = profiles(rig);
        REQUIRE(list.size() == 1);
        CHECK(iccid_from_bcd(*list[0].iccid) == iccid_from_bcd(upp_iccid(upp)));
        CHECK(list[0].profile_name == md.profile_name);
        CHECK(list[0].service_provider_name == md.service_provider_name);
        CHECK(list[0].icon == md.icon);
        CHECK(list[0].profile_state == es10::ProfileState::disabled);
        CHECK(list[0].isdp_aid == success.aid);

        auto info2 = rig.call(es10::GetEuiccInfo2Request{});
        CHECK(info2.ext_card_resource_info().free_non_volatile_memory == *free_before - upp.size());

        // The PIR is the install notification, retrievable until NotificationSent.
        auto notes = rig.call(es10::ListNotificationRequest{}).notifications();
        REQUIRE(notes.size() == 1);
        CHECK(notes[0].profile_management_operation == es10::NotificationEvent::notificationInstall);
        auto pending = rig.call(es10::RetrieveNotificationsListRequest{}).notifications();
        REQUIRE(pending.size() == 1);
        CHECK(pending[0].der() == pir.der());
    }
}

TEST_CASE("euicc: a failing BPP answers the exact bppCommandId/errorReason and installs nothing") {
    struct Case {
        const char* name;
        BppOptions options;
        es10::BppCommandId command;
        es10::ErrorReason reason;
        bool duplicate = false;
    };
    BppOptions tamper;
    tamper.tamper_86 = true;
    BppOptions bad_sign;
    bad_sign.bad_smdp_sign = true;
    const Case cases[] = {
        {"tampered 86 segment", tamper, es10::BppCommandId::loadProfileElements, es10::ErrorReason::scp03tSecurityError},
        {"wrong smdpSign", bad_sign, es10::BppCommandId::initialiseSecureChannel, es10::ErrorReason::invalidSignature},
        {"ICCID already installed", {}, es10::BppCommandId::storeMetadata,
         es10::ErrorReason::installFailedDueToIccidAlreadyExistsOnEuicc, true},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        TempDir dir;
        CardRig rig(card_uri(dir.file("card.json")));
        auto k = SmdpKeys::load();
        Bytes upp = load_upp();
        auto md = metadata_for(upp);
        std::size_t before = 0;
        if (c.duplicate) {
            REQUIRE(download(rig, k, md, upp).pir.succeeded());
            before = 1;
        }
        auto [tid, pir] = download(rig, k, md, upp, c.options);
        REQUIRE_FALSE(pir.succeeded());
        const auto& err = std::get<es10::ErrorResult>(pir.data.final_result);
        CHECK(err.bpp_command_id == c.command);
        CHECK(err.error_reason == c.reason);
        CHECK(pir.data.transaction_id == tid);
        CHECK(crypto::verify(euicc_cert().public_key(), pir.data.der(), pir.euicc_sign_pir));
        CHECK(profiles(rig).size() == before);
        // The error result is also queued for the SM-DP+.
        auto notes = rig.call(es10::ListNotificationRequest{}).notifications();
        REQUIRE(notes.size() == before + 1);
        CHECK(notes.back().seq_number == pir.data.notification_metadata.seq_number);
        // After reloading the card, still nothing half-installed.
        rig.client->close();
        CardRig reloaded("virtual:" + dir.file("card.json"));
        CHECK(profiles(reloaded).size() == before);
    }
}
