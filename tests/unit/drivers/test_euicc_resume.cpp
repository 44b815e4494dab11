// SPDX-License-Identifier: Apache-2.0
// The virtual eUICC's retry of an interrupted download (SGP.22 §5.7.5 bppEuiccOtpk): the one-time key pair of a
// prepared download lives in the state file, a later process reuses it when the SM-DP+ names it, generates a new
// pair when it does not hold it, and forgets it once the profile installed, the session is cancelled or the
// memory reset. Also: stray PATH.tmp.<pid> files of a killed writer are removed on load.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "drivers/virtual/euicc_state.h"
#include "libapdu/identifiers.h"
#include "unit/drivers/euicc_test_rig.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

struct Prepared {
    Bytes transaction_id;
    Bytes euicc_otpk;
};

// GetEUICCChallenge, AuthenticateServer and PrepareDownload (with bppEuiccOtpk when given) on the rig's card.
Prepared prepare(CardRig& rig, const SmdpKeys& k, const std::optional<Bytes>& bpp_euicc_otpk = std::nullopt) {
    Bytes tid = crypto::random_bytes(16);
    auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto sig1 = rig.call(make_authenticate_server(k, challenge, tid)).ok().euicc_signature1;
    auto req = make_prepare_download(k, tid, sig1);
    req.smdp_signed2.bpp_euicc_otpk = bpp_euicc_otpk;
    req.smdp_signature2 = crypto::sign(k.pb_key, concat(req.smdp_signed2.encode(), tlv::make(0x5F37, sig1)));
    auto resp = rig.call(req);
    return {tid, resp.ok().euicc_signed2.euicc_otpk};
}

// The already-bound BPP served in a new session, as the SM-DP+ does on a retry: the protected segments stay as
// they were; InitialiseSecureChannel names the new transactionId and is signed again.
Bytes rebind_session(const SmdpKeys& k, const Bytes& bpp_der, const Bytes& transaction_id, const Bytes& euicc_otpk) {
    auto bpp = es10::BoundProfilePackage::decode(bpp_der);
    auto& isc = bpp.initialise_secure_channel_request;
    isc.raw.clear();  // encoded anew from the fields set here
    isc.transaction_id = transaction_id;
    isc.smdp_sign = crypto::sign(k.pb_key, isc.signed_data(euicc_otpk));
    return bpp.encode();
}

es10::ProfileInstallationResult load(CardRig& rig, const Bytes& bpp) {
    Bytes last;
    for (const Bytes& piece : es10::split_for_loading(bpp)) {
        last = rig.client->transceive(piece);
        if (!last.empty()) break;
    }
    REQUIRE_FALSE(last.empty());
    return es10::ProfileInstallationResult::decode(last);
}

std::optional<DownloadKey> stored_key(const std::string& state) { return EuiccState::load(state).download_key; }

}  // namespace

TEST_CASE("euicc resume: the one-time key survives a new process on the same state, the bound BPP then installs") {
    TempDir dir;
    const std::string state = dir.file("card.json");
    auto k = SmdpKeys::load();
    Bytes upp = load_upp();
    auto md = metadata_for(upp);
    Bytes bpp, otpk, eid;
    {
        CardRig rig(card_uri(state));
        auto p = prepare(rig, k);
        otpk = p.euicc_otpk;
        eid = rig.call(es10::GetEuiccDataRequest{}).eid_value;
        bpp = bind_profile(k, p.transaction_id, otpk, eid, md, upp);
        // In non-volatile memory before the answer left the card.
        auto key = stored_key(state);
        REQUIRE(key);
        CHECK(key->otpk == otpk);
        CHECK(key->transaction_id == p.transaction_id);
        CHECK(key->private_key().public_point() == otpk);
    }  // the process ends here without loading (the LPA was killed)

    CardRig rig(card_uri(state));
    auto retry = prepare(rig, k, otpk);
    CHECK(retry.euicc_otpk == otpk);  // reused, as SGP.22 §5.7.5 asks
    auto pir = load(rig, rebind_session(k, bpp, retry.transaction_id, otpk));
    REQUIRE(pir.succeeded());
    CHECK(pir.data.transaction_id == retry.transaction_id);
    CHECK(profiles(rig).size() == 1);
    CHECK_FALSE(stored_key(state));  // installed: the key is gone

    // The key is spent: the same BPP cannot be loaded again (a new retry gets a new pair).
    auto again = prepare(rig, k, otpk);
    CHECK(again.euicc_otpk != otpk);
}

