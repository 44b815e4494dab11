// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/x509.h"
#include "libfile/file.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::x509;
using crypto::Curve;
using crypto::PrivateKey;

namespace {

const std::filesystem::path kSgp26 = std::filesystem::path(LPAD_TEST_DATA) / "sgp26";

Certificate sgp26(const std::string& rel) { return file::certificate((kSgp26 / rel).string()); }

constexpr std::time_t k2025 = 1735689600;      // 2025-01-01
constexpr std::time_t k2026 = 1767225600;      // 2026-01-01
constexpr std::time_t kSep2026 = 1788220800;   // after CERT.DP.TLS (NIST) expired
constexpr std::time_t k2031 = 1924992000;      // after the DPauth certificates expired

// --- a small test PKI built with the OpenSSL API (SGP.22 §4.5.2 profiles, reduced to what matters here) ---

using Rdns = std::vector<std::pair<std::string, std::string>>;

struct NameFree {
    void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
std::unique_ptr<X509_NAME, NameFree> make_name(const Rdns& rdns) {
    std::unique_ptr<X509_NAME, NameFree> name(X509_NAME_new());
    for (const auto& [field, value] : rdns)
        REQUIRE(X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                           reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) == 1);
    return name;
}

struct Issued {
    PrivateKey key;
    Certificate cert;
};

struct Spec {
    Rdns subject = {};
    bool ca = false;
    std::string policy = {};               // certificatePolicies OID
    Rdns permitted_directory = {};         // nameConstraints permittedSubtrees directoryName (EUM)
    std::string permitted_dns = {};        // and a dNSName subtree
    std::string san = {};                  // subjectAltName in openssl config syntax
    long serial = 1;
};

Issued issue(const Spec& spec, const Issued* issuer, Curve curve = Curve::NistP256) {
    PrivateKey key = PrivateKey::generate(curve);
    crypto::X509Ptr x(X509_new());
    REQUIRE(x);
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), spec.serial);
    auto subject = make_name(spec.subject);
    X509_set_subject_name(x.get(), subject.get());
    X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer->cert.native()) : subject.get());
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600L * 24 * 365);
    X509_set_pubkey(x.get(), key.native());

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->cert.native() : x.get(), x.get(), nullptr, nullptr, 0);
    auto add = [&](int nid, const std::string& value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        INFO("extension " << std::string(OBJ_nid2sn(nid)) << " = " << value << ": " << crypto::openssl_errors());
        REQUIRE(ext);
        X509_add_ext(x.get(), ext, -1);
        X509_EXTENSION_free(ext);
    };
    add(NID_subject_key_identifier, "hash");
    if (issuer) add(NID_authority_key_identifier, "keyid:always");
    if (spec.ca) add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!spec.policy.empty()) {  // built by hand: the text form needs a config database
        CERTIFICATEPOLICIES* policies = CERTIFICATEPOLICIES_new();
        POLICYINFO* info = POLICYINFO_new();
        ASN1_OBJECT_free(info->policyid);
        info->policyid = OBJ_txt2obj(spec.policy.c_str(), 1);
        sk_POLICYINFO_push(policies, info);
        REQUIRE(X509_add1_ext_i2d(x.get(), NID_certificate_policies, policies, 1, X509V3_ADD_DEFAULT) == 1);
        CERTIFICATEPOLICIES_free(policies);
    }
    if (!spec.san.empty()) add(NID_subject_alt_name, spec.san);
    if (!spec.permitted_directory.empty()) {
        NAME_CONSTRAINTS* nc = NAME_CONSTRAINTS_new();
        nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null();
        GENERAL_SUBTREE* subtree = GENERAL_SUBTREE_new();
        GENERAL_NAME_free(subtree->base);
        subtree->base = GENERAL_NAME_new();
        GENERAL_NAME_set0_value(subtree->base, GEN_DIRNAME, make_name(spec.permitted_directory).release());
        sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, subtree);
        if (!spec.permitted_dns.empty()) {
            GENERAL_SUBTREE* dns = GENERAL_SUBTREE_new();
            GENERAL_NAME_free(dns->base);
            dns->base = GENERAL_NAME_new();
            ASN1_IA5STRING* text = ASN1_IA5STRING_new();
            ASN1_STRING_set(text, spec.permitted_dns.c_str(), -1);
            GENERAL_NAME_set0_value(dns->base, GEN_DNS, text);
            sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, dns);
        }
        REQUIRE(X509_add1_ext_i2d(x.get(), NID_name_constraints, nc, 1, X509V3_ADD_DEFAULT) == 1);
        NAME_CONSTRAINTS_free(nc);
    }
    REQUIRE(X509_sign(x.get(), issuer ? issuer->key.native() : key.native(), EVP_sha256()) > 0);

    int len = i2d_X509(x.get(), nullptr);
    Bytes der(static_cast<std::size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(x.get(), &p);
    return {key, Certificate::from_der(der)};
}

