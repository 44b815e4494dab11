// SPDX-License-Identifier: Apache-2.0
#include "libapdu/x509.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace lpad::x509 {

using crypto::BioPtr;
using crypto::fail_openssl;

namespace {

constexpr std::string_view kRoleOids[] = {
    "2.23.146.1.2.1.0", "2.23.146.1.2.1.1", "2.23.146.1.2.1.2", "2.23.146.1.2.1.3",
    "2.23.146.1.2.1.4", "2.23.146.1.2.1.5", "2.23.146.1.2.1.6", "2.23.146.1.2.1.7",
};
constexpr std::string_view kRoleNames[] = {"CI", "eUICC", "EUM", "DP-TLS", "DPauth", "DPpb", "DS-TLS", "DSauth"};

// RAII for the decoded extension structures (X509_get_ext_d2i results).
struct ExtFree {
    void operator()(CERTIFICATEPOLICIES* p) const { CERTIFICATEPOLICIES_free(p); }
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
    void operator()(EXTENDED_KEY_USAGE* p) const { EXTENDED_KEY_USAGE_free(p); }
    void operator()(NAME_CONSTRAINTS* p) const { NAME_CONSTRAINTS_free(p); }
    void operator()(STACK_OF(X509) * p) const { sk_X509_free(p); }  // the stack only, not the certificates
};
template <typename T>
using ExtPtr = std::unique_ptr<T, ExtFree>;

template <typename T>
ExtPtr<T> get_ext(X509* cert, int nid) {
    int critical = 0;
    auto* ext = static_cast<T*>(X509_get_ext_d2i(cert, nid, &critical, nullptr));
    // critical: -1 absent, -2 present more than once; 0/1 with a null result means it did not decode.
    if (!ext && critical >= 0)
        fail_openssl(Errc::MalformedData, std::string("certificate extension ") + OBJ_nid2sn(nid) + " does not parse");
    if (critical == -2) fail(Errc::MalformedData, std::string("duplicate certificate extension ") + OBJ_nid2sn(nid));
    return ExtPtr<T>(ext);
}

std::string oid_text(const ASN1_OBJECT* obj) {
    char buf[128];
    int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buf) fail(Errc::MalformedData, "OID too long or invalid");
    return std::string(buf, static_cast<std::size_t>(n));
}

Bytes octets(const ASN1_OCTET_STRING* s) {
    if (!s) return {};
    const unsigned char* p = ASN1_STRING_get0_data(s);
    return Bytes(p, p + ASN1_STRING_length(s));
}

std::string name_text(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
        fail_openssl(Errc::MalformedData, "printing a certificate name");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len > 0 ? len : 0));
}

std::optional<std::string> entry_utf8(const X509_NAME_ENTRY* entry) {
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (len < 0) fail_openssl(Errc::MalformedData, "certificate name attribute is not a string");
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::time_t asn1_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) fail(Errc::MalformedData, "certificate validity time does not parse");
    return timegm(&tm);
}

// subjectAltName entries of one GEN_* type, as text.
std::vector<std::string> alt_names(X509* cert, int type) {
    std::vector<std::string> out;
    auto names = get_ext<GENERAL_NAMES>(cert, NID_subject_alt_name);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type != type) continue;
        if (type == GEN_DNS) {
            const unsigned char* p = ASN1_STRING_get0_data(gn->d.dNSName);
            out.emplace_back(reinterpret_cast<const char*>(p), static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)));
        } else if (type == GEN_RID) {
            out.push_back(oid_text(gn->d.registeredID));
        } else if (type == GEN_IPADD) {
            Bytes ip = octets(gn->d.iPAddress);
            char buf[INET6_ADDRSTRLEN] = {};
            int family = ip.size() == 4 ? AF_INET : ip.size() == 16 ? AF_INET6 : 0;
            if (!family || !inet_ntop(family, ip.data(), buf, sizeof buf))
                fail(Errc::MalformedData, "subjectAltName iPAddress of " + std::to_string(ip.size()) + " bytes");
            out.emplace_back(buf);
        }
    }
    return out;
}

}  // namespace

