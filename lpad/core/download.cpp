// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/download.h"

#include <algorithm>

#include "libapdu/activation_code.h"
#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "libapdu/log.h"
#include "libapdu/tlv.h"
#include "lpad/core/authentication.h"
#include "lpad/es9p/es9p_client.h"

namespace lpad::core {
namespace {

constexpr std::string_view kLog = "core.download";
using Clock = std::chrono::steady_clock;

ProfilePreview make_preview(const es10::StoreMetadataRequest& md, bool cc_required) {
    ProfilePreview p;
    p.iccid = iccid_from_bcd(md.iccid);
    p.name = md.profile_name;
    p.service_provider = md.service_provider_name;
    p.profile_class = md.profile_class.value_or(es10::ProfileClass::operational);
    p.icon_type = md.icon_type;
    p.icon = md.icon;
    if (md.profile_policy_rules) p.policy_rules = es10::bit_names<es10::PprId>(*md.profile_policy_rules);
    p.confirmation_code_required = cc_required;
    p.metadata = md;
    return p;
}

Bytes signature_content(ByteView tlv_5f37, std::string_view field) {
    auto e = tlv::parse_one(tlv_5f37);
    if (e.tag != 0x5F37) fail(Errc::MalformedData, std::string(field) + ": tag 5F37 expected");
    return Bytes(e.value.begin(), e.value.end());
}

// DownloadOptions::deadline: the time left, with the consent wait added back.
class Deadline {
public:
    explicit Deadline(std::optional<std::chrono::milliseconds> limit) : limit_(limit) {
        if (limit) until_ = Clock::now() + *limit;
    }
    // Throws Timeout once the deadline passed.
    void check() const {
        if (until_ && Clock::now() >= *until_) expired();
    }
    std::optional<std::chrono::milliseconds> left() const {
        if (!until_) return std::nullopt;
        check();
        return std::chrono::ceil<std::chrono::milliseconds>(*until_ - Clock::now());
    }
    bool passed() const { return until_ && Clock::now() >= *until_; }
    void extend(Clock::duration d) {
        if (until_) *until_ += d;
    }
    [[noreturn]] void expired() const {
        fail(Errc::Timeout, "the download did not finish within its deadline of " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*limit_).count()) +
                                " s (download_timeout)");
    }

private:
    std::optional<std::chrono::milliseconds> limit_;
    std::optional<Clock::time_point> until_;
};

// Every ES9+ request of a download gets at most the time left before the deadline; a cancelSession (sent after
// the deadline passed, to keep the order usable) gets kCancelGrace.
class DeadlineHttpClient final : public es9p::HttpClient {
public:
    static constexpr std::chrono::milliseconds kCancelGrace{std::chrono::seconds(15)};
    DeadlineHttpClient(es9p::HttpClient& inner, const Deadline& deadline) : inner_(inner), deadline_(deadline) {}
    void cancelling() { cancelling_ = true; }
    es9p::HttpResponse post(const es9p::HttpRequest& request) override {
        auto r = request;
        if (cancelling_) {
            r.timeout = kCancelGrace;
        } else if (auto left = deadline_.left()) {
            r.timeout = r.timeout ? std::min(*r.timeout, *left) : *left;
        }
        try {
            return inner_.post(r);
        } catch (const Error& e) {
            if (e.code() == Errc::Timeout && !cancelling_ && deadline_.passed()) deadline_.expired();
            throw;
        }
    }

private:
    es9p::HttpClient& inner_;
    const Deadline& deadline_;
    bool cancelling_ = false;
};

// One download: the state the failure handling needs.
class Download {
public:
    Download(CardSession& card, ServerConnector& connector, DownloadTarget target, const DownloadOptions& options)
        : card_(card), connector_(connector), target_(std::move(target)), options_(options),
          deadline_(options.deadline) {}

