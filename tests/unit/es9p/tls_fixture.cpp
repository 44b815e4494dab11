// SPDX-License-Identifier: Apache-2.0
#include "unit/es9p/tls_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <httplib.h>
#include <stdexcept>

namespace lpad::es9p::testing {

namespace {

[[noreturn]] void die(const std::string& what) { throw std::runtime_error("tls_fixture: " + what); }

PkeyPtr new_key() {
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) die("EVP_EC_gen");
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) die("extension " + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

X509Ptr make_cert(EVP_PKEY* subject_key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                  Validity validity, bool ca, const std::string& san) {
    static std::atomic<long> serial{1000};
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), validity.not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity.not_after_s);
    X509_set_pubkey(cert.get(), subject_key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("lpad tests"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                               0);
    X509* issuer_cert = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert));
    add_ext(cert.get(), issuer_cert, NID_subject_key_identifier, "hash");
    if (ca) {
        add_ext(cert.get(), issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert.get(), issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(cert.get(), issuer_cert, NID_authority_key_identifier, "keyid:always");
        add_ext(cert.get(), issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), issuer_cert, NID_key_usage, "critical,digitalSignature");
        add_ext(cert.get(), issuer_cert, NID_ext_key_usage, "serverAuth");
        add_ext(cert.get(), issuer_cert, NID_subject_alt_name, san);
    }
    if (!X509_sign(cert.get(), issuer_key, EVP_sha256())) die("X509_sign");
    return cert;
}

}  // namespace

std::string KeyAndCert::cert_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_X509(bio.get(), cert.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

TestCa::TestCa(const std::string& common_name, Validity validity) {
    ca_.key = new_key();
    ca_.cert = make_cert(ca_.key.get(), common_name, nullptr, ca_.key.get(), validity, true, {});
}

KeyAndCert TestCa::issue_server(const std::string& common_name, const std::string& subject_alt_names,
                                Validity validity) const {
    KeyAndCert out;
    out.key = new_key();
    out.cert = make_cert(out.key.get(), common_name, ca_.cert.get(), ca_.key.get(), validity, false,
                         subject_alt_names);
    return out;
}

TestHttpsServer::TestHttpsServer(const KeyAndCert& server)
    : server_(std::make_unique<httplib::SSLServer>(server.cert.get(), server.key.get())) {
    if (!server_->is_valid()) die("SSLServer is not valid");
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) die("bind_to_any_port");
}

void TestHttpsServer::start() {
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it; the destructor could hang otherwise.
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!server_->is_running()) die("server did not start");
}

TestHttpsServer::~TestHttpsServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

int unused_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        die("unused_port");
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace lpad::es9p::testing
