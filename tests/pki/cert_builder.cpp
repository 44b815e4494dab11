// SPDX-License-Identifier: Apache-2.0
#include "tests/pki/cert_builder.h"

#include <array>

#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "libapdu/error.h"

namespace lpad::testpki {

void fail_openssl(const std::string& what) {
    std::string detail;
    while (unsigned long e = ERR_get_error()) {
        std::array<char, 256> buf{};
        ERR_error_string_n(e, buf.data(), buf.size());
        detail += detail.empty() ? ": " : "; ";
        detail += buf.data();
    }
    fail(Errc::CryptoError, "test PKI: " + what + detail);
}

std::string curve_suffix(Curve curve) { return curve == Curve::Nist ? "NIST" : "BRP"; }
std::string curve_group(Curve curve) { return curve == Curve::Nist ? "prime256v1" : "brainpoolP256r1"; }

PkeyPtr generate_key(Curve curve) {
    const std::string group = curve_group(curve);
    return PkeyPtr(check(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.c_str()), "EC key generation"));
}

namespace {

NamePtr make_name(const DistinguishedName& dn) {
    NamePtr name(check(X509_NAME_new(), "X509_NAME_new"));
    for (const Rdn& rdn : dn) {
        // MBSTRING_UTF8 lets OpenSSL's string table pick PrintableString for C and serialNumber and UTF8String for
        // the rest, which is what the SGP.26 certificates carry.
        const auto* value = reinterpret_cast<const unsigned char*>(rdn.value.data());
        check_ok(X509_NAME_add_entry_by_NID(name.get(), rdn.nid, MBSTRING_UTF8, value,
                                            static_cast<int>(rdn.value.size()), -1, 0),
                 "name attribute");
    }
    return name;
}

AsnObjectPtr make_oid(const std::string& dotted) {
    // no_name = 1: only the numeric form is accepted, so a typo can't silently become a named object.
    AsnObjectPtr oid(OBJ_txt2obj(dotted.c_str(), 1));
    if (!oid) fail(Errc::InvalidArgument, "test PKI: not a dotted OID: " + dotted);
    return oid;
}

void set_random_serial(X509* cert) {
    std::array<unsigned char, 16> raw{};
    check_ok(RAND_bytes(raw.data(), static_cast<int>(raw.size())), "RAND_bytes");
    raw[0] = static_cast<unsigned char>((raw[0] & 0x7F) | 0x40);  // positive and exactly 16 content octets
    BnPtr bn(check(BN_bin2bn(raw.data(), static_cast<int>(raw.size()), nullptr), "BN_bin2bn"));
    AsnIntPtr serial(check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
    check_ok(X509_set_serialNumber(cert, serial.get()), "X509_set_serialNumber");
}

void add_ext(X509* cert, int nid, void* value, bool critical) {
    check_ok(X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE), OBJ_nid2sn(nid));
}

GeneralNamePtr general_name(int type, void* value) {
    GeneralNamePtr gn(check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
    GENERAL_NAME_set0_value(gn.get(), type, value);
    return gn;
}

void push_name(GENERAL_NAMES* names, GeneralNamePtr gn) {
    if (sk_GENERAL_NAME_push(names, gn.get()) == 0) fail_openssl("GENERAL_NAMES push");
    gn.release();  // owned by the stack now
}

void add_san(X509* cert, const CertProfile& p) {
    if (p.san_dns.empty() && p.san_ip.empty() && p.san_registered_id.empty()) return;
    GeneralNamesPtr names(check(GENERAL_NAMES_new(), "GENERAL_NAMES_new"));
    for (const std::string& dns : p.san_dns) {
        ASN1_IA5STRING* s = check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new");
        GeneralNamePtr gn = general_name(GEN_DNS, s);
        check_ok(ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size())), "dNSName");
        push_name(names.get(), std::move(gn));
    }
    for (const std::string& ip : p.san_ip) {
        ASN1_OCTET_STRING* raw = a2i_IPADDRESS(ip.c_str());
        if (raw == nullptr) fail(Errc::InvalidArgument, "test PKI: not an IP address: " + ip);
        push_name(names.get(), general_name(GEN_IPADD, raw));
    }
    for (const std::string& rid : p.san_registered_id) {
        push_name(names.get(), general_name(GEN_RID, make_oid(rid).release()));
    }
    add_ext(cert, NID_subject_alt_name, names.get(), false);
}

void add_policies(X509* cert, const CertProfile& p) {
    if (p.policies.empty()) return;
    PoliciesPtr policies(check(CERTIFICATEPOLICIES_new(), "CERTIFICATEPOLICIES_new"));
    for (const std::string& oid : p.policies) {
        PolicyInfoPtr info(check(POLICYINFO_new(), "POLICYINFO_new"));
        info->policyid = make_oid(oid).release();
        if (sk_POLICYINFO_push(policies.get(), info.get()) == 0) fail_openssl("policies push");
        info.release();
    }
    add_ext(cert, NID_certificate_policies, policies.get(), p.policies_critical);
}