    DownloadResult run();

private:
    void progress(DownloadStage stage, int percent) {
        if (options_.progress) options_.progress(stage, percent);
    }
    // Before loading: CancelSession on the card, its signed answer to the server (only once the server knows the
    // eUICC, i.e. after authenticateClient: it verifies the answer with CERT.EUICC). Errors here are only logged.
    void cancel(es10::CancelSessionReason reason) noexcept;
    DownloadResult after_load_failure(const Error& error);
    // After a failed load, on the still-open channel: CancelSession (postponed) and its signed answer to the
    // server. True when the card cancelled; load_cancel_note_ says what happened, for the error message.
    bool cancel_after_load_failure() noexcept;
    // Throws Rejected after cancelling with pprNotAllowed when the RAT refuses a PPR.
    PolicyRuleCheck check_policy_rules(const es10::StoreMetadataRequest& metadata);
    std::vector<SendOutcome> send_notifications();
    es10::StoreMetadataRequest authenticate_client(const es10::AuthenticateServerResponse& response,
                                                   es10::PrepareDownloadRequest& prepare);

    CardSession& card_;
    ServerConnector& connector_;
    DownloadTarget target_;
    const DownloadOptions& options_;
    Deadline deadline_;
    std::unique_ptr<es9p::HttpClient> connection_;
    std::unique_ptr<DeadlineHttpClient> http_;  // over connection_
    std::optional<es9p::Es9pClient> es9p_;
    std::string tid_;
    Bytes tid_bytes_;
    DownloadResult result_;
    bool cancelled_ = false;
    bool server_knows_euicc_ = false;  // authenticateClient was sent
    std::string load_cancel_note_;
    bool bpp_requested_ = false;  // before_bpp_request was called
    bool settled_ = false;        // the card answered for the session after that (see after_bpp_settled)
    void notify_settled() noexcept {
        if (!bpp_requested_ || !settled_ || !options_.after_bpp_settled) return;
        bpp_requested_ = false;
        try {
            options_.after_bpp_settled();
        } catch (const std::exception& e) {
            log::warning(kLog, std::string("after_bpp_settled: ") + e.what());
        }
    }
};

void Download::cancel(es10::CancelSessionReason reason) noexcept {
    cancelled_ = true;
    http_->cancelling();
    try {
        log::info(kLog, "cancelling session " + tid_ + ": " + std::string(es10::name(reason)));
        auto resp = card_.cancel_session(tid_bytes_, reason);
        settled_ = true;  // the card answered: its session (and one-time key) is gone either way
        resp.check();
        if (server_knows_euicc_) es9p_->cancel_session({tid_, resp.der()});
    } catch (const std::exception& e) {
        log::warning(kLog, std::string("cancelling the session failed: ") + e.what());
    }
}

std::vector<SendOutcome> Download::send_notifications() {
    if (!options_.send_notifications) return {};
    progress(DownloadStage::Notifying, 97);
    std::optional<NotificationSender> local;
    NotificationSender* sender = options_.notifications;
    if (!sender) sender = &local.emplace(connector_);
    ProcessOptions po;
    po.client = http_.get();
    po.client_address = target_.smdp_address;
    po.ignore_backoff = true;  // just produced: deliver now
    return sender->process(card_, po);
}

es10::StoreMetadataRequest Download::authenticate_client(const es10::AuthenticateServerResponse& asr,
                                                         es10::PrepareDownloadRequest& prepare) {
    server_knows_euicc_ = true;
    auto ac = es9p_->authenticate_client({tid_, asr.der()});
    if (!same_server_address(ac.transaction_id, tid_))  // hex text: case-insensitive like the address
        fail(Errc::ProtocolViolation, "authenticateClient answered for another transactionId");
    prepare.smdp_signed2 = es10::SmdpSigned2::decode(ac.smdp_signed2);
    if (!equal(prepare.smdp_signed2.transaction_id, tid_bytes_))
        fail(Errc::ProtocolViolation, "smdpSigned2.transactionId is not the session's transactionId");
    prepare.smdp_signature2 = signature_content(ac.smdp_signature2, "smdpSignature2");
    prepare.smdp_certificate = ac.smdp_certificate;
    try {
        return es10::StoreMetadataRequest::decode(ac.profile_metadata);
    } catch (const Error& e) {
        Error mismatch(Errc::MalformedData, std::string("profileMetadata: ") + e.what());
        cancel(es10::CancelSessionReason::metadataMismatch);
        throw mismatch;
    }
}

