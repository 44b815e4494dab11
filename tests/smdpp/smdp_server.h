// SPDX-License-Identifier: Apache-2.0
// The test SM-DP+ and SM-DS: ES9+ (SGP.22 §5.6, §6.5.2.1–5) and ES11 (§5.8, §6.5.2.6–7) over JSON, plus a small
// admin interface, independent of HTTP. The HTTPS front end (https_front.h) turns requests into HttpCall and
// HttpReply back into answers; tests may call handle() directly.
//
// Paths: /gsma/rsp2/es9plus/<function> serves ES9+, and ES11 when the request is an ES11 one (initiateAuthentication
// carrying smdsAddress; authenticateClient of an ES11 session), as GSMA's root SM-DS does; /gsma/rsp2/es11/<function>
// serves ES11. /admin/... (loopback callers only): GET|POST orders, GET|POST events, GET|POST|DELETE faults,
// GET notifications. Function failures are HTTP 200 with header.functionExecutionStatus Failed (SGP.22 §6.5.1.4);
// unknown paths 404 with the same JSON shape. Every call is logged as one lpad::log line ("smdpp"), matching IDs
// and event IDs redacted.
//
// Thread-safe: one mutex around all state; a Delay or Hold fault sleeps outside it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "libapdu/bytes.h"
#include "libapdu/crypto.h"
#include "libapdu/x509.h"
#include "tests/smdpp/faults.h"
#include "tests/smdpp/orders.h"
#include "tests/smdpp/smdp_pki.h"

namespace lpad::smdpp {

inline constexpr std::string_view kJsonContentType = "application/json;charset=UTF-8";

struct ServerOptions {
    std::string address;       // our SM-DP+ address as LPAs use it (activation code): "host[:port]"
    std::string smds_address;  // our SM-DS address; empty: the same as `address`
    bool smds = true;          // serve ES11 (needs DSauth in the PKI)
    // When set: orders, events, notifications, open RSP sessions and bound packages are written there (atomically)
    // after every change, and read back by the constructor if the file exists, so a restarted server continues
    // where it stopped (tests/smdpp/README.md "State file").
    std::string state_file;
    std::string admin_protocol = "gsma/rsp/v2.2.0";  // X-Admin-Protocol of our answers
    // An RSP session (transactionId) not used for this long is forgotten: later calls with it fail with
    // "TransactionId - Unknown" (8.10.1 / 3.9) and its order is free again; a "downloaded" order whose session
    // expires without a result goes back to "released" and its bound package is discarded. Must be > 0.
    std::chrono::seconds session_timeout{600};
};

struct HttpCall {
    std::string method = "POST";
    std::string path;
    std::string body;
    std::optional<std::string> admin_protocol;  // the X-Admin-Protocol request header
    bool from_loopback = true;                  // the admin interface answers only loopback callers
};

struct HttpReply {
    int status = 200;
    std::string body;                                     // empty for 204
    std::string content_type = std::string(kJsonContentType);
    bool close_connection = false;                        // CloseConnection fault: drop the connection, no answer
};

class SmdpServer {
public:
    // Throws Error(InvalidArgument) for an empty address, NotFound if options.smds but the PKI has no DSauth.
    SmdpServer(ServerPki pki, ServerOptions options);
    ~SmdpServer();
    SmdpServer(const SmdpServer&) = delete;
    SmdpServer& operator=(const SmdpServer&) = delete;

    HttpReply handle(const HttpCall& call);

    // Orders, events, faults: the admin interface in C++ (tests). add_order replaces one with the same matching ID.
    void add_order(Order order);
    void add_event(Event event);
    void add_fault(Fault fault);
    void clear_faults();
    std::vector<Order> orders() const;
    std::optional<Order> order(const std::string& matching_id) const;
    std::vector<Event> events() const;
    std::vector<ReceivedNotification> notifications() const;
    std::size_t open_sessions() const;  // sessions not yet expired
    // How many requests for this function ("getBoundProfilePackage", ...) reached the server, faults included: a
    // client that sends one request twice is seen here.
    unsigned calls(const std::string& function) const;

    // The clock sessions expire by (default std::chrono::steady_clock::now); tests inject their own. Replacing it
    // keeps how long each open session has been idle.
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    void set_clock(Clock clock);

    // Sets the SM-DP+ address (and the SM-DS address if it was the same), e.g. once a port-0 listener knows its port.
    void set_address(const std::string& address);