void add_key_usage(X509* cert, const CertProfile& p) {
    if (p.key_usage.empty()) return;
    AsnBitsPtr bits(check(ASN1_BIT_STRING_new(), "ASN1_BIT_STRING_new"));
    for (unsigned bit : p.key_usage) {
        check_ok(ASN1_BIT_STRING_set_bit(bits.get(), static_cast<int>(bit), 1), "keyUsage bit");
    }
    add_ext(cert, NID_key_usage, bits.get(), true);
}

void add_ext_key_usage(X509* cert, const CertProfile& p) {
    if (p.ext_key_usage.empty()) return;
    ExtKeyUsagePtr eku(check(sk_ASN1_OBJECT_new_null(), "EKU stack"));
    for (int nid : p.ext_key_usage) {
        if (sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(nid)) == 0) fail_openssl("EKU push");
    }
    add_ext(cert, NID_ext_key_usage, eku.get(), true);
}

void add_basic_constraints(X509* cert, const CertProfile& p) {
    if (!p.ca) return;  // SGP.22 leaf profiles carry no basicConstraints
    BasicConstraintsPtr bc(check(BASIC_CONSTRAINTS_new(), "BASIC_CONSTRAINTS_new"));
    bc->ca = 0xFF;
    if (p.path_len) {
        bc->pathlen = check(ASN1_INTEGER_new(), "ASN1_INTEGER_new");
        check_ok(ASN1_INTEGER_set(bc->pathlen, *p.path_len), "pathLen");
    }
    add_ext(cert, NID_basic_constraints, bc.get(), true);
}

// SGP.22 §4.5.2.1.0.3: the EUM restricts the eUICC subject to its O and an EID prefix in serialNumber.
void add_name_constraints(X509* cert, const CertProfile& p) {
    if (!p.permitted_dir) return;
    NameConstraintsPtr nc(check(NAME_CONSTRAINTS_new(), "NAME_CONSTRAINTS_new"));
    nc->permittedSubtrees = check(sk_GENERAL_SUBTREE_new_null(), "subtree stack");
    GeneralSubtreePtr subtree(check(GENERAL_SUBTREE_new(), "GENERAL_SUBTREE_new"));
    GENERAL_NAME_set0_value(subtree->base, GEN_DIRNAME, make_name(*p.permitted_dir).release());  // base preallocated
    if (sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, subtree.get()) == 0) fail_openssl("subtree push");
    subtree.release();
    add_ext(cert, NID_name_constraints, nc.get(), true);
}

void add_crl_distribution_points(X509* cert, const CertProfile& p) {
    if (p.crl_uris.empty()) return;
    CrlDistPointsPtr points(check(sk_DIST_POINT_new_null(), "CRLDP stack"));
    for (const std::string& uri : p.crl_uris) {
        DistPointPtr dp(check(DIST_POINT_new(), "DIST_POINT_new"));
        dp->distpoint = check(DIST_POINT_NAME_new(), "DIST_POINT_NAME_new");
        dp->distpoint->type = 0;  // fullName
        dp->distpoint->name.fullname = check(GENERAL_NAMES_new(), "GENERAL_NAMES_new");
        ASN1_IA5STRING* s = check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new");
        GeneralNamePtr gn = general_name(GEN_URI, s);
        check_ok(ASN1_STRING_set(s, uri.data(), static_cast<int>(uri.size())), "CRL URI");
        push_name(dp->distpoint->name.fullname, std::move(gn));
        if (sk_DIST_POINT_push(points.get(), dp.get()) == 0) fail_openssl("CRLDP push");
        dp.release();
    }
    add_ext(cert, NID_crl_distribution_points, points.get(), false);
}

void add_key_ids(X509* cert, const X509* issuer_cert) {
    Bytes ski = key_identifier(cert);
    AsnOctetsPtr ski_value(check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new"));
    check_ok(ASN1_OCTET_STRING_set(ski_value.get(), ski.data(), static_cast<int>(ski.size())), "SKI");
    if (issuer_cert != nullptr) {
        // AKI = keyIdentifier only (no issuer/serial), as in the SGP.26 certificates.
        Bytes aki = key_identifier(issuer_cert);
        AuthorityKeyIdPtr akid(check(AUTHORITY_KEYID_new(), "AUTHORITY_KEYID_new"));
        akid->keyid = check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new");
        check_ok(ASN1_OCTET_STRING_set(akid->keyid, aki.data(), static_cast<int>(aki.size())), "AKI");
        add_ext(cert, NID_authority_key_identifier, akid.get(), false);
    }
    add_ext(cert, NID_subject_key_identifier, ski_value.get(), false);
}

void set_validity(X509* cert, std::time_t not_before, std::time_t not_after) {
    // ASN1_TIME_set picks UTCTime up to 2049 and GeneralizedTime after, as RFC 5280 §4.1.2.5 requires.
    check(ASN1_TIME_set(X509_getm_notBefore(cert), not_before), "notBefore");
    check(ASN1_TIME_set(X509_getm_notAfter(cert), not_after), "notAfter");
}

}  // namespace

