// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/trust.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "libfile/file.h"

namespace lpad::es9p {

namespace {

constexpr std::string_view kLog = "trust";

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string subject_of(X509* cert) {
    BioPtr out(BIO_new(BIO_s_mem()));
    if (!out || X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) return "?";
    char* data = nullptr;
    long n = BIO_get_mem_data(out.get(), &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::time_t to_time_t(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return timegm(&tm);
}

std::string utc_text(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

Bytes der_of(X509* cert) {
    int n = i2d_X509(cert, nullptr);
    if (n <= 0) fail(Errc::Internal, "i2d_X509 failed");
    Bytes der(static_cast<std::size_t>(n));
    unsigned char* p = der.data();
    i2d_X509(cert, &p);
    return der;
}

// Reads the next certificate; nullptr at the end of the bundle; throws on a broken PEM block.
X509Ptr next_certificate(BIO* in, std::string_view source, std::size_t index) {
    ERR_clear_error();
    X509Ptr cert(PEM_read_bio_X509(in, nullptr, nullptr, nullptr));
    if (cert) return cert;
    unsigned long err = ERR_peek_last_error();
    ERR_clear_error();
    if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) return nullptr;
    fail(Errc::MalformedData, std::string(source) + ": certificate #" + std::to_string(index + 1) +
                                  " is not a valid PEM X.509 certificate");
}

}  // namespace

std::vector<TrustAnchor> parse_trust_anchors(std::string_view pem, std::string_view source, std::time_t now) {
    if (pem.empty()) fail(Errc::MalformedData, std::string(source) + ": empty trust anchor bundle");
    BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!in) fail(Errc::Internal, "BIO_new_mem_buf failed");

    std::vector<TrustAnchor> anchors;
    std::size_t seen = 0;
    while (X509Ptr cert = next_certificate(in.get(), source, seen)) {
        ++seen;
        TrustAnchor anchor;
        anchor.subject = subject_of(cert.get());
        anchor.not_after = to_time_t(X509_get0_notAfter(cert.get()));
        if (X509_cmp_time(X509_get0_notAfter(cert.get()), &now) < 0) {
            log::warning(kLog, std::string(source) + ": skipping CI trust anchor '" + anchor.subject +
                                   "': expired " + utc_text(anchor.not_after));
            continue;
        }
        anchor.der = der_of(cert.get());
        if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert.get()))
            anchor.subject_key_id.assign(ski->data, ski->data + ski->length);
        anchors.push_back(std::move(anchor));
    }
    if (seen == 0) fail(Errc::MalformedData, std::string(source) + ": no PEM certificate found");
    return anchors;
}

std::vector<TrustAnchor> load_trust_anchors(const std::string& pem_path, std::time_t now) {
    return parse_trust_anchors(file::read_text(pem_path), pem_path, now);
}

std::string to_pem(const std::vector<TrustAnchor>& anchors) {
    std::string out;
    for (const auto& anchor : anchors) {
        std::string b64 = base64_encode(anchor.der);
        out += "-----BEGIN CERTIFICATE-----\n";
        for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
        out += "-----END CERTIFICATE-----\n";
    }
    return out;
}

}  // namespace lpad::es9p