TEST_CASE("euicc resume: without the matching one-time key the eUICC uses a new pair, the old BPP cannot load") {
    TempDir dir;
    const std::string state = dir.file("card.json");
    auto k = SmdpKeys::load();
    Bytes upp = load_upp();
    CardRig rig(card_uri(state));
    auto first = prepare(rig, k);
    Bytes eid = rig.call(es10::GetEuiccDataRequest{}).eid_value;
    Bytes bpp = bind_profile(k, first.transaction_id, first.euicc_otpk, eid, metadata_for(upp), upp);

    // A key the card never generated: the answer is a normal PrepareDownloadResponse with a fresh otPK (no
    // DownloadErrorCode exists for this; the SM-DP+ sees euiccOtpk != bppEuiccOtpk).
    auto stranger = crypto::PrivateKey::generate(crypto::Curve::NistP256).public_point();
    auto other = prepare(rig, k, stranger);
    CHECK(other.euicc_otpk.size() == 65);
    CHECK(other.euicc_otpk != stranger);
    CHECK(other.euicc_otpk != first.euicc_otpk);
    // ... and that new pair replaced the held one: the first BPP's key is gone.
    auto key = stored_key(state);
    REQUIRE(key);
    CHECK(key->otpk == other.euicc_otpk);
    auto retry = prepare(rig, k, first.euicc_otpk);
    CHECK(retry.euicc_otpk != first.euicc_otpk);
    // The old BPP, re-signed for this session, fails at InitialiseSecureChannel: it is bound to another key.
    auto pir = load(rig, rebind_session(k, bpp, retry.transaction_id, first.euicc_otpk));
    REQUIRE_FALSE(pir.succeeded());
    const auto& err = std::get<es10::ErrorResult>(pir.data.final_result);
    CHECK(err.bpp_command_id == es10::BppCommandId::initialiseSecureChannel);
    CHECK(err.error_reason == es10::ErrorReason::invalidSignature);
    CHECK(profiles(rig).empty());
    CHECK_FALSE(stored_key(state));  // a final result ends the download
}

TEST_CASE("euicc resume: CancelSession and eUICCMemoryReset forget the one-time key") {
    auto k = SmdpKeys::load();
    SUBCASE("CancelSession") {
        TempDir dir;
        const std::string state = dir.file("card.json");
        CardRig rig(card_uri(state));
        auto p = prepare(rig, k);
        REQUIRE(stored_key(state));
        rig.call(es10::CancelSessionRequest{p.transaction_id, es10::CancelSessionReason::postponed}).ok();
        CHECK_FALSE(stored_key(state));
        CHECK(prepare(rig, k, p.euicc_otpk).euicc_otpk != p.euicc_otpk);
    }
    SUBCASE("CancelSession of a later session, after a restart") {
        TempDir dir;
        const std::string state = dir.file("card.json");
        Bytes otpk;
        {
            CardRig rig(card_uri(state));
            otpk = prepare(rig, k).euicc_otpk;
        }
        CardRig rig(card_uri(state));
        Bytes tid = crypto::random_bytes(16);
        auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
        rig.call(make_authenticate_server(k, challenge, tid)).ok();
        REQUIRE(stored_key(state));
        rig.call(es10::CancelSessionRequest{tid, es10::CancelSessionReason::loadBppExecutionError}).ok();
        CHECK_FALSE(stored_key(state));
    }
    SUBCASE("eUICCMemoryReset") {
        TempDir dir;
        const std::string state = dir.file("card.json");
        CardRig rig(card_uri(state));
        auto p = prepare(rig, k);
        REQUIRE(stored_key(state));
        es10::EuiccMemoryResetRequest reset;
        reset.reset_options = es10::make_bits({es10::ResetOption::deleteOperationalProfiles});
        rig.call(reset);
        CHECK_FALSE(stored_key(state));
        CHECK(prepare(rig, k, p.euicc_otpk).euicc_otpk != p.euicc_otpk);
    }
}

TEST_CASE("euicc resume: the state file keeps the key, an inconsistent or partial key is MalformedData") {
    TempDir dir;
    const std::string state = dir.file("card.json");
    {
        CardRig rig(card_uri(state));
        prepare(rig, SmdpKeys::load());
    }
    EuiccState s = EuiccState::load(state);
    REQUIRE(s.download_key);
    CHECK(EuiccState::from_json(s.to_json()).to_json() == s.to_json());
    auto malformed = [](const std::string& text) {
        try {
            EuiccState::from_json(text);
        } catch (const Error& e) {
            return e.code() == Errc::MalformedData;
        }
        return false;
    };
    EuiccState other = s;
    other.download_key->otpk = crypto::PrivateKey::generate(crypto::Curve::NistP256).public_point();
    CHECK(malformed(other.to_json()));
    other = s;
    other.download_key->otsk_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    CHECK(malformed(other.to_json()));
    std::string text = s.to_json();
    auto at = text.find("\"otsk\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 6, "\"otsK\"");
    CHECK(malformed(text));
    // A state written before the key existed (no "download_key") still loads.
    other = s;
    other.download_key.reset();
    CHECK(other.to_json().find("download_key") == std::string::npos);
    CHECK_FALSE(EuiccState::from_json(other.to_json()).download_key);
}

TEST_CASE("euicc resume: stray temp files of a killed writer are removed on load, a live writer's stay") {
    TempDir dir;
    const std::string state = dir.file("card.json");
    { CardRig rig(card_uri(state)); }
    // A pid that is surely gone: a child that has exited and been reaped.
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const std::string stray = state + ".tmp." + std::to_string(child);
    const std::string live = state + ".tmp." + std::to_string(::getppid());
    const std::string unrelated = dir.file("other.json.tmp.1");
    for (const auto& f : {stray, live, unrelated}) std::ofstream(f) << "{\"format\": \"lpad-virtual-";
    CardRig rig(card_uri(state));
    CHECK_FALSE(fs::exists(stray));
    CHECK(fs::exists(live));
    CHECK(fs::exists(unrelated));
    CHECK(profiles(rig).empty());
}