DownloadResult Download::run() {
    result_.smdp_address = target_.smdp_address;
    // Checked before anything reaches the server: a bad IMEI must not open a session it cannot finish.
    card_.open();
    auto device_info = make_device_info(options_.device, card_.transport());
    connection_ = connector_.connect(target_.smdp_address);
    http_ = std::make_unique<DeadlineHttpClient>(*connection_, deadline_);
    es9p_.emplace(*http_, target_.smdp_address);
    progress(DownloadStage::Authenticating, 0);
    log::info(kLog, "download from " + target_.smdp_address + " matching ID " +
                        (target_.matching_id ? log::redact(*target_.matching_id) : std::string("(none)")));

    AuthenticationRequest ar{target_.smdp_address, target_.matching_id, target_.smdp_oid, std::move(device_info)};
    Authentication auth;
    try {
        auth = authenticate_server(
            card_, ar,
            [&](const Bytes& challenge, const Bytes& info1) {
                return es9p_->initiate_authentication({challenge, info1, target_.smdp_address});
            },
            [&](const std::string& tid, const Bytes& tid_bytes) {
                tid_ = tid;
                tid_bytes_ = tid_bytes;
            });
    } catch (const Error& e) {
        if (e.code() == Errc::ProtocolViolation) {
            card_.close();  // nothing signed; drop whatever the card holds
        } else if (!tid_bytes_.empty()) {
            // AuthenticateServer went out but its answer did not come back (link, status word): the card may hold
            // the session, so it is asked to end it. The server cannot verify a cancel before it has seen the
            // eUICC (authenticateClient); its session expires on its own.
            cancel(cancel_reason_for(e));
        }
        throw;
    }
    tid_ = auth.transaction_id;
    tid_bytes_ = auth.transaction_id_bytes;
    result_.transaction_id = tid_;
    if (!auth.response.is_ok()) {
        // SGP.22 §3.1.3.2: the server learns of the eUICC's refusal through authenticateClient.
        try {
            es9p_->authenticate_client({tid_, auth.response.der()});
        } catch (const Error&) {
        }
        auth.response.check();
    }

    es10::PrepareDownloadRequest prepare;
    es10::StoreMetadataRequest metadata;
    std::string code;
    try {
        progress(DownloadStage::Authenticating, 10);
        metadata = authenticate_client(auth.response, prepare);
        result_.profile = make_preview(metadata, prepare.smdp_signed2.cc_required_flag);
        result_.profile.smdp_address = target_.smdp_address;
        auto policy = check_policy_rules(metadata);
        result_.profile.consent_required = policy.consent_required;

        progress(DownloadStage::Consent, 15);
        deadline_.check();
        ConsentDecision decision;
        if (options_.consent) {
            auto asked = Clock::now();
            decision = options_.consent(result_.profile);
            deadline_.extend(Clock::now() - asked);  // the user's time does not count
        } else if (policy.consent_required) {
            // SGP.22 §2.9.2.2: without a consenting user the LPA must not go on; nobody refused, so keep the order.
            cancel(es10::CancelSessionReason::postponed);
            fail(Errc::Rejected, "profile " + result_.profile.iccid +
                                     ": the eUICC's Rules Authorisation Table requires End User consent and "
                                     "there is no consent hook to ask");
        }
        if (decision.timed_out) {
            // Nobody answered: the order stays usable (RSP-NOTES: only postponed and timeout keep it).
            cancel(es10::CancelSessionReason::timeout);
            fail(Errc::Timeout, "no decision on profile " + result_.profile.iccid + " in time");
        }
        if (decision.postpone) {
            cancel(es10::CancelSessionReason::postponed);
            fail(Errc::Rejected, decision.why.empty() ? "download postponed" : decision.why);
        }
        if (!decision.accept) {
            cancel(es10::CancelSessionReason::endUserRejection);
            fail(Errc::Rejected, "the user rejected profile " + result_.profile.iccid);
        }
        if (prepare.smdp_signed2.cc_required_flag) {
            auto cc = decision.confirmation_code ? decision.confirmation_code : options_.confirmation_code;
            if (!cc || cc->empty()) {
                // Not a refusal of the profile: the order stays usable for a later try with the code.
                cancel(es10::CancelSessionReason::postponed);
                fail(Errc::Rejected, "the profile needs a confirmation code and none was given");
            }
            prepare.hash_cc = crypto::hash_cc(*cc, tid_bytes_);  // SGP.22 §3.1.3.1
        }

        progress(DownloadStage::Preparing, 20);
        deadline_.check();
        auto pdr = card_.prepare_download(prepare);
        progress(DownloadStage::Downloading, 25);
        if (!pdr.is_ok()) {
            try {
                es9p_->get_bound_profile_package({tid_, pdr.der()});
            } catch (const Error&) {
            }
            pdr.check();
        }
        if (options_.before_bpp_request) {
            InFlightDownload in_flight{target_.smdp_address, tid_, target_.matching_id, target_.smdp_oid,
                                       result_.profile.iccid, prepare.hash_cc.has_value()};
            try {
                options_.before_bpp_request(in_flight);
                bpp_requested_ = true;
            } catch (const Error&) {
                // Not remembered: a crash from here on could strand the order, so do not go on.
                cancel(es10::CancelSessionReason::postponed);
                throw;
            }
        }
        auto bpp = es9p_->get_bound_profile_package({tid_, pdr.der()});
        if (!same_server_address(bpp.transaction_id, tid_))
            fail(Errc::ProtocolViolation, "getBoundProfilePackage answered for another transactionId");
        es10::split_for_loading(bpp.bound_profile_package);  // refuse a malformed package before loading

        deadline_.check();  // the last point to stop: once loading began, it runs to the card's result
        progress(DownloadStage::Installing, 30);
        es10::ProfileInstallationResult pir;
        try {
            pir = card_.load_bound_profile_package(bpp.bound_profile_package, [&](std::size_t done, std::size_t total) {
                progress(DownloadStage::Installing, 30 + static_cast<int>(65 * done / total));
            });
        } catch (const Error& e) {
            return after_load_failure(e);
        }
        settled_ = true;
        if (!pir.succeeded()) {
            result_.notifications = send_notifications();
            pir.check();
        }
        result_.iccid = iccid_from_bcd(metadata.iccid);
        result_.isdp_aid = std::get<es10::SuccessResult>(pir.data.final_result).aid;
        log::info(kLog, "installed profile " + result_.iccid);
    } catch (const Error& e) {
        // The card's own refusal (EuiccError) ended its session; a lying server gets nothing signed.
        if (!cancelled_ && e.code() != Errc::ProtocolViolation && e.code() != Errc::EuiccError)
            cancel(cancel_reason_for(e));
        if (e.code() == Errc::ProtocolViolation) card_.close();
        notify_settled();
        throw;
    }
    notify_settled();

    result_.notifications = send_notifications();
    if (options_.enable_after_download) {
        progress(DownloadStage::Enabling, 98);
        card_.enable(es10::ProfileIdentifier::from_iccid(metadata.iccid), options_.refresh_flag);
        result_.enabled = true;
        auto more = send_notifications();
        result_.notifications.insert(result_.notifications.end(), more.begin(), more.end());
    }
    progress(DownloadStage::Done, 100);
    return result_;
}