const char* kEid = "89049032123451234512345678901235";

Issued make_ci() {
    return issue({.subject = {{"CN", "lpad test CI"}, {"O", "lpad"}}, .ca = true, .policy = "2.23.146.1.2.1.0"},
                 nullptr);
}
Issued make_eum(const Issued& ci) {
    return issue({.subject = {{"O", "lpad EUM"}, {"C", "DE"}},
                  .ca = true,
                  .policy = "2.23.146.1.2.1.2",
                  .permitted_directory = {{"O", "lpad EUM"}, {"serialNumber", "89049032"}}},
                 &ci);
}
Issued make_euicc(const Issued& eum, const std::string& org, const std::string& eid) {
    return issue({.subject = {{"O", org}, {"serialNumber", eid}, {"CN", "lpad eUICC"}}, .policy = "2.23.146.1.2.1.1"},
                 &eum);
}

}  // namespace

TEST_CASE("x509: SGP.26 certificate fields") {
    Certificate ci = sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.der");
    Certificate auth = sgp26("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der");
    Certificate pb_brp = sgp26("DPpb/CERT_S_SM_DPpb_ECDSA_BRP.der");
    Certificate tls = sgp26("DPtls/CERT_S_SM_DP_TLS_NIST.der");

    CHECK(to_hex(ci.subject_key_id()) == "f54172bdf98a95d65cbeb88a38a1c11d800a85c3");
    CHECK(ci.authority_key_id().empty());
    CHECK(to_hex(auth.authority_key_id()) == "f54172bdf98a95d65cbeb88a38a1c11d800a85c3");
    CHECK(to_hex(auth.subject_key_id()) == "bd5a82cc1a96602118ba7560a1ff83a78b210be5");
    CHECK(to_hex(subject_key_id_of(auth.der())) == "bd5a82cc1a96602118ba7560a1ff83a78b210be5");
    CHECK(to_hex(pb_brp.authority_key_id()) == "c0bc70ba36929d43b467ff57570530e57ab8fcd8");

    CHECK(ci.subject() == "C=IT,O=RSPTEST,OU=TESTCERT,CN=Test CI");
    CHECK(auth.issuer() == ci.subject());
    CHECK(auth.subject() == "CN=TEST SM-DP\\+,O=ACME");  // RFC 2253 escapes +
    CHECK(auth.subject_field(NID_organizationName) == "ACME");
    CHECK_FALSE(auth.subject_field(NID_serialNumber).has_value());
    CHECK(to_hex(auth.serial()) == "0100");
    CHECK(to_hex(ci.serial()) == "b874f3abfa6c44d3");

    CHECK(ci.policy_oids() == std::vector<std::string>{"2.23.146.1.2.1.0"});
    CHECK(ci.has_role(Role::Ci));
    CHECK(auth.has_role(Role::DpAuth));
    CHECK_FALSE(auth.has_role(Role::DpPb));
    CHECK(pb_brp.has_role(Role::DpPb));
    CHECK(tls.has_role(Role::DpTls));
    CHECK(auth.registered_ids() == std::vector<std::string>{"2.999.10"});
    CHECK(ci.registered_ids() == std::vector<std::string>{"2.999.1"});
    CHECK(tls.dns_names() == std::vector<std::string>{"testsmdpplus1.example.com"});
    CHECK(auth.dns_names().empty());
    CHECK(tls.extended_key_usages() == std::vector<std::string>{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"});
    CHECK(auth.extended_key_usages().empty());

    CHECK(auth.not_before() == 1585729890);  // 2020-04-01 08:31:30 UTC
    CHECK(auth.not_after() == 1901089890);   // 2030-03-30 08:31:30 UTC
    CHECK(ci.is_ca());
    CHECK_FALSE(auth.is_ca());
    CHECK(ci.curve() == Curve::NistP256);
    CHECK(pb_brp.curve() == Curve::BrainpoolP256r1);
    CHECK(pb_brp.public_key().point().size() == 65);
}

TEST_CASE("x509: role policy OIDs") {
    struct Case {
        Role role;
        const char* oid;
    };
    const Case cases[] = {
        {Role::Ci, "2.23.146.1.2.1.0"},     {Role::Euicc, "2.23.146.1.2.1.1"},  {Role::Eum, "2.23.146.1.2.1.2"},
        {Role::DpTls, "2.23.146.1.2.1.3"},  {Role::DpAuth, "2.23.146.1.2.1.4"}, {Role::DpPb, "2.23.146.1.2.1.5"},
        {Role::DsTls, "2.23.146.1.2.1.6"},  {Role::DsAuth, "2.23.146.1.2.1.7"},
    };
    for (const auto& c : cases) CHECK(role_policy_oid(c.role) == c.oid);
}

TEST_CASE("x509: PEM and DER loading, PEM bundles") {
    Certificate from_pem = sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.pem");
    Certificate from_der = sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.der");
    CHECK(from_pem.der() == from_der.der());

    std::string bundle = to_string(file::read((kSgp26 / "CertificateIssuer/CERT_CI_ECDSA_NIST.pem").string())) +
                         "\n# comment between blocks\n" +
                         to_string(file::read((kSgp26 / "CertificateIssuer/CERT_CI_ECDSA_BRP.pem").string())) +
                         to_string(file::read((kSgp26 / "DPtls/CERT_S_SM_DP_TLS_NIST.pem").string()));
    auto certs = parse_pem_bundle(bundle);
    REQUIRE(certs.size() == 3);
    CHECK(certs[0].der() == from_der.der());
    CHECK(certs[1].der() == sgp26("CertificateIssuer/CERT_CI_ECDSA_BRP.der").der());
    CHECK(certs[2].has_role(Role::DpTls));
    CHECK(parse_pem_bundle("").empty());

    std::string damaged = bundle;
    damaged[damaged.find("MII") + 10] = '*';
    CHECK(code_of([&] { parse_pem_bundle(damaged); }) == Errc::MalformedData);
    CHECK(code_of([] { Certificate::from_der(from_hex("3003020100")); }) == Errc::MalformedData);
    Bytes trailing = from_der.der();
    trailing.push_back(0);
    CHECK(code_of([&] { Certificate::from_der(trailing); }) == Errc::MalformedData);
    CHECK(code_of([] { Certificate::from_pem("no certificate here"); }) == Errc::MalformedData);
}

TEST_CASE("x509: SGP.26 DPauth/DPpb chains verify against their CI (NIST and brainpool)") {
    for (const char* curve : {"NIST", "BRP"}) {
        CAPTURE(curve);
        std::string c = curve;
        std::vector<Certificate> roots{sgp26("CertificateIssuer/CERT_CI_ECDSA_" + c + ".der")};
        Certificate auth = sgp26("DPauth/CERT_S_SM_DPauth_ECDSA_" + c + ".der");
        Certificate pb = sgp26("DPpb/CERT_S_SM_DPpb_ECDSA_" + c + ".der");
        CHECK_NOTHROW(verify_chain(auth, {}, roots, {.at = k2025, .leaf_role = Role::DpAuth}));
        CHECK_NOTHROW(verify_chain(pb, {}, roots, {.at = k2025, .leaf_role = Role::DpPb}));
        CHECK_NOTHROW(verify_chain(auth, {}, roots, {.check_time = false, .leaf_role = Role::DpAuth}));
        // The eUICC ignores validity periods; the LPA does not.
        CHECK_NOTHROW(verify_chain(auth, {}, roots, {.check_time = false, .at = k2031}));
        CHECK(code_of([&] { verify_chain(auth, {}, roots, {.at = k2031}); }) == Errc::CryptoError);
        // Wrong role.
        CHECK(code_of([&] { verify_chain(auth, {}, roots, {.at = k2025, .leaf_role = Role::DpPb}); }) ==
              Errc::CryptoError);
    }
}

TEST_CASE("x509: chain verification failures are CryptoError with the reason") {
    Certificate auth = sgp26("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der");
    std::vector<Certificate> brp_root{sgp26("CertificateIssuer/CERT_CI_ECDSA_BRP.der")};
    std::vector<Certificate> nist_root{sgp26("CertificateIssuer/CERT_CI_ECDSA_NIST.der")};

    std::string msg = message_of([&] { verify_chain(auth, {}, brp_root, {.at = k2025}); });
    CHECK(msg.find("unable to get local issuer certificate") != std::string::npos);
    CHECK(msg.find("depth 0") != std::string::npos);
    CHECK(code_of([&] { verify_chain(auth, {}, brp_root, {.at = k2025}); }) == Errc::CryptoError);
    CHECK(code_of([&] { verify_chain(auth, {}, {}, {.at = k2025}); }) == Errc::CryptoError);

    // Flip a bit in the signature value (the last bytes of the DER encoding are s).
    Bytes tampered = auth.der();
    tampered[tampered.size() - 5] ^= 0x01;
    Certificate bad = Certificate::from_der(tampered);
    msg = message_of([&] { verify_chain(bad, {}, nist_root, {.check_time = false}); });
    CHECK(msg.find("signature failure") != std::string::npos);

    // CERT.DP.TLS expired in August 2026.
    Certificate tls = sgp26("DPtls/CERT_S_SM_DP_TLS_NIST.der");
    CHECK_NOTHROW(verify_chain(tls, {}, nist_root, {.at = k2026, .leaf_role = Role::DpTls}));
    msg = message_of([&] { verify_chain(tls, {}, nist_root, {.at = kSep2026}); });
    CHECK(msg.find("expired") != std::string::npos);
}

TEST_CASE("x509: generated eUICC <- EUM <- CI chain with SGP.22 name constraints") {
    Issued ci = make_ci();
    Issued eum = make_eum(ci);
    Issued euicc = make_euicc(eum, "lpad EUM", kEid);
    std::vector<Certificate> roots{ci.cert};
    std::vector<Certificate> chain{eum.cert};

    CHECK(euicc.cert.subject_field(NID_serialNumber) == kEid);
    CHECK(euicc.cert.has_role(Role::Euicc));
    CHECK(eum.cert.is_ca());
    CHECK(eum.cert.authority_key_id() == ci.cert.subject_key_id());

    CHECK_NOTHROW(verify_chain(euicc.cert, chain, roots, {.check_time = false, .leaf_role = Role::Euicc}));
    CHECK_NOTHROW(verify_chain(eum.cert, {}, roots, {.leaf_role = Role::Eum}));

    // Plain OpenSSL compares the directoryName RDN for equality and refuses the valid chain: the reason
    // verify_chain applies the SGP.22 prefix rule itself.
    {
        crypto::X509StorePtr store(X509_STORE_new());
        X509_STORE_add_cert(store.get(), ci.cert.native());
        STACK_OF(X509)* untrusted = sk_X509_new_null();
        sk_X509_push(untrusted, eum.cert.native());
        crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
        REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), euicc.cert.native(), untrusted) == 1);
        CHECK(X509_verify_cert(ctx.get()) != 1);
        CHECK(X509_STORE_CTX_get_error(ctx.get()) == X509_V_ERR_PERMITTED_VIOLATION);
        sk_X509_free(untrusted);
    }

    struct Bad {
        const char* why;
        std::string org;
        std::string eid;
    };
    const Bad bad[] = {
        {"EID outside the EUM's prefix", "lpad EUM", "89049033123451234512345678901235"},
        {"other organisation", "Other EUM", kEid},
        {"prefix shorter than the constraint", "lpad EUM", "8904903"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.why);
        Issued other = make_euicc(eum, b.org, b.eid);
        std::string msg = message_of([&] { verify_chain(other.cert, chain, roots, {.check_time = false}); });
        CHECK(msg.find("permitted subtree violation") != std::string::npos);
    }

    // Missing serialNumber altogether.
    Issued no_eid = issue({.subject = {{"O", "lpad EUM"}, {"CN", "no EID"}}, .policy = "2.23.146.1.2.1.1"}, &eum);
    CHECK(code_of([&] { verify_chain(no_eid.cert, chain, roots, {.check_time = false}); }) == Errc::CryptoError);
    // Without the EUM the chain does not close.
    CHECK(code_of([&] { verify_chain(euicc.cert, {}, roots, {.check_time = false}); }) == Errc::CryptoError);
    // An eUICC signed by another EUM key does not verify.
    Issued rogue_eum = make_eum(ci);
    Issued rogue = make_euicc(rogue_eum, "lpad EUM", kEid);
    CHECK(code_of([&] { verify_chain(rogue.cert, chain, roots, {.check_time = false}); }) == Errc::CryptoError);
}