Bytes key_identifier(const X509* cert) {
    const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert);
    if (bits == nullptr) fail_openssl("certificate has no public key");
    Bytes md(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    check_ok(EVP_Digest(bits->data, static_cast<size_t>(bits->length), md.data(), &len, EVP_sha1(), nullptr),
             "SHA-1");
    md.resize(len);
    return md;
}

std::string hex(ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : data) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0x0F];
    }
    return out;
}

Issued issue(const CertProfile& profile, Curve curve, const Issued* issuer) {
    Issued out{X509Ptr(check(X509_new(), "X509_new")), generate_key(curve)};
    X509* cert = out.cert.get();
    check_ok(X509_set_version(cert, X509_VERSION_3), "version");
    set_random_serial(cert);
    NamePtr subject = make_name(profile.subject);
    check_ok(X509_set_subject_name(cert, subject.get()), "subject");
    check_ok(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer->cert.get()) : subject.get()),
             "issuer");
    set_validity(cert, profile.not_before, profile.not_after);
    check_ok(X509_set_pubkey(cert, out.key.get()), "X509_set_pubkey");

    add_key_ids(cert, issuer ? issuer->cert.get() : nullptr);
    add_key_usage(cert, profile);
    add_ext_key_usage(cert, profile);
    add_basic_constraints(cert, profile);
    add_policies(cert, profile);
    add_san(cert, profile);
    add_name_constraints(cert, profile);
    add_crl_distribution_points(cert, profile);

    EVP_PKEY* signer = issuer ? issuer->key.get() : out.key.get();
    check_ok(X509_sign(cert, signer, EVP_sha256()), "X509_sign");  // EC key + SHA-256 = ecdsa-with-SHA256
    return out;
}

Bytes cert_der(const X509* cert) {
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) fail_openssl("i2d_X509");
    Bytes der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(cert, &p);
    return der;
}

namespace {

std::string bio_string(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string encode_key(EVP_PKEY* key, int selection, const char* structure) {
    using EncoderPtr = std::unique_ptr<OSSL_ENCODER_CTX, OsslDeleter<OSSL_ENCODER_CTX_free>>;
    EncoderPtr ctx(check(OSSL_ENCODER_CTX_new_for_pkey(key, selection, "PEM", structure, nullptr), "encoder"));
    if (OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0) fail_openssl(std::string("no encoder for ") + structure);
    BioPtr bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check_ok(OSSL_ENCODER_to_bio(ctx.get(), bio.get()), "key encoding");
    return bio_string(bio.get());
}

}  // namespace

std::string cert_pem(const X509* cert) {
    BioPtr bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check_ok(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    return bio_string(bio.get());
}

std::string private_key_pem(EVP_PKEY* key) {
    return encode_key(key, OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, "type-specific") +
           encode_key(key, OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, "type-specific");
}

std::string public_key_pem(EVP_PKEY* key) {
    return encode_key(key, OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
                      "SubjectPublicKeyInfo");
}

std::string subject_line(const X509* cert) {
    BioPtr bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return bio_string(bio.get());
}

std::string serial_hex(const X509* cert) {
    BnPtr bn(check(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), "serial"));
    char* hex = check(BN_bn2hex(bn.get()), "BN_bn2hex");
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

Bytes empty_crl_der(const Issued& ca, std::time_t next_update) {
    CrlPtr crl(check(X509_CRL_new(), "X509_CRL_new"));
    check_ok(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "CRL version");
    check_ok(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert.get())), "CRL issuer");
    AsnTimePtr this_update(check(ASN1_TIME_set(nullptr, std::time(nullptr) - 86400), "thisUpdate"));
    AsnTimePtr next(check(ASN1_TIME_set(nullptr, next_update), "nextUpdate"));
    check_ok(X509_CRL_set1_lastUpdate(crl.get(), this_update.get()), "CRL thisUpdate");
    check_ok(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "CRL nextUpdate");
    // RFC 5280 §5.2.1/§5.2.3: authorityKeyIdentifier and cRLNumber are required in a conforming CRL.
    Bytes aki = key_identifier(ca.cert.get());
    AuthorityKeyIdPtr akid(check(AUTHORITY_KEYID_new(), "AUTHORITY_KEYID_new"));
    akid->keyid = check(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new");
    check_ok(ASN1_OCTET_STRING_set(akid->keyid, aki.data(), static_cast<int>(aki.size())), "CRL AKI");
    check_ok(X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, akid.get(), 0, 0), "CRL AKI ext");
    AsnIntPtr number(check(ASN1_INTEGER_new(), "ASN1_INTEGER_new"));
    check_ok(ASN1_INTEGER_set(number.get(), 1), "cRLNumber");
    check_ok(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0), "cRLNumber ext");
    check_ok(X509_CRL_sign(crl.get(), ca.key.get(), EVP_sha256()), "X509_CRL_sign");
    int len = i2d_X509_CRL(crl.get(), nullptr);
    if (len <= 0) fail_openssl("i2d_X509_CRL");
    Bytes der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    i2d_X509_CRL(crl.get(), &p);
    return der;
}

}  // namespace lpad::testpki