// SGP.22 §2.9.2.2 / §3.1.3.2 (LPA side): every PPR of the profile must be allowed by the RAT for the profile owner.
PolicyRuleCheck Download::check_policy_rules(const es10::StoreMetadataRequest& md) {
    if (check_profile_policy_rules(md, {}).rules.empty()) return {};  // no PPR: no GetRAT needed
    auto check = check_profile_policy_rules(md, card_.rat());
    if (!check.allowed()) {
        std::string owner = md.profile_owner ? "mccMnc " + to_hex(md.profile_owner->mcc_mnc) : "absent";
        cancel(es10::CancelSessionReason::pprNotAllowed);
        fail(Errc::Rejected, "profile " + iccid_from_bcd(md.iccid) + " carries " + es10::describe(*check.not_allowed) +
                                 ", which the eUICC's Rules Authorisation Table does not allow for its owner (" +
                                 owner + ")");
    }
    return check;
}

// The same error with `note` appended to its message (every field kept).
Error with_note(const Error& e, const std::string& note) {
    Error out(e.code(), std::string(e.what()) + note);
    out.status_word = e.status_word;
    out.euicc_function = e.euicc_function;
    out.euicc_result = e.euicc_result;
    out.subject_code = e.subject_code;
    out.reason_code = e.reason_code;
    out.http_status = e.http_status;
    return out;
}

