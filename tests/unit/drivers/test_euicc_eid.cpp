// SPDX-License-Identifier: Apache-2.0
// A new virtual eUICC takes the EID of its URI (`eid=`): its own key and CERT.EUICC for that EID, signed by the
// test PKI's EUM and inside the EUM's permitted EID range (SGP.22 §4.5.2.1.0.2), so that many distinct cards can
// authenticate to an SM-DP+. An existing state keeps its EID; an EID outside the range is refused.
#include <doctest/doctest.h>

#include <openssl/objects.h>

#include "drivers/virtual/euicc_issue.h"
#include "libapdu/identifiers.h"
#include "libfile/file.h"
#include "unit/drivers/euicc_test_rig.h"

using namespace lpad;
using namespace lpad::virtual_euicc;
using namespace lpad::virtual_euicc::testing;

namespace {

// 30 digits + ISO 7064 MOD 97-10 check digits (the EID's last two digits).
std::string with_check_digits(const std::string& body) {
    int rem = 0;
    for (char c : body + "00") rem = (rem * 10 + (c - '0')) % 97;
    std::string check = std::to_string(98 - rem);
    return body + (check.size() == 1 ? "0" : "") + check;
}

x509::Certificate eum_cert() { return file::certificate(pki_file("EUM/CERT_EUM_ECDSA_NIST.der")); }

// What the card presents to an SM-DP+ in AuthenticateServer: its certificate, checked against its signature.
x509::Certificate presented_certificate(CardRig& rig) {
    auto k = SmdpKeys::load();
    auto challenge = rig.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto resp = rig.call(make_authenticate_server(k, challenge, from_hex("0A0B0C0D")));
    REQUIRE(resp.is_ok());
    auto cert = x509::Certificate::from_der(resp.ok().euicc_certificate);
    CHECK(crypto::verify(cert.public_key(), resp.ok().euicc_signed1.der(), resp.ok().euicc_signature1));
    CHECK(resp.ok().eum_certificate == eum_cert().der());
    return cert;
}

void verify_like_smdp(const x509::Certificate& euicc) {
    x509::VerifyOptions options;
    options.leaf_role = x509::Role::Euicc;
    auto ci = file::certificate(pki_file("CertificateIssuer/CERT_CI_ECDSA_NIST.der"));
    std::vector<x509::Certificate> eum{eum_cert()};
    x509::verify_chain(euicc, eum, std::vector{ci}, options);
}

}  // namespace

TEST_CASE("euicc eid: the test EUM permits the EID prefix of the test PKI") {
    CHECK(permitted_eid_prefixes(eum_cert()) == std::vector<std::string>{"89049032"});
}

TEST_CASE("euicc eid: a new card takes the EID of its URI, with a certificate for it that the EUM covers") {
    TempDir dir;
    const std::string eid_a = with_check_digits("890490320000000000000000000001");
    const std::string eid_b = with_check_digits("890490329999999999999999999999");
    Bytes key_a;
    {
        CardRig a(card_uri(dir.file("a.json")) + "&eid=" + eid_a);
        CHECK(eid_to_string(a.call(es10::GetEuiccDataRequest{}).eid_value) == eid_a);
        auto cert = presented_certificate(a);
        CHECK(cert.subject_field(NID_serialNumber) == eid_a);
        CHECK(cert.has_role(x509::Role::Euicc));
        CHECK(cert.authority_key_id() == eum_cert().subject_key_id());
        CHECK_NOTHROW(verify_like_smdp(cert));
        key_a = cert.public_key().point();
    }
    CardRig b(card_uri(dir.file("b.json")) + "&eid=" + eid_b);
    auto cert_b = presented_certificate(b);
    CHECK(cert_b.subject_field(NID_serialNumber) == eid_b);
    CHECK_NOTHROW(verify_like_smdp(cert_b));
    CHECK(cert_b.public_key().point() != key_a);  // every card its own key

    // The state keeps the EID and the certificate: reopened without eid=, or with the same one.
    CardRig again("virtual:" + dir.file("a.json") + "?eid=" + eid_a);
    CHECK(eid_to_string(again.call(es10::GetEuiccDataRequest{}).eid_value) == eid_a);
    CHECK(presented_certificate(again).public_key().point() == key_a);
}

TEST_CASE("euicc eid: an existing card keeps its EID") {
    TempDir dir;
    const std::string eid = with_check_digits("890490320000000000000000000042");
    { CardRig first(card_uri(dir.file("card.json")) + "&eid=" + eid); }
    try {
        CardRig other(card_uri(dir.file("card.json")) + "&eid=" + with_check_digits("890490320000000000000000000043"));
        FAIL("another EID for an existing card was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::InvalidArgument);
        CHECK(std::string(e.what()).find("keeps its EID") != std::string::npos);
    }
}

TEST_CASE("euicc eid: an EID outside the EUM's range, or with wrong check digits, is refused and no card made") {
    TempDir dir;
    const std::string outside = with_check_digits("890490330000000000000000000001");
    try {
        CardRig rig(card_uri(dir.file("out.json")) + "&eid=" + outside);
        FAIL("an EID outside the EUM's range was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::InvalidArgument);
        const std::string what = e.what();
        CHECK(what.find("outside the EUM's permitted EID range") != std::string::npos);
        CHECK(what.find("89049032") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(dir.file("out.json")));
    std::string bad_check = with_check_digits("890490320000000000000000000001");
    bad_check.back() = bad_check.back() == '9' ? '0' : static_cast<char>(bad_check.back() + 1);
    try {
        CardRig rig(card_uri(dir.file("check.json")) + "&eid=" + bad_check);
        FAIL("an EID with wrong check digits was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::InvalidArgument);
        CHECK(std::string(e.what()).find("check digits") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(dir.file("check.json")));
}

TEST_CASE("euicc eid: a certificate outside the EUM's range does not verify the way the SM-DP+ checks it") {
    // The negative material of the test PKI: an eUICC signed by the EUM for an EID outside its prefix.
    auto wrong = file::certificate(pki_file("bad/eUICC_wrong_eid/eUICC/CERT_EUICC_ECDSA_NIST.der"));
    CHECK_THROWS_AS(verify_like_smdp(wrong), Error);
}