std::string_view role_policy_oid(Role role) { return kRoleOids[static_cast<int>(role)]; }
std::string_view role_name(Role role) { return kRoleNames[static_cast<int>(role)]; }

// --- Certificate ---

Certificate Certificate::from_der(ByteView der) {
    const unsigned char* p = der.data();
    crypto::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) fail_openssl(Errc::MalformedData, "certificate DER does not parse");
    if (p != der.data() + der.size()) fail(Errc::MalformedData, "trailing bytes after certificate");
    return Certificate(std::shared_ptr<X509>(cert.release(), crypto::OsslFree{}), Bytes(der.begin(), der.end()));
}

Certificate Certificate::from_pem(std::string_view pem) {
    BioPtr bio = crypto::memory_bio(as_bytes(pem));
    crypto::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) fail_openssl(Errc::MalformedData, "PEM certificate does not parse");
    int len = i2d_X509(cert.get(), nullptr);
    if (len <= 0) fail_openssl(Errc::MalformedData, "re-encoding certificate");
    Bytes der(static_cast<std::size_t>(len));
    unsigned char* q = der.data();
    i2d_X509(cert.get(), &q);
    return from_der(der);  // one parsing path, and der() is exactly what was signed
}

Certificate Certificate::from_pem_or_der(ByteView data) {
    std::string text = to_string(data);
    if (text.find("-----BEGIN") != std::string::npos) return from_pem(text);
    return from_der(data);
}

Bytes Certificate::subject_key_id() const { return octets(X509_get0_subject_key_id(cert_.get())); }
Bytes Certificate::authority_key_id() const { return octets(X509_get0_authority_key_id(cert_.get())); }

crypto::PublicKey Certificate::public_key() const {
    EVP_PKEY* key = X509_get0_pubkey(cert_.get());
    if (!key) fail_openssl(Errc::MalformedData, "certificate public key does not parse");
    EVP_PKEY_up_ref(key);
    return crypto::PublicKey::adopt(crypto::PkeyPtr(key));
}

std::optional<crypto::Curve> Certificate::curve() const {
    try {
        return public_key().curve();
    } catch (const Error& e) {
        if (e.code() == Errc::MalformedData) return std::nullopt;
        throw;
    }
}

Bytes Certificate::serial() const {
    crypto::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
    if (!bn) fail_openssl(Errc::MalformedData, "certificate serial number");
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
    BN_bn2bin(bn.get(), out.data());
    return out;
}

std::string Certificate::subject() const { return name_text(X509_get_subject_name(cert_.get())); }
std::string Certificate::issuer() const { return name_text(X509_get_issuer_name(cert_.get())); }

std::optional<std::string> Certificate::subject_field(int nid) const {
    const X509_NAME* name = X509_get_subject_name(cert_.get());
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0) return std::nullopt;
    return entry_utf8(X509_NAME_get_entry(name, i));
}

std::vector<std::string> Certificate::policy_oids() const {
    std::vector<std::string> out;
    auto policies = get_ext<CERTIFICATEPOLICIES>(cert_.get(), NID_certificate_policies);
    for (int i = 0; policies && i < sk_POLICYINFO_num(policies.get()); ++i)
        out.push_back(oid_text(sk_POLICYINFO_value(policies.get(), i)->policyid));
    return out;
}

bool Certificate::has_role(Role role) const {
    auto oids = policy_oids();
    return std::find(oids.begin(), oids.end(), role_policy_oid(role)) != oids.end();
}

std::vector<std::string> Certificate::dns_names() const { return alt_names(cert_.get(), GEN_DNS); }
std::vector<std::string> Certificate::ip_addresses() const { return alt_names(cert_.get(), GEN_IPADD); }
std::vector<std::string> Certificate::registered_ids() const { return alt_names(cert_.get(), GEN_RID); }