    const ServerOptions& options() const { return options_; }
    const ServerPki& pki() const { return pki_; }

    // The package bound for a "downloaded" order (SGP.22 §3.1.3.3: reused when the same eUICC retries).
    struct BoundPackage {
        std::string eid;
        Bytes euicc_otpk;  // otPK.EUICC.ECKA it is bound to (sent back as smdpSigned2.bppEuiccOtpk)
        Bytes bpp;         // BF36 DER as first served (without injected faults)
        std::chrono::steady_clock::time_point last_used;  // last call of a session on its order (expiry)
    };
    std::optional<BoundPackage> bound_package(const std::string& matching_id) const;

    // The state file's parser on its own (fuzzed: tests/fuzz/fuzz_smdpp_state.cpp): reads `text` as a restart
    // does and returns it written again (without "savedAt"). Error(MalformedData) naming the field otherwise.
    static std::string normalise_state(std::string_view text);

private:
    struct Session;
    struct Snapshot;  // the state file's content, parsed (smdp_internal.h)

    // es9p_auth.cpp
    std::string initiate_authentication(const std::string& body, bool es11, const std::optional<Fault>& fault);
    std::string authenticate_client(const std::string& body, const std::optional<Fault>& fault);
    // es9p_download.cpp
    std::string get_bound_profile_package(const std::string& body, const std::optional<Fault>& fault);
    Bytes build_metadata(const Order& order) const;
    // es9p_notify.cpp
    void handle_notification(const std::string& body);
    std::string cancel_session(const std::string& body);
    // smdp_server.cpp
    HttpReply admin(const HttpCall& call);
    HttpReply dispatch(const std::string& function, bool es11_path, const std::string& body, std::string& log_line);
    // The session of this transactionId at `stage` (Session::Stage, or -1 for any); else the "TransactionId - Unknown" failure.
    Session& session_for(const std::string& transaction_id, int stage);
    void end_session(const std::string& transaction_id);
    // Forgets sessions idle longer than options_.session_timeout and frees the orders they held; a "downloaded"
    // order not used for that long by any session goes back to "released" and its bound package is dropped.
    void expire_sessions();
    // The order leaves "downloaded" (installed, failed, cancelled, released again): its bound package goes.
    void drop_bound(const std::string& matching_id) { bound_.erase(matching_id); }
    bool expired(const Session& session) const;
    Order* find_order(const std::string& matching_id);
    // Verifies CERT.EUM against the session's CI and CERT.EUICC against the EUM (SGP.22 §5.6.2 / §5.6.4);
    // throws the ES9+ failure.
    void verify_euicc_chain(const x509::Certificate& eum, const x509::Certificate& euicc, ByteView ci_pkid) const;
    void persist() const;
    // state_file.cpp: the state file's JSON (idle times relative to `now`), and its parser (idle times continue
    // from `now`, plus the downtime since "savedAt").
    static nlohmann::json encode_state(const std::vector<Order>& orders, const std::vector<Event>& events,
                                       const std::vector<ReceivedNotification>& notifications,
                                       const std::map<std::string, std::unique_ptr<Session>>& sessions,
                                       const std::map<std::string, BoundPackage>& bound,
                                       std::chrono::steady_clock::time_point now);
    static Snapshot parse_state(std::string_view text, std::chrono::steady_clock::time_point now);
    // state_file.cpp: reads options_.state_file back (constructor). Throws Error(MalformedData) naming the field.
    void load_state();
    // The BPP for `s` from the package bound earlier: InitialiseSecureChannel names this session's transactionId
    // and is signed again; the protected segments are the bound ones. Faults apply to the copy served.
    Bytes serve_bound(const Session& s, const BoundPackage& bound, const std::optional<Fault>& fault) const;
    // The getBoundProfilePackage answer carrying `served` for session `s` (a first binding or a package served again).
    static std::string bpp_response(const Session& s, const Bytes& served, const std::optional<Fault>& fault);

    ServerPki pki_;
    ServerOptions options_;
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Session>> sessions_;  // by transactionId (upper-case hex)
    std::vector<Order> orders_;
    std::vector<Event> events_;
    std::vector<ReceivedNotification> notifications_;
    std::map<std::string, BoundPackage> bound_;  // by matching ID; only for orders in "downloaded" state
    FaultSet faults_;
    std::map<std::string, unsigned> calls_;
    Clock clock_;
};

}  // namespace lpad::smdpp
