// SPDX-License-Identifier: Apache-2.0
#include "lpad/es9p/curl_http_client.h"

#include <algorithm>

#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::es9p {

namespace {

constexpr std::string_view kLog = "http";

// Key exchange groups offered (SSL_CTX_set1_groups_list names). SGP.22 allows brainpoolP256r1 as well as NIST P-256
// for CERT.DP.TLS and CERT.DS.TLS. In TLS 1.2 the client must list the curve of the server's ECDSA certificate among
// its groups (RFC 8422 §5.1), and OpenSSL's default list has no brainpool curve: such a server then fails the
// handshake ("handshake failure"). TLS 1.3 carries brainpool certificates only with the RFC 8734 signature schemes,
// which OpenSSL offers from 3.2 on; with OpenSSL 3.0 a server holding only a brainpool certificate negotiates
// TLS 1.2, where these groups make it work. X25519 stays first: it is the TLS 1.3 key share.
constexpr const char* kTlsGroups = "X25519:P-256:P-384:P-521:brainpoolP256r1:brainpoolP384r1:brainpoolP512r1";

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) fail(Errc::Internal, "curl_global_init failed");
    });
}

struct EasyDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

SlistPtr slist_append(SlistPtr list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (!grown) fail(Errc::Internal, "curl_slist_append failed");
    list.release();  // now owned by `grown` (same head, or a new head when the list was empty)
    return SlistPtr(grown);
}

bool starts_with_https(std::string_view url) {
    constexpr std::string_view scheme = "https://";
    if (url.size() <= scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
    return true;
}

bool is_tls_failure(CURLcode rc) {
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return true;
    default: return false;
    }
}

}  // namespace

struct CurlHttpClient::Handle {
    EasyPtr easy;
    SlistPtr resolve;
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::string body;
    std::size_t max_body = 0;
    bool too_large = false;
    // The request of the running post(): how often libcurl was about to send it, and whether it may send it again.
    const HttpRequest* request = nullptr;
    unsigned sends = 0;
    bool resend_refused = false;

    template <typename T>
    void set(CURLoption option, T value) {
        if (CURLcode rc = curl_easy_setopt(easy.get(), option, value); rc != CURLE_OK)
            fail(Errc::Internal, std::string("curl_easy_setopt: ") + curl_easy_strerror(rc));
    }

    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) {
        auto* h = static_cast<Handle*>(self);
        std::size_t n = size * count;
        if (h->body.size() + n > h->max_body) {
            h->too_large = true;
            return 0;  // aborts the transfer with CURLE_WRITE_ERROR
        }
        h->body.append(data, n);
        return n;
    }

    // CURLOPT_PREREQFUNCTION: called each time a request is about to go out on a connection. libcurl sends a request
    // again by itself, on a new connection, when a reused one closed before any answer (lib/transfer.c
    // Curl_retry_request); there is no option to turn that off, so it is allowed or stopped here.
    static int on_prereq(void* self, char*, char*, int, int) {
        auto* h = static_cast<Handle*>(self);
        if (++h->sends == 1) return CURL_PREREQFUNC_OK;
        if (h->sends == 2 && h->request->resend == Resend::OnceOnFresh) {
            log::warning(kLog, "POST " + h->request->url +
                                   ": the reused connection closed before any answer; sending it once more on a new "
                                   "connection");
            return CURL_PREREQFUNC_OK;
        }
        h->resend_refused = true;
        return CURL_PREREQFUNC_ABORT;
    }
};

CurlHttpClient::CurlHttpClient(CurlOptions options) : handle_(std::make_unique<Handle>()), options_(std::move(options)) {
    if (options_.ca_pem.empty() == options_.ca_file.empty())
        fail(Errc::InvalidArgument, "CurlHttpClient needs exactly one trust anchor source (ca_pem or ca_file)");
    global_init();
    handle_->easy.reset(curl_easy_init());
    if (!handle_->easy) fail(Errc::Internal, "curl_easy_init failed");
    handle_->max_body = options_.max_response_bytes;

    Handle& h = *handle_;
    h.set(CURLOPT_ERRORBUFFER, h.error_buffer);
    h.set(CURLOPT_NOSIGNAL, 1L);
    h.set(CURLOPT_PROTOCOLS_STR, "https");
    h.set(CURLOPT_FOLLOWLOCATION, 0L);  // RSP-NOTES: no redirects
    h.set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    h.set(CURLOPT_SSL_VERIFYPEER, 1L);
    h.set(CURLOPT_SSL_VERIFYHOST, 2L);
    h.set(CURLOPT_SSL_EC_CURVES, kTlsGroups);
    // Only the given anchors: drop libcurl's built-in system bundle and directory (GSMA CIs are not web CAs).
    h.set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    if (!options_.ca_pem.empty()) {
        h.set(CURLOPT_CAINFO, static_cast<const char*>(nullptr));
        curl_blob blob{options_.ca_pem.data(), options_.ca_pem.size(), CURL_BLOB_COPY};
        h.set(CURLOPT_CAINFO_BLOB, &blob);
    } else {
        h.set(CURLOPT_CAINFO, options_.ca_file.c_str());
    }
    h.set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    h.set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    h.set(CURLOPT_TCP_KEEPALIVE, 1L);
    h.set(CURLOPT_MAXAGE_CONN, static_cast<long>(options_.max_idle_reuse.count()));
    h.set(CURLOPT_WRITEFUNCTION, &Handle::on_body);
    h.set(CURLOPT_WRITEDATA, static_cast<void*>(&h));
    h.set(CURLOPT_PREREQFUNCTION, &Handle::on_prereq);
    h.set(CURLOPT_PREREQDATA, static_cast<void*>(&h));
    for (const auto& entry : options_.resolve) h.resolve = slist_append(std::move(h.resolve), entry);
    if (h.resolve) h.set(CURLOPT_RESOLVE, h.resolve.get());
}