bool Download::cancel_after_load_failure() noexcept {
    cancelled_ = true;
    http_->cancelling();
    const auto reason = es10::CancelSessionReason::postponed;
    // A command cut off in the middle of its STORE DATA blocks leaves the card's sequence open; the card answers
    // the first new command with a P1-P2 error and abandons the partial one (GP §11.11.3), so a status word is
    // worth a second try. A link error is not.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            log::info(kLog, "cancelling session " + tid_ + " after the failed load: " + std::string(es10::name(reason)));
            auto resp = card_.cancel_session(tid_bytes_, reason);
            settled_ = true;
            if (!resp.is_ok()) {
                // invalidTransactionId: the card ended the session itself (it finished or refused the package).
                auto why = es10::describe(std::get<es10::CancelSessionError>(resp.result));
                log::info(kLog, "the eUICC did not cancel the session: " + why);
                load_cancel_note_ = "; the eUICC did not cancel the session (" + why +
                                    "): the SM-DP+ keeps the order until its session expires";
                return false;
            }
            try {
                es9p_->cancel_session({tid_, resp.der()});
                load_cancel_note_ = "; the session was cancelled (postponed) on the eUICC and the SM-DP+, so the "
                                    "activation code can be used again";
            } catch (const std::exception& e) {
                log::warning(kLog, std::string("the SM-DP+ did not take the cancel: ") + e.what());
                load_cancel_note_ = "; the eUICC cancelled the session but the SM-DP+ could not be told (" +
                                    std::string(e.what()) + "): the order returns when its session expires there";
            }
            return true;
        } catch (const Error& e) {
            log::warning(kLog, std::string("cancelling the session failed: ") + e.what());
            load_cancel_note_ = "; the eUICC could not be asked to cancel the session (" + std::string(e.what()) +
                                "): the SM-DP+ keeps the order until its session expires";
            if (!(e.code() == Errc::CardError && e.status_word)) return false;
        } catch (const std::exception& e) {
            load_cancel_note_ = std::string("; cancelling the session failed: ") + e.what();
            return false;
        }
    }
    return false;
}