TEST_CASE("x509: other name constraints still apply next to directoryName ones") {
    Issued ci = make_ci();
    // An EUM-like CA that also limits DNS names: OpenSSL must keep enforcing those.
    Spec spec{.subject = {{"O", "lpad EUM"}},
              .ca = true,
              .permitted_directory = {{"O", "lpad EUM"}, {"serialNumber", "8904"}},
              .permitted_dns = "example.com"};
    Issued eum = issue(spec, &ci);
    Issued dns_leaf = issue({.subject = {{"O", "lpad EUM"}, {"serialNumber", "89041"}},
                             .san = "DNS:host.example.com,IP:192.0.2.1,IP:2001:db8::1"},
                            &eum);
    CHECK(dns_leaf.cert.dns_names() == std::vector<std::string>{"host.example.com"});
    CHECK(dns_leaf.cert.ip_addresses() == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
    std::vector<Certificate> roots{ci.cert}, chain{eum.cert};
    CHECK_NOTHROW(verify_chain(dns_leaf.cert, chain, roots));

    // A DNS name outside the subtree, with a valid EID: OpenSSL still rejects it on the reduced constraints.
    Issued outside = issue({.subject = {{"O", "lpad EUM"}, {"serialNumber", "89041"}}, .san = "DNS:host.example.org"},
                           &eum);
    std::string msg = message_of([&] { verify_chain(outside.cert, chain, roots); });
    CHECK(msg.find("permitted subtree violation") != std::string::npos);
    // A valid DNS name does not rescue an EID outside the prefix.
    Issued wrong_prefix = issue({.subject = {{"O", "lpad EUM"}, {"serialNumber", "89051"}}, .san = "DNS:a.example.com"},
                                &eum);
    CHECK(code_of([&] { verify_chain(wrong_prefix.cert, chain, roots); }) == Errc::CryptoError);
}

TEST_CASE("x509: brainpool chain and a non-self-signed trust anchor") {
    Issued ci = issue({.subject = {{"CN", "BRP CI"}}, .ca = true, .policy = "2.23.146.1.2.1.0"}, nullptr,
                      Curve::BrainpoolP256r1);
    Issued sub = issue({.subject = {{"CN", "BRP SubCA"}}, .ca = true}, &ci, Curve::BrainpoolP256r1);
    Issued leaf = issue({.subject = {{"CN", "DPauth"}}, .policy = "2.23.146.1.2.1.4", .san = "RID:2.999.10"}, &sub,
                        Curve::BrainpoolP256r1);
    std::vector<Certificate> roots{ci.cert}, chain{sub.cert}, sub_only{sub.cert};
    CHECK(leaf.cert.curve() == Curve::BrainpoolP256r1);
    CHECK(leaf.cert.registered_ids() == std::vector<std::string>{"2.999.10"});
    CHECK_NOTHROW(verify_chain(leaf.cert, chain, roots, {.leaf_role = Role::DpAuth}));
    CHECK_NOTHROW(verify_chain(leaf.cert, {}, sub_only, {.leaf_role = Role::DpAuth}));
    // A leaf is not a CA: nothing can chain through it.
    Issued below_leaf = issue({.subject = {{"CN", "below leaf"}}}, &leaf, Curve::BrainpoolP256r1);
    std::vector<Certificate> via_leaf{leaf.cert, sub.cert};
    CHECK(code_of([&] { verify_chain(below_leaf.cert, via_leaf, roots); }) == Errc::CryptoError);
}