std::vector<std::string> Certificate::extended_key_usages() const {
    std::vector<std::string> out;
    auto eku = get_ext<EXTENDED_KEY_USAGE>(cert_.get(), NID_ext_key_usage);
    for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i)
        out.push_back(oid_text(sk_ASN1_OBJECT_value(eku.get(), i)));
    return out;
}

std::time_t Certificate::not_before() const { return asn1_time(X509_get0_notBefore(cert_.get())); }
std::time_t Certificate::not_after() const { return asn1_time(X509_get0_notAfter(cert_.get())); }

bool Certificate::is_ca() const { return (X509_get_extension_flags(cert_.get()) & EXFLAG_CA) != 0; }

// --- bundles ---

std::vector<Certificate> parse_pem_bundle(std::string_view pem) {
    std::vector<Certificate> out;
    BioPtr bio = crypto::memory_bio(as_bytes(pem));
    for (;;) {
        crypto::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!cert) {
            unsigned long err = ERR_peek_last_error();
            if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
                ERR_clear_error();  // normal end of the bundle
                break;
            }
            fail_openssl(Errc::MalformedData, "PEM bundle: certificate " + std::to_string(out.size() + 1));
        }
        int len = i2d_X509(cert.get(), nullptr);
        if (len <= 0) fail_openssl(Errc::MalformedData, "re-encoding certificate");
        Bytes der(static_cast<std::size_t>(len));
        unsigned char* q = der.data();
        i2d_X509(cert.get(), &q);
        out.push_back(Certificate::from_der(der));
    }
    return out;
}

Bytes subject_key_id_of(ByteView cert_der) { return Certificate::from_der(cert_der).subject_key_id(); }

// --- chain verification ---

namespace {

// SGP.22 reading of a permitted directoryName subtree: every attribute of `base` occurs in `subject` with the same
// value, except serialNumber, whose subject value (the EID) must start with the base value (the EID prefix).
bool sgp22_directory_name_permits(const X509_NAME* subject, const X509_NAME* base) {
    for (int i = 0; i < X509_NAME_entry_count(base); ++i) {
        const X509_NAME_ENTRY* want = X509_NAME_get_entry(base, i);
        const ASN1_OBJECT* type = X509_NAME_ENTRY_get_object(want);
        std::string value = *entry_utf8(want);
        bool prefix = OBJ_obj2nid(type) == NID_serialNumber;
        bool found = false;
        for (int j = 0; j < X509_NAME_entry_count(subject) && !found; ++j) {
            const X509_NAME_ENTRY* have = X509_NAME_get_entry(subject, j);
            if (OBJ_cmp(X509_NAME_ENTRY_get_object(have), type) != 0) continue;
            std::string got = *entry_utf8(have);
            found = prefix ? got.starts_with(value) : got == value;
        }
        if (!found) return false;
    }
    return true;
}

// Checks `cert` against an issuer's name constraints: directoryName subtrees by the SGP.22 rule above, everything
// else by OpenSSL on a copy without the permitted directoryName subtrees. Returns an X509_V_* code.
int check_name_constraints_sgp22(X509* cert, bool is_leaf, const NAME_CONSTRAINTS* nc) {
    ExtPtr<NAME_CONSTRAINTS> rest(static_cast<NAME_CONSTRAINTS*>(
        ASN1_item_dup(ASN1_ITEM_rptr(NAME_CONSTRAINTS), const_cast<NAME_CONSTRAINTS*>(nc))));
    if (!rest) return X509_V_ERR_OUT_OF_MEM;
    bool has_directory_names = false, permitted = false;
    STACK_OF(GENERAL_SUBTREE)* subtrees = rest->permittedSubtrees;
    for (int i = subtrees ? sk_GENERAL_SUBTREE_num(subtrees) - 1 : -1; i >= 0; --i) {
        GENERAL_SUBTREE* subtree = sk_GENERAL_SUBTREE_value(subtrees, i);
        if (subtree->base->type != GEN_DIRNAME) continue;
        has_directory_names = true;
        permitted = permitted ||
                    sgp22_directory_name_permits(X509_get_subject_name(cert), subtree->base->d.directoryName);
        GENERAL_SUBTREE_free(sk_GENERAL_SUBTREE_delete(subtrees, i));
    }
    if (has_directory_names && !permitted) return X509_V_ERR_PERMITTED_VIOLATION;
    int rc = NAME_CONSTRAINTS_check(cert, rest.get());
    if (rc == X509_V_OK && is_leaf) rc = NAME_CONSTRAINTS_check_CN(cert, rest.get());
    return rc;
}

// X509_STORE_CTX verify callback: overrides OpenSSL's name-constraint verdict with the SGP.22 one, passes
// everything else through. Never lets an exception cross the C library.
int verify_callback(int ok, X509_STORE_CTX* ctx) {
    if (ok || X509_STORE_CTX_get_error(ctx) != X509_V_ERR_PERMITTED_VIOLATION) return ok;
    try {
        int depth = X509_STORE_CTX_get_error_depth(ctx);
        STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
        if (!chain || depth < 0 || depth >= sk_X509_num(chain)) return 0;
        X509* cert = sk_X509_value(chain, depth);
        for (int j = depth + 1; j < sk_X509_num(chain); ++j) {
            auto nc = get_ext<NAME_CONSTRAINTS>(sk_X509_value(chain, j), NID_name_constraints);
            if (!nc) continue;
            int rc = check_name_constraints_sgp22(cert, depth == 0, nc.get());
            if (rc != X509_V_OK) {
                X509_STORE_CTX_set_error(ctx, rc);
                return 0;
            }
        }
        X509_STORE_CTX_set_error(ctx, X509_V_OK);
        return 1;
    } catch (...) {
        return 0;
    }
}

}  // namespace

void verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                  std::span<const Certificate> trusted_roots, const VerifyOptions& options) {
    crypto::X509StorePtr store(X509_STORE_new());
    if (!store) fail_openssl(Errc::Internal, "X509_STORE_new");
    for (const auto& root : trusted_roots)
        if (X509_STORE_add_cert(store.get(), root.native()) != 1) fail_openssl(Errc::Internal, "X509_STORE_add_cert");
    ExtPtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
    if (!untrusted) fail_openssl(Errc::Internal, "sk_X509_new_null");
    for (const auto& cert : intermediates)
        if (sk_X509_push(untrusted.get(), cert.native()) <= 0) fail_openssl(Errc::Internal, "sk_X509_push");

    crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) != 1)
        fail_openssl(Errc::Internal, "X509_STORE_CTX_init");
    unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
    if (!options.check_time)
        flags |= X509_V_FLAG_NO_CHECK_TIME;
    else if (options.at)
        X509_STORE_CTX_set_time(ctx.get(), 0, *options.at);
    X509_STORE_CTX_set_flags(ctx.get(), flags);
    X509_STORE_CTX_set_verify_cb(ctx.get(), verify_callback);

    if (X509_verify_cert(ctx.get()) != 1) {
        int err = X509_STORE_CTX_get_error(ctx.get());
        int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        X509* at = X509_STORE_CTX_get_current_cert(ctx.get());
        std::string who = at ? name_text(X509_get_subject_name(at)) : leaf.subject();
        ERR_clear_error();
        fail(Errc::CryptoError, "certificate chain verification failed at depth " + std::to_string(depth) + " (" +
                                    who + "): " + X509_verify_cert_error_string(err));
    }
    if (options.leaf_role && !leaf.has_role(*options.leaf_role))
        fail(Errc::CryptoError, "certificate " + leaf.subject() + " is not a " +
                                    std::string(role_name(*options.leaf_role)) + " certificate (policy " +
                                    std::string(role_policy_oid(*options.leaf_role)) + " missing)");
}

}  // namespace lpad::x509
