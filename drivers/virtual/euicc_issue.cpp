// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/euicc_issue.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <filesystem>
#include <memory>

#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libfile/file.h"

namespace lpad::virtual_euicc {
namespace {

struct Free {
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(NAME_CONSTRAINTS* p) const { NAME_CONSTRAINTS_free(p); }
    void operator()(CERTIFICATEPOLICIES* p) const { CERTIFICATEPOLICIES_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

[[noreturn]] void crypto_fail(const std::string& what) {
    ERR_clear_error();
    fail(Errc::CryptoError, "virtual eUICC: issuing CERT.EUICC: " + what);
}

std::string utf8(const X509_NAME_ENTRY* entry) {
    unsigned char* raw = nullptr;
    int len = ASN1_STRING_to_UTF8(&raw, X509_NAME_ENTRY_get_data(entry));
    if (len < 0) fail(Errc::MalformedData, "EUM certificate: unreadable name attribute");
    Ptr<unsigned char> owned(raw);
    return std::string(reinterpret_cast<const char*>(raw), static_cast<std::size_t>(len));
}

void add_entry(X509_NAME* name, int nid, const std::string& value) {
    if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1)
        crypto_fail("subject attribute");
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    Ptr<X509_EXTENSION> ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) crypto_fail(std::string("extension ") + OBJ_nid2sn(nid));
}

// certificatePolicies (critical) with one policy OID; built directly, as the text form needs a config database.
void add_policy(X509* cert, const std::string& oid) {
    Ptr<CERTIFICATEPOLICIES> policies(sk_POLICYINFO_new_null());
    POLICYINFO* info = POLICYINFO_new();
    if (!policies || !info) crypto_fail("certificatePolicies");
    if (sk_POLICYINFO_push(policies.get(), info) <= 0) {
        POLICYINFO_free(info);
        crypto_fail("certificatePolicies");
    }
    ASN1_OBJECT_free(info->policyid);
    info->policyid = OBJ_txt2obj(oid.c_str(), 1);
    if (!info->policyid || X509_add1_ext_i2d(cert, NID_certificate_policies, policies.get(), 1, X509V3_ADD_DEFAULT) != 1)
        crypto_fail("certificatePolicies");
}

// CERT.EUICC.ECDSA as SGP.22 §4.5.2.1.0.3 profiles it (and tests/pki issues it): subject C and O of the EUM,
// serialNumber = EID, CN; keyUsage digitalSignature (critical); policy id-rspRole-euicc (critical); SKI, AKI.
x509::Certificate issue(const x509::Certificate& eum, const crypto::PrivateKey& eum_key, const crypto::PrivateKey& key,
                        const std::string& eid) {
    Ptr<X509> cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) crypto_fail("X509_new");
    Ptr<BIGNUM> serial(BN_new());  // random, positive, 16 bytes at most
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        crypto_fail("serial number");
    const X509_NAME* eum_name = X509_get_subject_name(eum.native());
    if (X509_set_issuer_name(cert.get(), eum_name) != 1) crypto_fail("issuer name");
    X509_NAME* subject = X509_get_subject_name(cert.get());
    for (int nid : {NID_countryName, NID_organizationName}) {
        int at = X509_NAME_get_index_by_NID(eum_name, nid, -1);
        if (at >= 0) add_entry(subject, nid, utf8(X509_NAME_get_entry(eum_name, at)));
    }
    add_entry(subject, NID_serialNumber, eid);
    add_entry(subject, NID_commonName, "Test eUICC");
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert.get()), eum.not_after()))
        crypto_fail("validity");
    if (X509_set_pubkey(cert.get(), key.native()) != 1) crypto_fail("public key");
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, eum.native(), cert.get(), nullptr, nullptr, 0);
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
    add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    add_policy(cert.get(), std::string(x509::role_policy_oid(x509::Role::Euicc)));
    if (X509_sign(cert.get(), eum_key.native(), EVP_sha256()) <= 0) crypto_fail("signature");
    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    if (len <= 0) crypto_fail("encoding");
    Ptr<unsigned char> owned(der);
    return x509::Certificate::from_der(ByteView(der, static_cast<std::size_t>(len)));
}

}  // namespace

std::vector<std::string> permitted_eid_prefixes(const x509::Certificate& eum) {
    Ptr<NAME_CONSTRAINTS> nc(
        static_cast<NAME_CONSTRAINTS*>(X509_get_ext_d2i(eum.native(), NID_name_constraints, nullptr, nullptr)));
    std::vector<std::string> out;
    if (!nc || !nc->permittedSubtrees) return out;
    for (int i = 0; i < sk_GENERAL_SUBTREE_num(nc->permittedSubtrees); ++i) {
        const GENERAL_SUBTREE* subtree = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, i);
        if (subtree->base->type != GEN_DIRNAME) continue;
        const X509_NAME* name = subtree->base->d.directoryName;
        int at = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
        if (at >= 0) out.push_back(utf8(X509_NAME_get_entry(name, at)));
    }
    return out;
}

void personalise_for_eid(EuiccConfig& config, const std::string& pki_dir, const std::string& curve,
                         const std::string& eid) {
    Bytes bcd = eid_from_string(eid);
    if (!eid_check_digits_ok(eid))
        fail(Errc::InvalidArgument, "virtual eUICC: eid=" + eid + " has wrong check digits (ISO 7064 MOD 97-10)");
    if (bcd == config.eid) return;  // the PKI's own eUICC certificate is for this EID
    const auto eum = x509::Certificate::from_der(config.eum_certificate);
    const auto prefixes = permitted_eid_prefixes(eum);
    bool covered = prefixes.empty();
    std::string listed;
    for (const auto& p : prefixes) {
        covered = covered || eid.starts_with(p);
        listed += (listed.empty() ? "" : ", ") + p;
    }
    if (!covered)
        fail(Errc::InvalidArgument, "virtual eUICC: EID " + eid +
                                        " is outside the EUM's permitted EID range (SGP.22 §4.5.2.1.0.2 name "
                                        "constraint: EIDs starting with " + listed + ")");
    const std::string key_path = (std::filesystem::path(pki_dir) / "EUM" / ("SK_EUM_ECDSA_" + curve + ".pem")).string();
    if (!std::filesystem::exists(key_path))
        fail(Errc::NotFound, "virtual eUICC: eid=" + eid + " needs the EUM key " + key_path +
                                 " to issue the card's certificate");
    const auto eum_key = file::private_key(key_path);
    if (eum_key.public_point() != eum.public_key().point())
        fail(Errc::InvalidArgument, key_path + " is not the key of the EUM certificate");
    auto key = crypto::PrivateKey::generate(eum_key.curve());
    auto cert = issue(eum, eum_key, key, eid);
    // What the SM-DP+ checks in ES9+ AuthenticateClient (SGP.22 §5.6.3): the chain up to a CI, the eUICC role and
    // the EUM's name constraint.
    std::vector<x509::Certificate> roots;
    for (const Bytes& der : config.ci_certificates) roots.push_back(x509::Certificate::from_der(der));
    x509::VerifyOptions options;
    options.leaf_role = x509::Role::Euicc;
    const std::vector<x509::Certificate> intermediates{eum};
    x509::verify_chain(cert, intermediates, roots, options);
    config.eid = std::move(bcd);
    config.euicc_certificate = cert.der();
    config.euicc_private_key_pem = key.to_pem();
}

}  // namespace lpad::virtual_euicc