DownloadResult Download::after_load_failure(const Error& error) {
    // RSP-NOTES: the profile may be installed all the same; find out and tell the server what really happened.
    // First, while the channel (and with it the card's session) is still open, the session is cancelled with
    // reason postponed (SGP.22 v2 has no dedicated "load failed" reason; postponed keeps the order usable) and the
    // signed answer goes to the SM-DP+. Only then is the channel reopened to re-read the card.
    log::warning(kLog, std::string("loading the Bound Profile Package failed: ") + error.what());
    cancel_after_load_failure();
    auto iccid = result_.profile.metadata.iccid;
    bool installed = false;
    try {
        card_.close();
        card_.open();
        auto list = card_.profiles();
        installed = std::any_of(list.begin(), list.end(), [&](const es10::ProfileInfo& p) {
            return p.iccid && equal(*p.iccid, iccid);
        });
        if (installed) settled_ = true;
        result_.notifications = send_notifications();
    } catch (const Error& e) {
        log::warning(kLog, std::string("could not re-read the card after the failure: ") + e.what());
    }
    if (!installed) throw with_note(error, load_cancel_note_);
    result_.iccid = iccid_from_bcd(iccid);
    result_.recovered = true;
    for (const auto& p : card_.profiles())
        if (p.iccid && equal(*p.iccid, iccid) && p.isdp_aid) result_.isdp_aid = *p.isdp_aid;
    notify_settled();
    return result_;
}

}  // namespace

std::string_view name(DownloadStage stage) {
    switch (stage) {
        case DownloadStage::Authenticating: return "authenticating";
        case DownloadStage::Consent: return "consent";
        case DownloadStage::Preparing: return "preparing";
        case DownloadStage::Downloading: return "downloading";
        case DownloadStage::Installing: return "installing";
        case DownloadStage::Notifying: return "notifying";
        case DownloadStage::Enabling: return "enabling";
        case DownloadStage::Done: return "done";
    }
    return "unknown";
}

es10::CancelSessionReason cancel_reason_for(const Error& e) {
    using R = es10::CancelSessionReason;
    switch (e.code()) {
        case Errc::Timeout: return R::timeout;
        case Errc::HttpError:
        case Errc::TlsError:
        case Errc::Unavailable:
        case Errc::Cancelled: return R::postponed;
        case Errc::Rejected: return R::endUserRejection;
        case Errc::ServerError:
            // 5xx: the server is in trouble, not the order; a wrong confirmation code may be retried (the server
            // counts attempts itself).
            if (e.http_status && *e.http_status >= 500) return R::postponed;
            if (e.subject_code == "8.2.7") return R::postponed;
            // "BPP not available for a new binding" (a retry the eUICC cannot finish: it lost the one-time key the
            // package is bound to). Nobody refused the profile and the order is sound: keep it usable.
            if (e.subject_code == "8.2" && e.reason_code == "3.7") return R::postponed;
            return R::undefinedReason;
        default: return R::undefinedReason;
    }
}

DownloadResult download(CardSession& card, ServerConnector& connector, DownloadTarget target,
                        const DownloadOptions& options) {
    target.smdp_address = es9p::normalize_server_address(target.smdp_address);
    return Download(card, connector, std::move(target), options).run();
}

DownloadResult download(CardSession& card, ServerConnector& connector, std::string_view activation_code,
                        const DownloadOptions& options) {
    DownloadTarget target;
    if (activation_code.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        // SGP.22 §3.1.3: without an activation code, the default SM-DP+ the eUICC holds.
        auto addresses = card.configured_addresses();
        if (!addresses.default_dp_address || addresses.default_dp_address->empty())
            fail(Errc::NotFound, "no activation code and no default SM-DP+ address on the eUICC");
        target.smdp_address = *addresses.default_dp_address;
    } else {
        auto ac = ActivationCode::parse(activation_code);
        target.smdp_address = ac.smdp_address;
        target.matching_id = ac.matching_id;
        target.smdp_oid = ac.smdp_oid;
        target.confirmation_code_required = ac.confirmation_code_required;
    }
    return download(card, connector, std::move(target), options);
}

}  // namespace lpad::core