CurlHttpClient::~CurlHttpClient() = default;

HttpResponse CurlHttpClient::post(const HttpRequest& request) {
    if (!starts_with_https(request.url)) fail(Errc::InvalidArgument, "refusing a non-https URL: " + request.url);
    Handle& h = *handle_;

    SlistPtr headers;
    for (const auto& [name, value] : request.headers) headers = slist_append(std::move(headers), name + ": " + value);
    headers = slist_append(std::move(headers), "Expect:");  // no 100-continue round trip for large bodies

    h.body.clear();
    h.too_large = false;
    h.error_buffer[0] = '\0';
    h.request = &request;
    h.sends = 0;
    h.resend_refused = false;
    h.set(CURLOPT_URL, request.url.c_str());
    h.set(CURLOPT_POST, 1L);
    h.set(CURLOPT_POSTFIELDS, request.body.data());
    h.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    h.set(CURLOPT_HTTPHEADER, headers.get());
    auto limit = request.timeout ? std::min(*request.timeout, options_.total_timeout) : options_.total_timeout;
    h.set(CURLOPT_TIMEOUT_MS, std::max(1L, static_cast<long>(limit.count())));  // per request (0 would mean none)

    CURLcode rc = curl_easy_perform(h.easy.get());
    h.set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));  // `headers` dies at the end of this call
    h.request = nullptr;

    long connects = 0;
    curl_easy_getinfo(h.easy.get(), CURLINFO_NUM_CONNECTS, &connects);
    stats_.connects += static_cast<std::uint64_t>(connects);

    if (rc != CURLE_OK) {
        std::string detail = h.error_buffer[0] ? h.error_buffer : curl_easy_strerror(rc);
        std::string what = "POST " + request.url + ": " + detail;
        log::debug(kLog, what);
        if (h.resend_refused)
            fail(Errc::HttpError, "POST " + request.url +
                                      ": the connection closed before any answer; the request may have been "
                                      "processed, so it is not sent again");
        if (h.too_large)
            fail(Errc::HttpError, "POST " + request.url + ": response larger than " +
                                      std::to_string(options_.max_response_bytes) + " bytes");
        if (rc == CURLE_OPERATION_TIMEDOUT) fail(Errc::Timeout, what);
        if (is_tls_failure(rc)) fail(Errc::TlsError, what);
        fail(Errc::HttpError, what);
    }

    HttpResponse response;
    long status = 0;
    curl_easy_getinfo(h.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    const char* content_type = nullptr;
    if (curl_easy_getinfo(h.easy.get(), CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type)
        response.content_type = content_type;
    response.body = std::move(h.body);
    h.body.clear();

    curl_off_t up = 0, down = 0;
    curl_easy_getinfo(h.easy.get(), CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(h.easy.get(), CURLINFO_SIZE_DOWNLOAD_T, &down);
    stats_.requests += 1;
    stats_.bytes_up += static_cast<std::uint64_t>(up);
    stats_.bytes_down += static_cast<std::uint64_t>(down);
    log::debug(kLog, "POST " + request.url + " -> " + std::to_string(response.status) + ", " +
                         std::to_string(response.body.size()) + " bytes, new connections " + std::to_string(connects));

    if (response.status >= 300 && response.status < 400) {
        const char* location = nullptr;
        curl_easy_getinfo(h.easy.get(), CURLINFO_REDIRECT_URL, &location);
        Error e(Errc::HttpError, "POST " + request.url + ": server answered a redirect (" +
                                     std::to_string(response.status) + " to " + (location ? location : "?") +
                                     "), which ES9+ does not allow");
        e.http_status = response.status;
        throw e;
    }
    return response;
}

}  // namespace lpad::es9p
